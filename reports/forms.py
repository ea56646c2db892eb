from django import forms
from django.utils.translation import gettext_lazy as _

from pojian.models import Cycle, Region

from .domain.schedules import ALL_REGIONS, FREQUENCIES, WEEKDAYS, YEAR_MODES


def year_choices():
    return [(c.year, str(c.year)) for c in Cycle.objects.order_by("-year")]


def region_choices(*, with_all=False):
    choices = [("", _("Jilin Province (the whole province)"))]
    if with_all:
        choices.append((ALL_REGIONS, _("The province and every region")))
    return choices + [(r.code, r.name) for r in Region.objects.nominating().filter(active=True)]


class ReportRequestForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    region = forms.ChoiceField(label=_("Region"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = year_choices()
        self.fields["region"].choices = region_choices()
        current = Cycle.objects.current()
        if current is not None:
            self.fields["year"].initial = current.year


class ScheduleForm(forms.Form):
    name = forms.CharField(label=_("Schedule name"), max_length=150)
    frequency = forms.ChoiceField(label=_("How often"), choices=list(FREQUENCIES.items()))
    hour = forms.TypedChoiceField(label=_("Time of day"), coerce=int, choices=[(h, f"{h:02d}:00") for h in range(24)], initial=2)
    weekday = forms.TypedChoiceField(label=_("Day of the week (weekly)"), coerce=int, choices=list(WEEKDAYS.items()), initial=1)
    day_of_month = forms.TypedChoiceField(label=_("Day of the month (monthly, yearly)"), coerce=int,
                                          choices=[(d, str(d)) for d in range(1, 29)], initial=1)
    month = forms.TypedChoiceField(label=_("Month (yearly)"), coerce=int, choices=[(m, str(m)) for m in range(1, 13)], initial=1)
    year = forms.ChoiceField(label=_("Year of the report"), choices=list(YEAR_MODES.items()), initial="current")
    region = forms.ChoiceField(label=_("Report for"), required=False)
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)
    # The settings the edit started from (schedules.edit_token): a stale save is refused.
    edit_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = region_choices(with_all=True)


class ReleaseForm(forms.Form):
    note = forms.CharField(label=_("Note on the public page"), max_length=300, required=False)


# --- statistics returns (统计报表) -----------------------------------------------------------------


def source_choices():
    from .domain.returns import SOURCES

    return [(key, label) for key, (label, _kind, _fn) in SOURCES.items()]


class ReturnDefineForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    period = forms.ChoiceField(label=_("Period"), choices=[("quarter", _("Quarterly")), ("month", _("Monthly"))])
    period_start = forms.DateField(
        label=_("First day of the period"), widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The first day of a month (a quarter: of January, April, July or October)."),
    )
    due_working_days = forms.IntegerField(
        label=_("Due, working days after the period ends"), min_value=1, max_value=60, initial=10
    )
    include_counties = forms.BooleanField(label=_("County bureaus file it too"), required=False)
    sources = forms.MultipleChoiceField(
        label=_("Fields the portal fills in"), required=False, widget=forms.CheckboxSelectMultiple,
    )
    other_fields = forms.CharField(
        label=_("Other fields"), required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One field a line: its name, then a comma and int (whole number), decimal (amount) or text."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sources"].choices = source_choices()

    def field_rows(self):
        rows = [{"source": s} for s in self.cleaned_data.get("sources") or []]
        for line in (self.cleaned_data.get("other_fields") or "").splitlines():
            if not line.strip():
                continue
            label, _sep, kind = line.replace("，", ",").rpartition(",")
            if not label:
                label, kind = kind, "int"
            rows.append({"label": label.strip(), "kind": kind.strip().lower() or "int", "key": f"f{len(rows) + 1}"})
        return rows


class FilingForm(forms.Form):
    """The bureau's values for one return: one input per field of the return."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, statistics_return, **kwargs):
        super().__init__(*args, **kwargs)
        for field in statistics_return.fields:
            if field["kind"] == "text":
                self.fields[field["key"]] = forms.CharField(label=field["label"], required=False, max_length=2000,
                                                            widget=forms.Textarea(attrs={"rows": 2}))
            else:
                self.fields[field["key"]] = forms.CharField(
                    label=field["label"], required=False, max_length=30,
                    widget=forms.TextInput(attrs={"inputmode": "decimal" if field["kind"] == "decimal" else "numeric"}),
                )


class BulletinForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 10}))
    version = forms.IntegerField(widget=forms.HiddenInput)
