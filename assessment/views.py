"""Pages of the assessment: the bureau's summary, the office's table, a region's figures, the public result.

Views are thin: they check the permission (assessment/rules.py), call the domain and render.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.generic import DetailView, TemplateView, View

from pojian.domain import workflow
from pojian.domain.errors import PermissionDenied, StaleEdit, ValidationError
from pojian.mixins import PortalPermissionMixin, message_for, run_domain
from pojian.models import Cycle, Job, NominationState, Region
from pojian.nomination_views import ProtectedFileView

from .domain import compute, exports, results, summaries
from .domain.scoring import TIE_RULE
from .forms import CommendForm, OfficeValuesForm, PolicyFormSet, PublishForm, ReasonForm, SummaryForm
from .models import BureauSummary, Indicator, IndicatorResult, LocalPolicy, OfficeEntry, RegionResult

SUMMARY_ACTIONS = ("submit", "return", "accept")


def current_cycle():
    return Cycle.objects.current()


# --- the bureau's summary -----------------------------------------------------------------------


class MySummaryView(PortalPermissionMixin, TemplateView):
    """A bureau's summary for the current year: open it, or start it."""

    permission_required = "assessment.view_my_assessment"
    template_name = "assessment/summary_start.html"

    def get(self, request, *args, **kwargs):
        cycle = current_cycle()
        summary = BureauSummary.objects.filter(cycle=cycle, region=request.user.region).first() if cycle else None
        if summary is not None:
            return redirect(summary.get_absolute_url())
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["cycle"] = current_cycle()
        ctx["can_start"] = ctx["cycle"] is not None and not ctx["cycle"].is_closed
        ctx["earlier"] = BureauSummary.objects.filter(region=self.request.user.region).select_related("cycle")
        return ctx

    def post(self, request, *args, **kwargs):
        cycle = current_cycle()
        if cycle is None:
            raise Http404(_("No programme year is open."))
        try:
            summary = summaries.start_summary(cycle=cycle, region=request.user.region, by=request.user)
        except (PermissionDenied, ValidationError) as e:
            messages.error(request, message_for(e))
            return redirect("assessment:my_summary")
        return redirect("assessment:summary_edit", pk=summary.pk)


class SummaryListView(PortalPermissionMixin, TemplateView):
    """The office: every region's summary for a year (and who has none); a bureau: its own, every year."""

    permission_required = "assessment.list_summaries"
    template_name = "assessment/summary_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        qs = BureauSummary.objects.with_was_returned().select_related("cycle", "region").annotate(
            policy_count=Count("policies")
        )
        if user.has_perm("assessment.manage_assessment"):
            cycles = list(Cycle.objects.all())
            year = self.request.GET.get("year")
            cycle = next((c for c in cycles if str(c.year) == year), None) or current_cycle() or (cycles[0] if cycles else None)
            state = self.request.GET.get("state", "")
            qs = qs.filter(cycle=cycle)
            if state in NominationState.values:
                qs = qs.filter(state=state)
            ctx.update(
                cycles=cycles, cycle=cycle, state=state, states=NominationState.choices, office=True,
                missing=Region.objects.nominating().filter(active=True).exclude(
                    pk__in=BureauSummary.objects.filter(cycle=cycle).values("region_id")
                ) if cycle else [],
            )
        else:
            qs = qs.filter(region=user.region)
        ctx["summaries"] = qs.order_by("-cycle__year", "region__sort_order")
        return ctx


class SummaryDetailView(PortalPermissionMixin, DetailView):
    model = BureauSummary
    permission_required = "assessment.view_summary"
    template_name = "assessment/summary_detail.html"
    context_object_name = "summary"

    def get_queryset(self):
        return BureauSummary.objects.with_was_returned().select_related("cycle", "region", "created_by")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        summary = self.object
        user = self.request.user
        ctx["policies"] = summary.policies.all()
        ctx["timeline"] = summaries.timeline(summary)
        ctx["actions"] = [t for t in workflow.available_actions(summary, user) if t.action in SUMMARY_ACTIONS]
        ctx["can_edit"] = user.has_perm("assessment.change_summary", summary)
        ctx["missing"] = summaries.missing_for_submission(summary) if summary.state in ("draft", "returned") else []
        return ctx


