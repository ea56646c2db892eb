"""Pages of the contract subsidy (技术合同后补助): the office's rule page with its history and the
run (compute, 公示, objections, grants), the applications (a bureau applies for its enterprises inside the
window), one application with its payments and the office's receipt checks, the computed lines
explained band by band, the receipt download and the public 公示. Views are thin: each names its
permission and calls techtransfer.domain.subsidy_workflow.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from enterprises.models import Enterprise
from funding.forms import RdNoticeForm
from pojian.downloads import file_response
from pojian.mixins import PortalPermissionMixin, run_domain
from reviews.views.objections import TakesObjectionsMixin, decide_posted_objection

from .domain import subsidy
from .domain import subsidy_workflow as wf
from .forms_subsidy import SubsidyRuleForm
from .models import ContractPayment, ContractSubsidyRule, SubsidyApplication


def _year(request):
    """The year asked for (?year=), else the latest rule's, else last year."""
    try:
        year = int(request.GET.get("year") or 0)
    except ValueError:
        year = 0
    if not 2000 <= year <= 2100:
        latest = ContractSubsidyRule.objects.order_by("-year").values_list("year", flat=True).first()
        year = latest or timezone.localdate().year - 1
    return year


def _years(year):
    years = set(ContractSubsidyRule.objects.values_list("year", flat=True)) | {year, timezone.localdate().year - 1}
    return sorted(years, reverse=True)


COMPUTE_KIND = "techtransfer.subsidy_compute"


def _rule_url(year):
    return f"{reverse('techtransfer:subsidy_rule')}?year={year}"


class SubsidyRuleView(PortalPermissionMixin, TemplateView):
    """The office: the year's rule (copied from last year on first visit), its history, and the run."""

    permission_required = "techtransfer.manage_contract_subsidy"
    template_name = "techtransfer/subsidy/rule.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        year = _year(self.request)
        rule = kwargs.get("rule") or wf.rule_for_year(year=year, by=self.request.user)
        ctx.update(year=year, years=_years(year), rule=rule,
                   history=rule.history.select_related("history_user").order_by("-history_id")[:20],
                   notice_form=RdNoticeForm(initial={"starts": timezone.localdate()}),
                   window_open=wf.window_open(rule, timezone.localdate()))
        ctx.setdefault("form", SubsidyRuleForm(instance=rule, initial={"version": rule.version}))
        ctx["objections"] = rule.objections.select_related("application__enterprise", "application__region",
                                                           "decided_by")
        ctx["objections_open"] = rule.state == wf.COMPUTED
        ctx["summary"] = wf.submitted(rule).aggregate(n=Count("pk"), with_amount=Count("pk", filter=Q(granted__gt=0)),
                                                      total=Sum("granted"))
        return ctx

    def post(self, request, *args, **kwargs):
        year = _year(request)
        rule = wf.rule_for_year(year=year, by=request.user)
        action, done = request.POST.get("action", ""), False
        if action == "save":
            form = SubsidyRuleForm(request.POST, instance=ContractSubsidyRule.objects.get(pk=rule.pk))
            if not form.is_valid():
                return self.render_to_response(self.get_context_data(form=form, rule=rule))
            values = {f: form.cleaned_data[f] for f in wf.RULE_FIELDS}
            done = run_domain(request, wf.update_rule, rule=rule, values=values,
                              version=form.cleaned_data["version"], by=request.user)
        elif action == "compute":
            if run_domain(request, wf.check_computable, rule, timezone.localdate()):
                return self._start_compute(request, rule)
        elif action == "notice":
            form = RdNoticeForm(request.POST)
            if form.is_valid():
                done = run_domain(request, wf.publish_notice, rule=rule, by=request.user,
                                  starts=form.cleaned_data["starts"])
            else:
                messages.error(request, _("Enter the first day of the public notice."))
        elif action == "grants":
            done = run_domain(request, wf.propose_grants, rule=rule, by=request.user)
        elif action == "objection":
            done = decide_posted_objection(request, rule.objections.all(), wf.decide_objection)
        else:
            raise Http404
        if done:
            messages.success(request, _("Saved."))
        return HttpResponseRedirect(_rule_url(year))


    def _start_compute(self, request, rule):
        """The computation runs as a job (a few seconds for a thousand applications): its page shows the progress."""
        from pojian.domain.jobs import start_job

        from .tasks import compute_contract_subsidy

        job, _created = start_job(
            kind=COMPUTE_KIND, by=request.user, task=compute_contract_subsidy,
            title=_("Contract subsidy %(year)s: the amounts") % {"year": rule.year}, params={"rule_id": rule.pk},
            origin=(_rule_url(rule.year), _("the contract subsidy")),
            next_step=(reverse("techtransfer:subsidy_computed", args=[rule.year]), _("View the computed lines")))
        return redirect("job", pk=job.pk)


