"""The office's working-day calendar page: the loaded years, one year's days off and make-up
working days, and forms to change a day or add next year's schedule (pojian.domain.calendar)."""

from datetime import date

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from .domain import calendar
from .domain.errors import ValidationError
from .mixins import PortalPermissionMixin, message_for
from .models import CalendarDay, CalendarYear


class DayForm(forms.Form):
    day = forms.DateField(label=gettext_lazy("date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=gettext_lazy("kind"), choices=CalendarDay.Kind.choices)
    name = forms.CharField(label=gettext_lazy("holiday"), max_length=60)


class YearForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("year"), min_value=2000, max_value=2100)
    source = forms.CharField(label=gettext_lazy("source"), max_length=200, required=False)
    days = forms.CharField(
        label=gettext_lazy("days off and make-up working days"), widget=forms.Textarea(attrs={"rows": 10}),
        help_text=gettext_lazy(
            "One line a day: date, off or working, holiday name. For example: 2027-10-01 off 国庆节, "
            "2027-09-26 working 国庆节."
        ),
    )

    KINDS = {"off": CalendarDay.Kind.OFF, "休": CalendarDay.Kind.OFF, "放假": CalendarDay.Kind.OFF,
             "working": CalendarDay.Kind.WORKING, "班": CalendarDay.Kind.WORKING, "上班": CalendarDay.Kind.WORKING}

    def clean_days(self):
        rows, errors = [], []
        for i, line in enumerate(self.cleaned_data["days"].splitlines(), start=1):
            parts = line.replace("，", " ").replace(",", " ").split()
            if not parts:
                continue
            try:
                day = date.fromisoformat(parts[0])
            except ValueError:
                errors.append(_("Line %(row)s: %(value)s is not a date (YYYY-MM-DD).") % {"row": i, "value": parts[0]})
                continue
            if len(parts) < 3 or parts[1] not in self.KINDS:
                errors.append(_("Line %(row)s: write the date, off or working, and the holiday's name.") % {"row": i})
                continue
            rows.append((day, self.KINDS[parts[1]], " ".join(parts[2:])))
        if errors:
            raise forms.ValidationError(errors)
        return rows


class CalendarView(PortalPermissionMixin, TemplateView):
    """The loaded years and one year's special days; office only."""

    permission_required = "pojian.view_calendar"
    template_name = "pojian/calendar.html"

    def get_year(self):
        try:
            return int(self.request.GET.get("year") or self.kwargs.get("year") or date.today().year)
        except ValueError:
            return date.today().year

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        year = self.get_year()
        loaded = CalendarYear.objects.filter(year=year).first()
        ctx.update(
            year=year, loaded=loaded, years=CalendarYear.objects.all(),
            days=CalendarDay.objects.filter(day__year=year), missing=None if loaded else calendar.CalendarMissing(year),
            day_form=kwargs.get("day_form") or DayForm(), year_form=kwargs.get("year_form") or YearForm(initial={"year": year}),
            can_edit=self.request.user.has_perm("pojian.edit_calendar"),
        )
        if ctx["missing"] is not None:
            ctx["missing_message"] = message_for(ctx["missing"])
        return ctx

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("pojian.edit_calendar"):
            return self.handle_no_permission()
        action = request.POST.get("action")
        year = self.get_year()
        try:
            if action == "set_day":
                form = DayForm(request.POST)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(day_form=form))
                calendar.set_day(**form.cleaned_data, by=request.user)
                year = form.cleaned_data["day"].year
                messages.success(request, _("Saved."))
            elif action == "clear_day":
                day = date.fromisoformat(request.POST.get("day", ""))
                calendar.clear_day(day=day, by=request.user)
                year = day.year
                messages.success(request, _("Saved."))
            elif action == "add_year":
                form = YearForm(request.POST)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(year_form=form))
                calendar.add_year(year=form.cleaned_data["year"], days=form.cleaned_data["days"],
                                  source=form.cleaned_data["source"], by=request.user)
                year = form.cleaned_data["year"]
                messages.success(request, _("The schedule for %(year)s is loaded.") % {"year": year})
        except ValueError:
            messages.error(request, _("Enter a valid date."))
        except ValidationError as e:
            messages.error(request, message_for(e))
        return redirect(f"{request.path}?year={year}")