class SummaryEditView(PortalPermissionMixin, DetailView):
    """The bureau edits its summary and its policy list; a stale form is refused, never overwrites."""

    model = BureauSummary
    permission_required = "assessment.change_summary"
    template_name = "assessment/summary_form.html"
    context_object_name = "summary"

    def get_queryset(self):
        return BureauSummary.objects.select_related("cycle", "region")

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render(SummaryForm(instance=self.object), PolicyFormSet(instance=self.object))

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = SummaryForm(request.POST, request.FILES, instance=self.object)
        formset = PolicyFormSet(request.POST, request.FILES, instance=self.object)
        if form.is_valid() and formset.is_valid():
            try:
                summaries.save_summary(
                    form.instance, by=request.user, expected_version=form.cleaned_data["version"], policies=formset
                )
            except StaleEdit as e:
                messages.error(request, message_for(e))
                return self.render(form, formset, status=409)
            except ValidationError as e:
                formset._non_form_errors = formset.error_class(e.messages, error_class="nonform")
                return self.render(form, formset, status=400)
            messages.success(request, _("The summary was saved."))
            if "submit" in request.POST:
                if run_domain(request, summaries.take_action, self.object, "submit", by=request.user):
                    messages.success(request, _("The summary was submitted to the provincial office."))
            return redirect(self.object.get_absolute_url())
        return self.render(form, formset, status=400)

    def render(self, form, formset, status=200):
        ctx = self.get_context_data(object=self.object, form=form, formset=formset)
        return self.render_to_response(ctx, status=status)


class SummaryActionView(PortalPermissionMixin, DetailView):
    """POST action=submit|return|accept [reason] [version]."""

    model = BureauSummary
    permission_required = "assessment.view_summary"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        summary = self.get_object()
        action = request.POST.get("action", "")
        version = request.POST.get("version", "")
        if action not in SUMMARY_ACTIONS:
            messages.error(request, _("Unknown action."))
        elif version.isdigit() and int(version) != summary.version:
            messages.error(request, _("Someone else changed this summary meanwhile; please look at it again."))
        elif run_domain(request, summaries.take_action, summary, action, by=request.user,
                        reason=request.POST.get("reason", "")):
            messages.success(request, _("%(summary)s: %(action)s — done.") % {
                "summary": summary, "action": workflow.TRANSITIONS[action].label})
        return redirect(summary.get_absolute_url())


class SummaryReportView(ProtectedFileView):
    model = BureauSummary
    permission_required = "assessment.view_summary"
    file_field = "report"


class PolicyFileView(ProtectedFileView):
    model = LocalPolicy
    permission_required = "assessment.view_policy"
    file_field = "file"


# --- the office's assessment ------------------------------------------------------------------------


class YearMixin:
    def get_cycle(self):
        if not hasattr(self, "_cycle"):
            self._cycle = get_object_or_404(Cycle, year=self.kwargs["year"])
        return self._cycle


class AssessmentIndexView(PortalPermissionMixin, View):
    permission_required = "assessment.manage_assessment"

    def get(self, request, *args, **kwargs):
        cycle = current_cycle() or Cycle.objects.first()
        if cycle is None:
            raise Http404(_("No programme year exists yet."))
        return redirect("assessment:table", year=cycle.year)


class AssessmentTableView(PortalPermissionMixin, YearMixin, TemplateView):
    permission_required = "assessment.manage_assessment"
    template_name = "assessment/table.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        cycle = self.get_cycle()
        assessment = results.assessment_for(cycle)
        ctx.update(cycle=cycle, assessment=assessment, cycles=Cycle.objects.all(), tie_rule=TIE_RULE)
        ctx["indicators"] = Indicator.objects.filter(cycle=cycle).order_by("order", "pk")
        ctx["weight_sum"] = sum(i.weight for i in ctx["indicators"])
        ctx["job"] = Job.objects.filter(dedupe_key=compute.dedupe_key(cycle)).order_by("-created_at").first()
        if assessment is not None and assessment.computed_at:
            ctx["table"] = results.table(assessment)
            ctx["stale"] = compute.is_stale(assessment)
        ctx["publish_form"] = PublishForm()
        ctx["unpublish_form"] = ReasonForm()
        return ctx


