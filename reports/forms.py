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
    return choices + [(r.code, r.name) for r in Region.objects.filter(active=True)]


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
