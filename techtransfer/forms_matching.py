from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise
from pojian.models import Region
from pojian.rules import is_bureau, is_office

from .models import AccountRequest, Demand, Institution, Interest, MatchEvent, MatchRecord, Result, TechContract

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AccountRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("account asked for"), choices=AccountRequest.Kind.choices,
                             widget=forms.RadioSelect, initial=AccountRequest.Kind.RESULTS_MANAGER)
    full_name = forms.CharField(label=_("full name"), max_length=50)
    email = forms.EmailField(label=_("e-mail"), max_length=150)
    phone = forms.CharField(label=_("phone"), max_length=30)
    position = forms.CharField(label=_("department and position"), max_length=100)
    institution = forms.ModelChoiceField(label=_("institution"), queryset=Institution.objects.all(), required=False)
    institution_name = forms.CharField(label=_("institution name (if not listed)"), max_length=200, required=False)
    institution_uscc = forms.CharField(label=_("its unified social credit code"), max_length=18, required=False)
    institution_kind = forms.ChoiceField(label=_("its kind"), required=False, choices=[
        ("", "---------"), ("university", _("University")), ("institute", _("Research institute"))])
    institution_region = forms.ModelChoiceField(label=_("its region"), queryset=Region.objects.nominating().filter(active=True),
                                                required=False)
    message = forms.CharField(label=_("message to the office"), max_length=1000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


def enterprises_for(user):
    qs = Enterprise.objects.order_by("name")
    return qs if is_office(user) else qs.filter(region_id=user.region_id) if is_bureau(user) else qs.none()


def own_institutions(user):
    return user.results_manager_of.filter(approved_at__isnull=False).values("institution")


class RecommendForm(forms.Form):
    enterprises = forms.ModelMultipleChoiceField(label=_("enterprises"), queryset=Enterprise.objects.none(),
                                                 widget=forms.SelectMultiple(attrs={"size": 10}))
    note = forms.CharField(label=_("why it is recommended"), max_length=1000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprises"].queryset = enterprises_for(user)


class InterestForm(forms.Form):
    """The bureau records its enterprise's interest; an institution records its own, on a demand."""

    result = forms.ModelChoiceField(label=_("result"), queryset=Result.objects.none())
    enterprise = forms.ModelChoiceField(label=_("enterprise"), queryset=Enterprise.objects.none(), required=False)
    demand = forms.ModelChoiceField(label=_("demand"), queryset=Demand.objects.none(), required=False)
    side = forms.ChoiceField(label=_("interested side"), choices=Interest.Side.choices)
    note = forms.CharField(label=_("note"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        published = Result.objects.filter(state=Result.State.PUBLISHED).select_related("institution")
        demands = Demand.objects.select_related("enterprise")
        if is_office(user):
            pass
        elif is_bureau(user):
            demands = demands.filter(region_id=user.region_id)
            self.fields["side"].choices = [(Interest.Side.ENTERPRISE, Interest.Side.ENTERPRISE.label)]
        else:
            published = published.filter(institution__in=own_institutions(user))
            self.fields["side"].choices = [(Interest.Side.INSTITUTION, Interest.Side.INSTITUTION.label)]
            del self.fields["enterprise"]
            self.fields["demand"].required = True
        self.fields["result"].queryset = published
        self.fields["demand"].queryset = demands
        if "enterprise" in self.fields:
            self.fields["enterprise"].queryset = enterprises_for(user)

    def clean(self):
        data = super().clean()
        demand, enterprise = data.get("demand"), data.get("enterprise")
        if demand is not None and enterprise is None:
            data["enterprise"] = demand.enterprise
        elif enterprise is None and not self.errors:
            self.add_error("enterprise", _("Choose the enterprise, or its demand."))
        return data


class MatchRecordForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = MatchRecord
        fields = ["result", "enterprise", "demand", "event", "met_on", "status", "contract", "notes"]
        widgets = {"met_on": DATE, "notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        published = Result.objects.filter(state=Result.State.PUBLISHED).select_related("institution")
        demands, events = Demand.objects.all(), MatchEvent.objects.all()
        contracts = TechContract.objects.in_force()  # a cancelled contract is no outcome of a meeting
        enterprises = enterprises_for(user)
        if is_bureau(user):
            demands = demands.filter(region_id=user.region_id)
            events = events.filter(Q(region_id=user.region_id) | Q(region__isnull=True))
            contracts = contracts.filter(enterprise__region_id=user.region_id)
        elif not is_office(user):
            published = published.filter(institution__in=own_institutions(user))
            contracts = contracts.filter(institution__in=own_institutions(user))
            events = events.filter(institutions__in=own_institutions(user)).distinct()
            enterprises = Enterprise.objects.order_by("name")
        self.fields["result"].queryset = published
        self.fields["enterprise"].queryset = enterprises
        self.fields["demand"].queryset = demands
        self.fields["event"].queryset = events
        self.fields["contract"].queryset = contracts
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version


class MatchEventForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = MatchEvent
        fields = ["title", "held_on", "place", "region", "description", "enterprises", "institutions", "outcome"]
        widgets = {"held_on": DATE, "description": forms.Textarea(attrs={"rows": 3}),
                   "outcome": forms.Textarea(attrs={"rows": 4}),
                   "enterprises": forms.SelectMultiple(attrs={"size": 8}),
                   "institutions": forms.SelectMultiple(attrs={"size": 8})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprises"].queryset = enterprises_for(user)
        if not is_office(user):
            del self.fields["region"]
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version


class StatisticsForm(forms.Form):
    year = forms.IntegerField(label=_("year"), required=False, min_value=2000, max_value=2100)