class ComputeView(PortalPermissionMixin, YearMixin, View):
    permission_required = "assessment.manage_assessment"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        cycle = self.get_cycle()
        try:
            job, created = compute.request_computation(cycle=cycle, by=request.user)
        except (PermissionDenied, ValidationError) as e:
            return _refused(request, e, reverse("assessment:table", args=[cycle.year]))
        if not created:
            messages.info(request, _("A computation of this year is already running; here it is."))
        return redirect("job", pk=job.pk)


class ExportView(PortalPermissionMixin, YearMixin, View):
    permission_required = "assessment.manage_assessment"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        cycle = self.get_cycle()
        try:
            job, _created = exports.request_export(cycle=cycle, by=request.user, kind=kwargs["kind"], language=get_language())
        except (PermissionDenied, ValidationError) as e:
            return _refused(request, e, reverse("assessment:table", args=[cycle.year]))
        return redirect("job", pk=job.pk)


class PublishView(PortalPermissionMixin, YearMixin, View):
    permission_required = "assessment.manage_assessment"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        cycle = self.get_cycle()
        assessment = results.assessment_for(cycle)
        if assessment is None:
            raise Http404
        if kwargs.get("undo"):
            form = ReasonForm(request.POST)
            reason = form.data.get("reason", "")
            if run_domain(request, results.unpublish, assessment, by=request.user, reason=reason):
                messages.success(request, _("The publication was withdrawn."))
        else:
            if run_domain(request, results.publish, assessment, by=request.user, note=request.POST.get("note", "")):
                messages.success(request, _("The %(year)s assessment is published.") % {"year": cycle.year})
        return redirect("assessment:table", year=cycle.year)


