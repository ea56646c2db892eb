"""双千 matching pages: the public account request and the office's approval, 推介, 意向, 对接记录,
对接会 and the statistics with their export. Every page names its rule (rules_matching.py)."""

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, FormView, ListView, TemplateView

from pojian.domain.errors import PermissionDenied, ValidationError
from pojian.domain.signin import client_ip
from pojian.downloads import file_response
from pojian.mixins import PortalPermissionMixin, message_for, run_domain
from pojian.rules import is_bureau, is_office

from .domain import accounts, matching, statistics
from .forms_matching import (
    AccountRequestForm,
    DecisionForm,
    InterestForm,
    MatchEventForm,
    MatchRecordForm,
    RecommendForm,
    StatisticsForm,
    own_institutions,
)
from .models import AccountRequest, Interest, MatchEvent, MatchRecord, Recommendation, Result


def _form_error(form, error):
    form.add_error(None, message_for(error))


# --- accounts ------------------------------------------------------------------------------------
class PublicAccountRequestView(FormView):
    """Anyone: ask for a results manager's account. The office decides; a few requests a day per address."""

    template_name = "techtransfer/account_request.html"
    form_class = AccountRequestForm

    def form_valid(self, form):
        try:
            accounts.request_account(**form.cleaned_data, address=client_ip(self.request))
        except ValidationError as e:
            _form_error(form, e)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        messages.success(self.request, _("Your request has been sent to the provincial office. "
                                         "The answer is sent to your e-mail address."))
        return redirect("techtransfer:public_account_request")

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class AccountRequestListView(PortalPermissionMixin, ListView):
    permission_required = "techtransfer.decide_account_requests"
    template_name = "techtransfer/account_requests.html"
    paginate_by = 50

    def state(self):
        state = self.request.GET.get("state") or AccountRequest.State.PENDING
        return state if state in AccountRequest.State.values else AccountRequest.State.PENDING

    def get_queryset(self):
        return AccountRequest.objects.filter(state=self.state()).select_related(
            "institution", "institution_region", "decided_by", "user")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "state": self.state(), "states": AccountRequest.State.choices}


class AccountDecideView(PortalPermissionMixin, View):
    permission_required = "techtransfer.decide_account_requests"

    def post(self, request, pk, action):
        if action not in ("approve", "refuse"):
            raise Http404
        req = get_object_or_404(AccountRequest, pk=pk)
        form = DecisionForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        fn = accounts.approve_request if action == "approve" else accounts.refuse_request
        if run_domain(request, fn, req, by=request.user, reason=reason):
            messages.success(request, _("%(name)s: done.") % {"name": req.full_name})
        return redirect("techtransfer:account_requests")


