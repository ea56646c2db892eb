"""Pages of the R&D post-subsidy (研发投入后补助): the office's rule and run, the candidates, one
candidate's explanation with the bureau's verification and the office's decision, the 失信 list
import, and the public 公示 list. Views are thin: each names its permission and calls
funding.domain.rd_subsidy.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from pojian.mixins import PortalPermissionMixin, run_domain
from pojian.models import Cycle
from reviews.views.objections import TakesObjectionsMixin, decide_posted_objection

from . import forms
from .domain import rd_subsidy
from .rd_models import RdCandidate, RdExclusion, RdSubsidyRule
from .views import _year_cycle

COMPUTE_KIND = "funding.rd_compute"


def _rule_url(cycle):
    return f"{reverse('funding:rd_rule')}?year={cycle.year}"


class RdRuleView(PortalPermissionMixin, TemplateView):
    """The office: the year's rule (copied from last year on first visit), the run and its summary."""

    permission_required = "funding.manage_rd_subsidy"
    template_name = "funding/rd_rule.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        cycle, years = _year_cycle(self.request)
        ctx.update(cycle=cycle, years=years)
        if cycle is None:
            return ctx
        rule = kwargs.get("rule") or rd_subsidy.rule_for_year(cycle=cycle, by=self.request.user)
        ctx["rule"] = rule
        ctx.setdefault("form", forms.RdRuleForm(instance=rule, initial={"version": rule.version}))
        ctx["notice_form"] = forms.RdNoticeForm(initial={"starts": timezone.localdate()})
        ctx["import_form"] = forms.RdExclusionImportForm()
        qs = RdCandidate.objects.filter(rule=rule)
        ctx["summary"] = qs.aggregate(
            n_candidates=Count("pk"), n_qualified=Count("pk", filter=Q(qualified=True)),
            n_confirmed=Count("pk", filter=Q(qualified=True, verification="confirmed")),
            n_disputed=Count("pk", filter=Q(qualified=True, verification="disputed")),
            n_open_disputes=Count("pk", filter=Q(verification="disputed", decision="")),
            total_computed=Sum("computed", filter=Q(qualified=True)),
        )
        ctx["exclusions"] = RdExclusion.objects.filter(cycle=cycle).count()
        ctx["objections"] = list(rule.objections.select_related("candidate__enterprise", "candidate__region",
                                                                "decided_by"))
        ctx["objections_open"] = rule.state == RdSubsidyRule.State.DECIDED
        if rule.computed_at is not None:
            from enterprises.models import Industry

            ctx["report"] = rd_subsidy.report(rule)
            labels = dict(Industry.choices)
            for row in ctx["report"]["industry"]:
                row["label"] = labels.get(row["label"], row["label"])
        from pojian.models import Job

        ctx["jobs"] = Job.objects.filter(kind=COMPUTE_KIND, params__rule_id=rule.pk).order_by("-pk")[:3]
        return ctx

    def post(self, request, *args, **kwargs):
        cycle, _years = _year_cycle(request)
        if cycle is None:
            raise Http404
        rule = rd_subsidy.rule_for_year(cycle=cycle, by=request.user)
        action, p = request.POST.get("action", ""), request.POST
        done = False
        if action == "save":
            form = forms.RdRuleForm(p, instance=RdSubsidyRule.objects.get(pk=rule.pk))
            if not form.is_valid():
                return self.render_to_response(self.get_context_data(form=form, rule=rule))
            values = {f: form.cleaned_data[f] for f in rd_subsidy.RULE_FIELDS}
            done = run_domain(request, rd_subsidy.update_rule, rule=rule, values=values,
                              version=form.cleaned_data["version"], by=request.user)
        elif action == "compute":
            from pojian.domain.jobs import start_job

            from .tasks import compute_rd_candidates

            job, _created = start_job(
                kind=COMPUTE_KIND, by=request.user, task=compute_rd_candidates,
                title=_("R&D post-subsidy candidates %(year)s") % {"year": cycle.year},
                params={"rule_id": rule.pk}, origin=(_rule_url(cycle), _("the R&D post-subsidy")),
                next_step=(f"{reverse('funding:rd_candidates')}?year={cycle.year}", _("View the candidates")),
            )
            return redirect("job", pk=job.pk)
        elif action == "open":
            done = run_domain(request, rd_subsidy.open_verification, rule=rule, by=request.user)
        elif action == "close":
            done = run_domain(request, rd_subsidy.close_verification, rule=rule, by=request.user)
        elif action == "notice":
            form = forms.RdNoticeForm(p)
            if form.is_valid():
                done = run_domain(request, rd_subsidy.publish_notice, rule=rule, by=request.user,
                                  starts=form.cleaned_data["starts"])
            else:
                messages.error(request, _("Enter the first day of the public notice."))
        elif action == "grants":
            done = run_domain(request, rd_subsidy.propose_grants, rule=rule, by=request.user)
        elif action == "exclusions":
            done = self._import(request, cycle)
        elif action == "objection":
            done = decide_posted_objection(request, rule.objections.all(), rd_subsidy.decide_objection)
        else:
            raise Http404
        if done:
            messages.success(request, _("Saved."))
        return HttpResponseRedirect(_rule_url(cycle))

    def _import(self, request, cycle):
        from pojian.domain.errors import ValidationError
        from pojian.domain.jobs import JobFailed
        from pojian.domain.xlsx import read_rows

        form = forms.RdExclusionImportForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, _("Choose the Excel file of the exclusion list."))
            return False
        try:
            rows = [(r.get("统一社会信用代码"), r.get("企业名称"), r.get("原因"))
                    for _n, r in read_rows(form.cleaned_data["file"])]
        except JobFailed as e:
            messages.error(request, e.message)
            return False
        except Exception:  # noqa: BLE001 - any unreadable upload is the user's file, not a 500
            messages.error(request, _("The file could not be read as an Excel workbook (.xlsx)."))
            return False
        try:
            n = rd_subsidy.import_exclusions(cycle=cycle, rows=rows, by=request.user)
        except ValidationError as e:
            for message in e.messages:
                messages.error(request, message)
            return False
        messages.info(request, _("%(n)s enterprises are on the exclusion list.") % {"n": n})
        return True