class CommendView(PortalPermissionMixin, YearMixin, TemplateView):
    permission_required = "assessment.manage_assessment"
    template_name = "assessment/commend.html"

    def get_result(self):
        cycle = self.get_cycle()
        return get_object_or_404(
            RegionResult.objects.select_related("region", "assessment__cycle"),
            assessment__cycle=cycle, region__code=self.kwargs["code"],
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        result = self.get_result()
        ctx.update(result=result, cycle=self.get_cycle(), form=kwargs.get("form") or CommendForm(
            initial={"reason": result.commendation_reason, "version": result.version}))
        return ctx

    def post(self, request, *args, **kwargs):
        result = self.get_result()
        if "withdraw" in request.POST:
            ok = run_domain(request, results.withdraw_commendation, result, by=request.user,
                            expected_version=request.POST.get("version") or None)
            if ok:
                messages.success(request, _("%(region)s is no longer commended.") % {"region": result.region.name})
            return redirect("assessment:table", year=self.get_cycle().year)
        form = CommendForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        if run_domain(request, results.commend, result, by=request.user, reason=form.cleaned_data["reason"],
                      expected_version=form.cleaned_data["version"]):
            messages.success(request, _("%(region)s is commended.") % {"region": result.region.name})
            return redirect("assessment:table", year=self.get_cycle().year)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class OfficeValuesView(PortalPermissionMixin, YearMixin, TemplateView):
    """The office types the values of a typed indicator, one per region."""

    permission_required = "assessment.manage_assessment"
    template_name = "assessment/office_values.html"

    def get_indicator(self):
        return get_object_or_404(
            Indicator.objects.select_related("cycle"), pk=self.kwargs["pk"], cycle=self.get_cycle(),
            source=Indicator.Source.OFFICE,
        )

    def make_form(self, data=None):
        indicator = self.get_indicator()
        entries = {e.region_id: e for e in OfficeEntry.objects.filter(indicator=indicator)}
        return OfficeValuesForm(data, regions=compute.assessment_regions(), entries=entries)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(indicator=self.get_indicator(), cycle=self.get_cycle(), form=kwargs.get("form") or self.make_form())
        return ctx

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        if form.is_valid() and run_domain(request, results.enter_office_values, self.get_indicator(),
                                          by=request.user, values=form.values()):
            messages.success(request, _("The values were saved; the assessment will be recomputed."))
            return redirect("assessment:table", year=self.get_cycle().year)
        return self.render_to_response(self.get_context_data(form=form), status=400)


# --- a region's figures (the bureau's own, or any for the office) ----------------------------------


class RegionMixin(YearMixin):
    def get_region(self):
        if not hasattr(self, "_region"):
            self._region = get_object_or_404(Region, code=self.kwargs["code"])
        return self._region

    def get_permission_object(self):
        return self.get_region()


class MyAssessmentView(PortalPermissionMixin, View):
    permission_required = "assessment.view_my_assessment"

    def get(self, request, *args, **kwargs):
        cycle = current_cycle() or Cycle.objects.first()
        if cycle is None:
            raise Http404(_("No programme year exists yet."))
        return redirect("assessment:region", year=cycle.year, code=request.user.region.code)


class RegionView(RegionMixin, PortalPermissionMixin, TemplateView):
    """One region's indicators: value, score, weighted part, how each was obtained, and last year's."""

    permission_required = "assessment.view_region_result"
    template_name = "assessment/region.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        cycle, region = self.get_cycle(), self.get_region()
        report = results.region_report(cycle, region)
        assessment = report["assessment"]
        ctx.update(report, cycle=cycle, region=region, cycles=Cycle.objects.all())
        ctx["show_rank"] = bool(
            self.request.user.has_perm("assessment.manage_assessment") or (assessment and assessment.is_published)
        )
        ctx["summary"] = BureauSummary.objects.filter(cycle=cycle, region=region).first()
        ctx["tie_rule"] = TIE_RULE
        return ctx


class IndicatorItemsView(RegionMixin, PortalPermissionMixin, TemplateView):
    """What was counted for one indicator of one region (the underlying list)."""

    permission_required = "assessment.view_region_result"
    template_name = "assessment/items.html"
    paginate_by = 100

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        cycle, region = self.get_cycle(), self.get_region()
        result = get_object_or_404(
            IndicatorResult.objects.select_related("indicator", "assessment"),
            assessment__cycle=cycle, region=region, indicator_id=self.kwargs["pk"],
        )
        page = Paginator(result.items or [], self.paginate_by).get_page(self.request.GET.get("page"))
        ctx.update(cycle=cycle, region=region, result=result, indicator=result.indicator, page=page)
        return ctx


class RegionPdfView(RegionMixin, PortalPermissionMixin, View):
    """A region's page of the assessment as a PDF (a bureau its own; the office any)."""

    permission_required = "assessment.view_region_result"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        cycle, region = self.get_cycle(), self.get_region()
        try:
            job, _created = exports.request_export(cycle=cycle, by=request.user, kind="pdf", region=region,
                                                   language=get_language())
        except (PermissionDenied, ValidationError) as e:
            return _refused(request, e, reverse("assessment:region", args=[cycle.year, region.code]))
        return redirect("job", pk=job.pk)


# --- public -----------------------------------------------------------------------------------------------


class PublicIndexView(TemplateView):
    """Anyone: the years whose assessment has been published."""

    template_name = "assessment/public_index.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["published"] = results.published_years()
        return ctx


class PublicResultView(TemplateView):
    """Anyone: the published ranking and the commended bureaus of a year; nothing before publication."""

    template_name = "assessment/public_result.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        cycle = get_object_or_404(Cycle, year=self.kwargs["year"])
        data = results.published(cycle)
        if data is None:
            raise Http404(_("This assessment has not been published."))
        ctx.update(data, cycle=cycle, tie_rule=TIE_RULE)
        ctx["commended"] = [r for r in data["results"] if r.commended]
        return ctx


def _refused(request, error, url):
    messages.error(request, message_for(error))
    return HttpResponseRedirect(url)
