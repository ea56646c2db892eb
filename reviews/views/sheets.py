"""The office's score sheet pages (评分表): a year's sheets, and one round's sheet edited as a formset.

The rules (Σ maximum × weight = 100, locked once scoring started, copies) are reviews.domain.sheets';
these views collect the input and show the domain's refusals.
"""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from pojian.domain.errors import PermissionDenied, ValidationError
from pojian.mixins import PortalPermissionMixin, message_for
from pojian.models import Cycle

from ..domain import sheets
from ..forms import CopySheetForm, CopyToForm, CriterionFormSet, SheetForm
from ..models import Round, ScoreSheet
from .office import RoundMixin


def _plain(value):
    return "" if value is None else format(value.normalize(), "f")


class SheetListView(PortalPermissionMixin, TemplateView):
    """A year's review rounds and their score sheets: criteria, Σ maximum × weight, open or fixed."""

    permission_required = "reviews.manage_sheets"
    template_name = "reviews/office_sheets.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        years = list(Cycle.objects.order_by("-year").values_list("year", flat=True))
        current = Cycle.objects.current()
        try:
            year = int(self.request.GET.get("year") or (current.year if current else 0))
        except ValueError:
            year = current.year if current else 0
        cycle = Cycle.objects.filter(year=year).first()
        ctx.update(years=years, year=year, cycle=cycle, rows=sheets.sheets_of_year(cycle) if cycle else [],
                   full=sheets.SHEET_TOTAL)
        return ctx


class SheetView(RoundMixin, TemplateView):
    """One round's score sheet: edit it while it is open, or copy another onto it; a fixed one is copied elsewhere."""

    permission_required = "reviews.manage_sheets"
    template_name = "reviews/office_sheet.html"

    def _sheet(self):
        return ScoreSheet.objects.filter(round=self.get_round()).first()

    def _targets(self):
        round_ = self.get_round()
        return [r for r in Round.objects.filter(phase=Round.Phase.ASSIGNMENT).exclude(pk=round_.pk)
                .select_related("cycle").order_by("-cycle__year", "kind") if not sheets.sheet_locked(r)]

    def get_context_data(self, form=None, formset=None, **kwargs):
        ctx = super().get_context_data(**kwargs)
        round_ = self.get_round()
        sheet = self._sheet()
        criteria = list(sheet.criteria.order_by("order", "pk")) if sheet else []
        locked = sheets.sheet_locked(round_)
        if form is None:
            form = SheetForm(initial={"title": sheet.title if sheet else _("Score sheet"),
                                      "instructions": sheet.instructions if sheet else "",
                                      "version": sheet.version if sheet else None})
        if formset is None:
            formset = CriterionFormSet(prefix="c", initial=[
                {"id": c.pk, "order": c.order, "name": c.name, "max_score": _plain(c.max_score),
                 "weight": _plain(c.weight), "guidance": c.guidance} for c in criteria])
        sources = sheets.copy_sources(round_)
        ctx.update(
            sheet=sheet, criteria=criteria, locked=locked, form=form, formset=formset, full=sheets.SHEET_TOTAL,
            max_total=sum((c.max_score * c.weight for c in criteria), 0),
            copy_form=CopySheetForm(sources=sources) if sources and not locked else None,
            copy_to_form=CopyToForm(targets=self._targets()) if locked and sheet else None,
            locked_message=sheets.locked_message() if locked else "",
        )
        return ctx

    def post(self, request, *args, **kwargs):
        round_ = self.get_round()
        action = request.POST.get("action", "save")
        if action == "copy_from":
            form = CopySheetForm(request.POST, sources=sheets.copy_sources(round_))
            if form.is_valid():
                try:
                    sheets.copy_sheet(source=form.cleaned_data["source"], round_=round_, by=request.user)
                except (ValidationError, PermissionDenied) as e:
                    messages.error(request, message_for(e))
                else:
                    messages.success(request, _("The score sheet was copied; check it and save."))
            else:
                messages.error(request, _("Choose a score sheet to copy."))
            return HttpResponseRedirect(self.round_url("office_sheet"))
        if action == "copy_to":
            sheet = self._sheet()
            form = CopyToForm(request.POST, targets=self._targets())
            if sheet is None or not form.is_valid():
                messages.error(request, _("Choose a round whose score sheet is still open."))
                return HttpResponseRedirect(self.round_url("office_sheet"))
            target = form.cleaned_data["target"]
            try:
                sheets.copy_sheet(source=sheet, round_=target, by=request.user)
            except (ValidationError, PermissionDenied) as e:
                messages.error(request, message_for(e))
                return HttpResponseRedirect(self.round_url("office_sheet"))
            messages.success(request, _("The score sheet was copied to %(round)s.") % {"round": target})
            return HttpResponseRedirect(reverse("reviews:office_sheet", args=[target.pk]))
        form = SheetForm(request.POST)
        formset = CriterionFormSet(request.POST, prefix="c")
        if form.is_valid() and formset.is_valid():
            rows = [
                {k: f.cleaned_data.get(k) for k in ("id", "order", "name", "max_score", "weight", "guidance")}
                for f in formset.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE") and not f.is_blank()
            ]
            try:
                sheets.save_sheet(round_=round_, by=request.user, title=form.cleaned_data["title"],
                                  instructions=form.cleaned_data["instructions"], criteria=rows,
                                  expected_version=form.cleaned_data.get("version"))
            except (ValidationError, PermissionDenied) as e:
                messages.error(request, message_for(e))
            else:
                messages.success(request, _("Score sheet saved."))
                return HttpResponseRedirect(self.round_url("office_sheet"))
        else:
            messages.error(request, _("Please correct the errors below."))
        return self.render_to_response(self.get_context_data(form=form, formset=formset), status=200)
