"""Pages of the funding ledger: the office's ledger and execution report, a grant, a project,
the bureau's region page and the public list of approved grants.

Views are thin: each names its permission (funding/rules.py) and calls funding.domain.*.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, TemplateView

from pojian.mixins import PortalPermissionMixin, run_domain
from pojian.models import Cycle, Region
from pojian.nomination_views import ProtectedFileView

from . import forms
from .domain import grants, ledger, payments, projects
from .models import PUBLIC_STATES, AmountChange, FundingLine, Grant, Payment, Project


def _year_cycle(request):
    years = list(Cycle.objects.order_by("-year").values_list("year", flat=True))
    try:
        year = int(request.GET.get("year") or 0)
    except ValueError:
        year = 0
    cycle = Cycle.objects.filter(year=year).first() if year else (Cycle.objects.current() or Cycle.objects.first())
    return cycle, years


class LedgerView(PortalPermissionMixin, TemplateView):
    """The office's ledger: execution per line and region, and the year's grants (filtered, paged)."""

    permission_required = "funding.view_ledger"
    template_name = "funding/ledger.html"
    page_size = 50

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        cycle, years = _year_cycle(self.request)
        ctx.update(cycle=cycle, years=years, lines=FundingLine.objects.all(), regions=Region.objects.nominating(),
                   states=Grant.State.choices)
        if cycle is None:
            return ctx
        ctx["execution"] = ledger.execution(cycle)
        qs = Grant.objects.filter(cycle=cycle).select_related("line", "region").order_by("line__sort_order", "region__sort_order", "beneficiary_name", "pk")
        g = self.request.GET
        # Filters from the address: ids must be ids and states real states; anything else filters nothing
        # out rather than reaching the database (where it would be a 500).
        for param, field in (("line", "line_id"), ("region", "region_id")):
            value = g.get(param, "")
            if value.isdigit() and len(value) < 10:
                qs = qs.filter(**{field: int(value)})
        if g.get("state") in Grant.State.values:
            qs = qs.filter(state=g["state"])
        page = Paginator(qs, self.page_size).get_page(g.get("page"))
        ctx.update(page=page, grants=page.object_list, filters=g,
                   pending_payments=Payment.objects.filter(grant__cycle=cycle, state=Payment.State.RECORDED).count(),
                   pending_changes=AmountChange.objects.filter(grant__cycle=cycle, state=AmountChange.State.PENDING).count())
        return ctx


class GrantDetailView(PortalPermissionMixin, DetailView):
    permission_required = "funding.view_grant"
    model = Grant
    template_name = "funding/grant_detail.html"
    context_object_name = "grant"

    def get_queryset(self):
        return Grant.objects.select_related("cycle", "line", "region", "approved_by", "proposed_by").prefetch_related(
            Prefetch("payments", queryset=Payment.objects.select_related("recorded_by", "confirmed_by")),
            Prefetch("amount_changes", queryset=AmountChange.objects.select_related("requested_by", "decided_by")))

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        u, g = self.request.user, self.object
        ctx.update(
            project=Project.objects.filter(grant=g).first(),
            can_decide=u.has_perm("funding.decide_grant", g),
            can_pay=u.has_perm("funding.record_payment", g),
            can_confirm=u.has_perm("funding.confirm_payment", g),
            can_change=u.has_perm("funding.request_amount_change", g),
            can_confirm_change=u.has_perm("funding.confirm_amount_change", g),
            can_recover=u.has_perm("funding.recover_grant", g),
            payment_form=forms.PaymentForm(initial={"paid_on": timezone.localdate()}),
            change_form=forms.AmountChangeForm(), recovery_form=forms.RecoveryForm(), approve_form=forms.ApproveForm(),
        )
        return ctx


class GrantActionView(PortalPermissionMixin, View):
    """One POST per transition; the domain function decides whether it may happen."""

    permission_required = "funding.view_grant"

    def get_permission_object(self):
        return get_object_or_404(Grant, pk=self.kwargs["pk"])

    def post(self, request, pk, action):
        grant = self.get_permission_object()
        p, u = request.POST, request.user
        done = False
        if action == "approve":
            done = run_domain(request, grants.approve_grant, grant=grant, by=u, override_reason=p.get("override_reason", ""))
        elif action == "notice":
            done = run_domain(request, grants.start_notice, grant=grant, by=u)
        elif action == "commit":
            done = run_domain(request, grants.commit_grant, grant=grant, by=u)
        elif action == "close":
            done = run_domain(request, grants.close_grant, grant=grant, by=u)
        elif action == "withdraw":
            done = run_domain(request, grants.withdraw_grant, grant=grant, by=u, reason=p.get("reason", ""))
        elif action == "recover":
            form = forms.RecoveryForm(p)
            if form.is_valid():
                done = run_domain(request, grants.recover_grant, grant=grant, by=u, **form.cleaned_data)
            else:
                messages.error(request, _("Check the amount and the reason."))
        elif action == "change":
            form = forms.AmountChangeForm(p)
            if form.is_valid():
                done = run_domain(request, grants.request_amount_change, grant=grant, by=u, **form.cleaned_data)
            else:
                messages.error(request, _("Check the amount and the reason."))
        elif action in ("confirm_change", "reject_change"):
            change = get_object_or_404(AmountChange, pk=p.get("change"), grant=grant)
            fn = grants.confirm_amount_change if action == "confirm_change" else grants.reject_amount_change
            kwargs = {"override_reason": p.get("override_reason", "")} if action == "confirm_change" else {}
            done = run_domain(request, fn, change=change, by=u, **kwargs)
        elif action == "pay":
            form = forms.PaymentForm(p)
            if form.is_valid():
                done = run_domain(request, payments.record_payment, grant=grant, by=u, **form.cleaned_data)
            else:
                messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        elif action in ("confirm_payment", "reject_payment"):
            payment = get_object_or_404(Payment, pk=p.get("payment"), grant=grant)
            if action == "confirm_payment":
                done = run_domain(request, payments.confirm_payment, payment=payment, by=u)
            else:
                done = run_domain(request, payments.reject_payment, payment=payment, by=u, reason=p.get("reason", ""))
        else:
            raise Http404
        if done:
            messages.success(request, _("Saved."))
        return HttpResponseRedirect(reverse("funding:grant", args=[grant.pk]))


class ProjectDetailView(PortalPermissionMixin, DetailView):
    permission_required = "funding.view_project"
    model = Project
    template_name = "funding/project_detail.html"
    context_object_name = "project"

    def get_queryset(self):
        return Project.objects.select_related("grant", "enterprise", "cycle", "region").prefetch_related("acceptance_experts")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        u, p = self.request.user, self.object
        manage = u.has_perm("funding.manage_projects", p)
        file_ = manage or u.has_perm("funding.file_project_report", p)
        ctx.update(
            manage=manage, can_file=file_, tranches=projects.tranche_plan(p),
            overdue=p.overdue(timezone.localdate()),
            project_form=forms.ProjectForm(instance=p) if manage and p.state == Project.State.DRAFTING else None,
            pdf_form=forms.PdfForm(),
            acceptance_form=forms.AcceptanceApplicationForm(project=p) if file_ else None,
            decision_form=forms.AcceptanceDecisionForm() if manage else None,
        )
        from .views_sources import sources_context

        ctx.update(sources_context(u, p))  # 双千工程: the results and contracts it builds on
        return ctx


class ProjectActionView(PortalPermissionMixin, View):
    permission_required = "funding.view_project"

    def get_permission_object(self):
        return get_object_or_404(Project, pk=self.kwargs["pk"])

    def post(self, request, pk, action):
        project = self.get_permission_object()
        u, p, f = request.user, request.POST, request.FILES
        done = False
        if action == "edit":
            form = forms.ProjectForm(p, instance=Project.objects.get(pk=project.pk))
            if form.is_valid():
                data = {k: form.cleaned_data[k] for k in forms.ProjectForm.Meta.fields}
                done = run_domain(request, projects.update_project, project=project, by=u,
                                  indicators=form.cleaned_data["indicators_text"], **data)
            else:
                messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        elif action == "issue":
            done = run_domain(request, projects.issue_agreement, project=project, by=u)
        elif action in ("signed", "midterm"):
            form = forms.PdfForm(p, f)
            if form.is_valid():
                fn = projects.upload_signed_agreement if action == "signed" else projects.file_midterm
                done = run_domain(request, fn, project=project, file=form.cleaned_data["file"], by=u)
            else:
                messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        elif action == "acceptance":
            form = forms.AcceptanceApplicationForm(p, f, project=project)
            if form.is_valid():
                done = run_domain(request, projects.file_acceptance, project=project, file=form.cleaned_data["file"],
                                  reached=form.reached(), by=u)
            else:
                messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        elif action == "decide":
            form = forms.AcceptanceDecisionForm(p)
            if form.is_valid():
                done = run_domain(request, projects.decide_acceptance, project=project, by=u, **form.cleaned_data)
            else:
                messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        else:
            raise Http404
        if done:
            messages.success(request, _("Saved."))
        return HttpResponseRedirect(reverse("funding:project", args=[project.pk]))


class ProjectFileView(ProtectedFileView):
    model = Project
    permission_required = "funding.view_project"

    def dispatch(self, request, *args, **kwargs):
        if kwargs["field"] not in ("agreement", "signed_agreement", "midterm_report", "final_report"):
            raise Http404
        self.file_field = kwargs["field"]
        return super().dispatch(request, *args, **kwargs)


class OpenProjectsView(PortalPermissionMixin, View):
    """The office opens a project for each enterprise of the year's confirmed selection."""

    permission_required = "funding.manage_projects"

    def post(self, request):
        from reviews.models import Round

        cycle, _years = _year_cycle(request)
        round_ = Round.objects.filter(cycle=cycle, kind=Round.Kind.ENTERPRISES).first() if cycle else None
        form = forms.OpenProjectsForm(request.POST)
        if round_ is None:
            messages.error(request, _("This year has no enterprise review round."))
        elif not form.is_valid():
            messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        else:
            made = []
            if run_domain(request, lambda: made.extend(projects.open_projects(round_=round_, by=request.user, **form.cleaned_data))):
                messages.success(request, _("%(n)s projects opened.") % {"n": len(made)})
        return HttpResponseRedirect(reverse("funding:projects") + (f"?year={cycle.year}" if cycle else ""))