def _visible_candidates(user, rule):
    qs = RdCandidate.objects.filter(rule=rule).select_related("enterprise", "region")
    if user.has_perm("funding.manage_rd_subsidy") or user.has_perm("funding.view_ledger"):
        return qs
    return qs.filter(region_id=user.region_id)


class RdCandidateListView(PortalPermissionMixin, TemplateView):
    """The year's candidates: the office and approvers see all; a bureau sees its region's."""

    permission_required = "funding.view_rd_candidates"
    template_name = "funding/rd_candidates.html"
    page_size = 50

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        cycle, years = _year_cycle(self.request)
        rule = RdSubsidyRule.objects.filter(cycle=cycle).first() if cycle else None
        ctx.update(cycle=cycle, years=years, rule=rule, verifications=RdCandidate.Verification.choices)
        if rule is None:
            return ctx
        g = self.request.GET
        qs = _visible_candidates(self.request.user, rule)
        if g.get("all") != "1":
            qs = qs.filter(qualified=True)
        if g.get("verification") in RdCandidate.Verification.values:
            qs = qs.filter(verification=g["verification"])
        page = Paginator(qs.order_by("region__sort_order", "enterprise__name", "pk"), self.page_size).get_page(g.get("page"))
        ctx.update(page=page, candidates=page.object_list, filters=g)
        return ctx


class RdCandidateView(PortalPermissionMixin, TemplateView):
    """One candidate: the computation line by line; the bureau's verification; the office's decision."""

    permission_required = "funding.view_rd_candidate"
    template_name = "funding/rd_candidate.html"

    def get_permission_object(self):
        return get_object_or_404(RdCandidate.objects.select_related("rule__cycle", "enterprise", "region"),
                                 pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        c = self.get_permission_object()
        rule = c.rule
        snapshot = rule.computed_rule or rule.snapshot()
        u = self.request.user
        ctx.update(
            candidate=c, rule=rule, snapshot=snapshot, conditions=rd_subsidy.conditions(snapshot, c),
            steps=c.explanation,
            can_verify=u.has_perm("funding.verify_rd_candidate", c) and rule.state == RdSubsidyRule.State.VERIFICATION
            and c.qualified,
            can_decide=u.has_perm("funding.manage_rd_subsidy") and rule.state in (
                RdSubsidyRule.State.VERIFICATION, RdSubsidyRule.State.DECIDED) and c.qualified,
        )
        return ctx

    def post(self, request, *args, **kwargs):
        c = self.get_permission_object()
        p, u = request.POST, request.user
        action = p.get("action", "")
        version = p.get("version") if (p.get("version") or "").isdigit() else None
        if action in ("confirm", "dispute"):
            done = run_domain(request, rd_subsidy.verify_candidate, candidate=c, confirm=action == "confirm",
                              reason=p.get("reason", ""), by=u, version=version)
        elif action in ("keep", "exclude"):
            done = run_domain(request, rd_subsidy.decide_candidate, candidate=c, keep=action == "keep",
                              reason=p.get("reason", ""), by=u, version=version)
        elif action == "adjust":
            done = run_domain(request, rd_subsidy.adjust_amount, candidate=c, amount=p.get("amount", ""),
                              reason=p.get("reason", ""), by=u, version=version)
        else:
            raise Http404
        if done:
            messages.success(request, _("Saved."))
        return HttpResponseRedirect(reverse("funding:rd_candidate", args=[c.pk]))


class RdNoticeView(TakesObjectionsMixin, TemplateView):
    """Public: the 公示 of the year's R&D post-subsidy list from its first day; during the period anyone
    may object online (name, work unit, telephone, reason); only the office sees the objections."""

    template_name = "funding/rd_notice.html"

    def dispatch(self, request, *args, **kwargs):
        self.cycle = get_object_or_404(Cycle, year=kwargs["year"])
        self.rule = RdSubsidyRule.objects.filter(cycle=self.cycle, notice_starts__isnull=False,
                                                 notice_starts__lte=timezone.localdate()).first()
        if self.rule is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def rows(self):
        return rd_subsidy.listed(self.rule).order_by("region__sort_order", "enterprise__name", "pk")

    def running(self):
        return rd_subsidy.notice_running(self.rule)

    def submit(self, item, d, *, address):
        rd_subsidy.submit_objection(rule=self.rule, candidate=item, objector=d["objector"], unit=d["unit"],
                                    phone=d["phone"], content=d["content"], address=address)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(cycle=self.cycle, rule=self.rule, rows=self.rows())
        return self.objection_context(ctx)


class RdNoticePdfView(RdNoticeView):
    """The printable 公示 (PDF): official header, the list with amounts, the period, how to object."""

    http_method_names = ["get", "head"]

    def render_to_response(self, context, **kwargs):
        from django.http import HttpResponse

        from pojian.domain.pdf import render_pdf

        response = HttpResponse(render_pdf("funding/pdf_rd_notice.html", context), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="rd-notice-{self.cycle.year}.pdf"'
        return response