# --- 推介 ----------------------------------------------------------------------------------------
class RecommendView(PortalPermissionMixin, FormView):
    permission_required = "techtransfer.recommend_result"
    template_name = "techtransfer/recommend.html"
    form_class = RecommendForm

    def get_permission_object(self):
        return get_object_or_404(Result.objects.select_related("institution"), pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        result = self.get_permission_object()
        return {**super().get_context_data(**kwargs), "result": result,
                "already": result.recommendations.filter(region_id__in=self._regions()).select_related("enterprise")}

    def _regions(self):
        user = self.request.user
        from pojian.models import Region
        return Region.objects.values("pk") if is_office(user) else [user.region_id]

    def form_valid(self, form):
        try:
            made = matching.recommend(self.get_permission_object(), enterprises=form.cleaned_data["enterprises"],
                                      by=self.request.user, note=form.cleaned_data["note"])
        except (ValidationError, PermissionDenied) as e:
            _form_error(form, e)
            return self.form_invalid(form)
        messages.success(self.request, _("Recommended to %(n)s enterprises; their bureaus are notified.") % {"n": len(made)})
        return redirect("techtransfer:recommendations")


class RecommendationListView(PortalPermissionMixin, ListView):
    """The office: every 推介; a bureau: those to its region's enterprises (whoever made them)."""

    permission_required = "techtransfer.list_recommendations"
    template_name = "techtransfer/recommendations.html"
    paginate_by = 50

    def get_queryset(self):
        qs = Recommendation.objects.select_related("result__institution", "enterprise", "region", "created_by")
        return qs if is_office(self.request.user) else qs.filter(region_id=self.request.user.region_id)


# --- 意向 and 对接记录 ---------------------------------------------------------------------------
def visible_matching(user, model):
    qs = model.objects.select_related("result__institution", "enterprise", "region")
    if is_office(user):
        return qs
    if is_bureau(user):
        return qs.filter(region_id=user.region_id)
    return qs.filter(result__institution__in=own_institutions(user))


class MatchingView(PortalPermissionMixin, TemplateView):
    """意向 and 对接记录 the user may see: the office all, a bureau its region's, an institution its results'."""

    permission_required = "techtransfer.list_matching"
    template_name = "techtransfer/matching.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        status = self.request.GET.get("status", "")
        records = visible_matching(user, MatchRecord).select_related("demand", "event", "contract")
        if status in MatchRecord.Status.values:
            records = records.filter(status=status)
        return {**super().get_context_data(**kwargs), "interests": visible_matching(user, Interest)[:200],
                "records": records[:200], "status": status, "statuses": MatchRecord.Status.choices}


class MatchingFormView(PortalPermissionMixin, FormView):
    """A form for the signed-in user whose save is a domain call; a refusal is shown on the form."""

    template_name = "techtransfer/matching_form.html"
    initial_keys = ()
    success_message = ""
    success_url_name = "techtransfer:matching"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        return {k: self.request.GET[k] for k in self.initial_keys if self.request.GET.get(k, "").isdigit()}

    def save(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            saved = self.save(form)
        except (ValidationError, PermissionDenied) as e:
            _form_error(form, e)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return self.success(saved)

    def success(self, saved):
        return redirect(self.success_url_name)


class InterestCreateView(MatchingFormView):
    permission_required = "techtransfer.list_matching"
    form_class = InterestForm
    extra_context = {"heading": gettext_lazy("Record an interest (意向)")}
    initial_keys = ("result", "demand", "enterprise")
    success_message = gettext_lazy("The interest is recorded; both sides are notified.")

    def save(self, form):
        d = form.cleaned_data
        return matching.record_interest(result=d["result"], enterprise=d["enterprise"], demand=d.get("demand"),
                                        side=d["side"], note=d["note"], by=self.request.user)


def _record_fields(form):
    return {k: v for k, v in form.cleaned_data.items() if k != "version"}


class RecordCreateView(MatchingFormView):
    permission_required = "techtransfer.create_match_record"
    form_class = MatchRecordForm
    extra_context = {"heading": gettext_lazy("Record a meeting (对接记录)")}
    initial_keys = ("result", "demand", "enterprise", "event")
    success_message = gettext_lazy("The matching record is saved.")

    def save(self, form):
        return matching.create_record(by=self.request.user, **_record_fields(form))


class RecordEditView(MatchingFormView):
    permission_required = "techtransfer.edit_match_record"
    form_class = MatchRecordForm
    extra_context = {"heading": gettext_lazy("Matching record (对接记录)")}
    success_message = gettext_lazy("The matching record is saved.")

    def get_permission_object(self):
        if not hasattr(self, "_record"):
            self._record = get_object_or_404(MatchRecord.objects.select_related("result", "enterprise"),
                                             pk=self.kwargs["pk"])
        return self._record

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.get_permission_object()}

    def save(self, form):
        record = MatchRecord.objects.get(pk=self.get_permission_object().pk)
        version = form.cleaned_data.get("version")
        return matching.update_record(record, by=self.request.user, **_record_fields(form),
                                      expected_version=record.version if version is None else version)


# --- 对接会 --------------------------------------------------------------------------------------
class EventListView(PortalPermissionMixin, ListView):
    permission_required = "techtransfer.list_events"
    template_name = "techtransfer/events.html"
    paginate_by = 50

    def get_queryset(self):
        user = self.request.user
        qs = MatchEvent.objects.select_related("region")
        if is_office(user):
            return qs
        if is_bureau(user):
            return qs.filter(Q(region_id=user.region_id) | Q(region__isnull=True))
        return qs.filter(institutions__in=own_institutions(user)).distinct()


class EventDetailView(PortalPermissionMixin, DetailView):
    model = MatchEvent
    permission_required = "techtransfer.see_event"
    template_name = "techtransfer/event_detail.html"
    context_object_name = "event"

    def get_context_data(self, **kwargs):
        user = self.request.user
        records = visible_matching(user, MatchRecord).filter(event=self.object)
        enterprises = self.object.enterprises.all()
        if is_bureau(user):
            enterprises = enterprises.filter(region_id=user.region_id)
        return {**super().get_context_data(**kwargs), "records": records, "enterprises": enterprises,
                "institutions": self.object.institutions.all(),
                "can_edit": user.has_perm("techtransfer.edit_event", self.object)}


class EventFormMixin(MatchingFormView):
    form_class = MatchEventForm
    extra_context = {"heading": gettext_lazy("Matchmaking event (对接会)")}
    success_message = gettext_lazy("The event is saved.")

    def instance(self):
        return MatchEvent()

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.instance()}

    def save(self, form):
        event = form.save(commit=False)
        version = form.cleaned_data.get("version")
        return matching.save_event(event, by=self.request.user, enterprises=form.cleaned_data["enterprises"],
                                   institutions=form.cleaned_data["institutions"],
                                   expected_version=version if version is not None else event.version)

    def success(self, saved):
        return redirect("techtransfer:event", pk=saved.pk)


class EventCreateView(EventFormMixin):
    permission_required = "techtransfer.create_event"


class EventEditView(EventFormMixin):
    permission_required = "techtransfer.edit_event"

    def get_permission_object(self):
        return self.instance()

    def instance(self):
        if not hasattr(self, "_event"):
            self._event = get_object_or_404(MatchEvent, pk=self.kwargs["pk"])
        return self._event


# --- statistics ----------------------------------------------------------------------------------
class StatisticsMixin(PortalPermissionMixin):
    permission_required = "techtransfer.view_matching_statistics"

    def tables(self):
        form = StatisticsForm(self.request.GET or None)
        year = form.cleaned_data.get("year") if form.is_valid() else None
        user = self.request.user
        region = None if is_office(user) else user.region
        return form, year, region, statistics.statistics(region=region, year=year)


class StatisticsView(StatisticsMixin, TemplateView):
    template_name = "techtransfer/statistics.html"

    def get_context_data(self, **kwargs):
        form, year, region, tables = self.tables()
        names = statistics.dimension_names()
        return {**super().get_context_data(**kwargs), "form": form, "year": year, "region": region,
                "tables": [(names[d], tables[d]) for d in statistics.DIMENSIONS], "headers": statistics.headers()}


class StatisticsExportView(StatisticsMixin, View):
    def get(self, request):
        _form, year, region, tables = self.tables()
        name = f"shuangqian-statistics-{region.code if region else 'jilin'}{f'-{year}' if year else ''}.xlsx"
        return file_response(request, statistics.workbook(tables), filename=name, subject=_("双千 statistics"),
                             category="export")