class ProjectListView(PortalPermissionMixin, TemplateView):
    """Projects of a year: the office's all, a bureau's its region's; overdue filings flagged."""

    permission_required = "funding.view_projects"
    template_name = "funding/project_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        cycle, years = _year_cycle(self.request)
        u = self.request.user
        qs = Project.objects.filter(cycle=cycle).select_related("grant", "enterprise", "region")
        if not u.has_perm("funding.view_ledger"):
            qs = qs.filter(region_id=u.region_id)
        today = timezone.localdate()
        ctx.update(cycle=cycle, years=years, rows=[(p, p.overdue(today)) for p in qs],
                   manage=u.has_perm("funding.manage_projects"), open_form=forms.OpenProjectsForm())
        return ctx


class RegionView(PortalPermissionMixin, TemplateView):
    """A bureau's view of its region: grants, projects and payments."""

    permission_required = "funding.list_region"
    template_name = "funding/region.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        cycle, years = _year_cycle(self.request)
        region_id = self.request.user.region_id
        ctx.update(
            cycle=cycle, years=years,
            grants=Grant.objects.filter(cycle=cycle, region_id=region_id).select_related("line"),
            projects=Project.objects.filter(cycle=cycle, region_id=region_id).select_related("enterprise"),
            payments=Payment.objects.filter(grant__cycle=cycle, grant__region_id=region_id, state=Payment.State.CONFIRMED)
            .select_related("grant", "grant__line"),
        )
        return ctx


class PublicGrantListView(TemplateView):
    """Anyone: each year's approved grants (beneficiary, line, amount) once confirmed."""

    template_name = "funding/public_grants.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        year = self.kwargs.get("year")
        years = list(Grant.objects.filter(state__in=PUBLIC_STATES).values_list("cycle__year", flat=True)
                     .distinct().order_by("-cycle__year"))
        if year is None:
            year = years[0] if years else None
        elif year not in years:
            raise Http404
        rows = (Grant.objects.filter(cycle__year=year, state__in=PUBLIC_STATES).select_related("line", "region")
                .order_by("line__sort_order", "region__sort_order", "beneficiary_name")) if year else []
        ctx.update(year=year, years=years, rows=rows)
        return ctx