class ApplicationListView(PortalPermissionMixin, TemplateView):
    """The year's applications: all for the office and approvers; a bureau's own, and its enterprises
    that may apply (with the window)."""

    permission_required = "techtransfer.list_subsidy_applications"
    template_name = "techtransfer/subsidy/applications.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user, year = self.request.user, _year(self.request)
        rule = ContractSubsidyRule.objects.filter(year=year).first()
        ctx.update(year=year, years=_years(year), rule=rule, today=timezone.localdate())
        if rule is None:
            return ctx
        ctx["applications"] = (SubsidyApplication.objects.filter(rule=rule).filter(wf.region_filter(user))
                               .select_related("enterprise", "region", "grant")
                               .annotate(n_contracts=Count("contracts")))
        ctx["window_open"] = wf.window_open(rule, ctx["today"])
        if user.has_perm("techtransfer.apply_contract_subsidy", user.region):
            applied = set(ctx["applications"].values_list("enterprise_id", flat=True))
            ctx["applicable"] = [e for e in wf.applicable_enterprises(rule, user.region) if e.pk not in applied]
        return ctx


class ApplyView(PortalPermissionMixin, TemplateView):
    """The bureau applies for one enterprise: it chooses the contracts; the page shows what will count."""

    permission_required = "techtransfer.apply_contract_subsidy"
    template_name = "techtransfer/subsidy/apply.html"

    def get_permission_object(self):
        if not hasattr(self, "_enterprise"):
            self._enterprise = get_object_or_404(Enterprise, pk=self.kwargs["pk"])
        return self._enterprise

    def _rule(self):
        return get_object_or_404(ContractSubsidyRule, year=self.kwargs["year"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        rule, enterprise = self._rule(), self.get_permission_object()
        contracts = list(wf.eligible_contracts(rule, enterprise))
        application = SubsidyApplication.objects.filter(rule=rule, enterprise=enterprise).first()
        chosen = set(application.contracts.values_list("pk", flat=True)) if application else {c.pk for c in contracts}
        lines = [x for x in subsidy.compute(rule, contract_ids=[c.pk for c in contracts])
                 if x.enterprise_id == enterprise.pk]
        counts = {c.pk: (paid, counted, why) for c, paid, counted, why in (lines[0].contracts if lines else [])}
        ctx.update(rule=rule, enterprise=enterprise, application=application, chosen=chosen,
                   rows=[(c, *counts.get(c.pk, (None, False, ""))) for c in contracts],
                   line=lines[0] if lines else None, window_open=wf.window_open(rule, timezone.localdate()))
        return ctx

    def post(self, request, *args, **kwargs):
        rule, enterprise = self._rule(), self.get_permission_object()
        ids = [i for i in request.POST.getlist("contracts") if i.isdigit()]
        if run_domain(request, wf.apply, rule=rule, enterprise=enterprise, contract_ids=ids, by=request.user,
                      note=request.POST.get("note", "")):
            messages.success(request, _("The application is submitted."))
            application = SubsidyApplication.objects.get(rule=rule, enterprise=enterprise)
            return HttpResponseRedirect(reverse("techtransfer:subsidy_application", args=[application.pk]))
        return HttpResponseRedirect(request.path)


class ApplicationView(PortalPermissionMixin, TemplateView):
    """One application: the contracts claimed, each payment with its receipt check (the office checks
    here), what will count, and once computed the stored explanation."""

    permission_required = "techtransfer.see_subsidy_application"
    template_name = "techtransfer/subsidy/application.html"

    def get_permission_object(self):
        if not hasattr(self, "_application"):
            self._application = get_object_or_404(
                SubsidyApplication.objects.select_related("rule", "enterprise", "region", "grant"), pk=self.kwargs["pk"])
        return self._application

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        a, user = self.get_permission_object(), self.request.user
        every, checked = wf.preview(a)
        open_for_changes = a.rule.notice_starts is None and a.rule.state != wf.GRANTED
        # The outcome and its reason, for the bureau too; who objected stays with the office (its rule page).
        ctx["decided_objections"] = a.objections.exclude(outcome="pending").order_by("decided_at")
        ctx.update(application=a, rule=a.rule, payments=wf.claimed_payments(a), every=every, checked=checked,
                   can_check=user.has_perm(wf.MANAGE) and open_for_changes,
                   can_withdraw=user.has_perm("techtransfer.apply_contract_subsidy", a) and open_for_changes
                   and a.state == SubsidyApplication.State.SUBMITTED and wf.window_open(a.rule, timezone.localdate()))
        return ctx

    def post(self, request, *args, **kwargs):
        a = self.get_permission_object()
        action = request.POST.get("action", "")
        if action in ("accept", "reject"):
            if not request.user.has_perm(wf.MANAGE):
                raise PermissionDenied
            payment = get_object_or_404(wf.claimed_payments(a), pk=request.POST.get("payment") or 0)
            done = run_domain(request, wf.check_receipt, payment=payment, accept=action == "accept", by=request.user,
                              reason=request.POST.get("reason", ""))
        elif action == "withdraw":
            if not request.user.has_perm("techtransfer.apply_contract_subsidy", a):
                raise PermissionDenied
            done = run_domain(request, wf.withdraw, application=a, by=request.user)
        else:
            raise Http404
        if done:
            messages.success(request, _("Saved."))
        return HttpResponseRedirect(reverse("techtransfer:subsidy_application", args=[a.pk]))


class ReceiptView(PortalPermissionMixin, View):
    """The office opens a payment's receipt to check it (the download is audited)."""

    permission_required = "techtransfer.manage_contract_subsidy"

    def get(self, request, pk):
        payment = get_object_or_404(ContractPayment.objects.select_related("contract"), pk=pk)
        if not payment.receipt:
            raise Http404
        return file_response(request, payment.receipt, filename=f"{payment.contract.registration_number}-"
                             f"{payment.invoice_number}", subject=str(payment), category="receipt", inline=True,
                             obj=payment)


class ComputedView(PortalPermissionMixin, TemplateView):
    """The computed lines of the year, each explained: contracts counted or not, band by band, cap, scaling."""

    permission_required = "techtransfer.list_subsidy_applications"
    template_name = "techtransfer/subsidy/computed.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        rule = get_object_or_404(ContractSubsidyRule, year=self.kwargs["year"])
        rows = wf.submitted(rule).filter(wf.region_filter(self.request.user))
        ctx.update(rule=rule, rows=rows, total=rows.aggregate(t=Sum("granted"))["t"])
        return ctx


class PublicNoticeView(TakesObjectionsMixin, TemplateView):
    """Public: the 公示 of the year's contract subsidy, printable, from its first day; during the period
    anyone may object online (name, work unit, telephone, reason); only the office sees the objections."""

    template_name = "techtransfer/subsidy/notice.html"

    def dispatch(self, request, *args, **kwargs):
        self.rule = ContractSubsidyRule.objects.filter(year=kwargs["year"], notice_starts__isnull=False,
                                                       notice_starts__lte=timezone.localdate()).first()
        if self.rule is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def rows(self):
        return wf.listed(self.rule)

    def running(self):
        return wf.notice_running(self.rule)

    def submit(self, item, d, *, address):
        wf.submit_objection(rule=self.rule, application=item, objector=d["objector"], unit=d["unit"],
                            phone=d["phone"], content=d["content"], address=address)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        rows = self.rows()
        ctx.update(rule=self.rule, rows=rows, total=rows.aggregate(t=Sum("granted"))["t"])
        return self.objection_context(ctx)
