"""The provincial office's review pages: rounds and their phases, assignment (proposed by a background
job, adjusted, confirmed), conflicts, scoring progress, results with ranking and selection, the 公示
with objections, and the exports. Thin: each POST calls one domain function, whose refusal is
shown as a message (pojian.mixins.run_domain); permissions are reviews/rules.py's."""

from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView, TemplateView, View

from pojian.domain.calendar import CalendarMissing
from pojian.domain.errors import PermissionDenied, ValidationError
from pojian.mixins import PortalPermissionMixin, message_for, run_domain
from pojian.models import Cycle, Job

from ..domain import assignment as assigning
from ..domain import conflicts, notices, queries, ranking, rounds, scoring
from ..domain import jobs as review_jobs
from ..forms import (
    ConflictDecisionForm,
    CreateRoundForm,
    ExpertChoiceForm,
    NoticeCorrectionForm,
    ObjectionDecisionForm,
    ObjectionForm,
    OpenScoringForm,
    OverrideForm,
    PublishNoticeForm,
    ReasonForm,
    RecordConflictForm,
    SelectForm,
)
from ..models import Assignment, Conflict, Expert, Objection, PublicNotice, Review, ReviewItem, Round

ITEMS_PER_PAGE = 50
RESULTS_PER_PAGE = 200


def _percent(ratio):
    return None if ratio is None else (ratio * 100).quantize(Decimal("0.01"))


def _back(request, default):
    """Back to the page the form was on (a local URL only), else `default`."""
    url = request.POST.get("next", "")
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()):
        return HttpResponseRedirect(url)
    return HttpResponseRedirect(default)


def _form_errors(request, form):
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for e in errors:
            messages.error(request, f"{label}: {e}" if label else e)


def round_in_open_year(request, form, create, *, created, invalid):
    """Create a round in the open programme year from a form: `create(cycle, cleaned data)` makes it and the
    `created` message (with %(round)s) says so; the new round's page, or None with the refusal shown (no
    open year, the domain's refusal, or `invalid()` for the form's errors)."""
    cycle = Cycle.objects.current()
    if cycle is None:
        messages.error(request, _("No programme year is open."))
    elif form.is_valid():
        try:
            round_ = create(cycle, form.cleaned_data)
        except (ValidationError, PermissionDenied) as e:
            messages.error(request, message_for(e))
        else:
            messages.success(request, created % {"round": round_})
            return HttpResponseRedirect(reverse("reviews:office_round", args=[round_.pk]))
    else:
        invalid()
    return None


class RoundMixin(PortalPermissionMixin):
    """A page about one round (URL kwarg pk); the permission is checked on the round."""

    round_kind = None  # a page for one kind of round only: another kind's is not found

    def get_round(self):
        if not hasattr(self, "_round"):
            rounds = Round.objects.select_related("cycle")
            if self.round_kind is not None:
                rounds = rounds.filter(kind=self.round_kind)
            self._round = get_object_or_404(rounds, pk=self.kwargs["pk"])
        return self._round

    def get_permission_object(self):
        return self.get_round()

    def round_url(self, name="office_round"):
        return reverse(f"reviews:{name}", args=[self.get_round().pk])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["round"] = self.get_round()
        return ctx


# --- rounds ------------------------------------------------------------------------------------


class RoundListView(PortalPermissionMixin, ListView):
    """Every review round with its phase and dates; a new round for the current year."""

    permission_required = "reviews.manage_rounds"
    template_name = "reviews/office_rounds.html"
    context_object_name = "rounds"

    def get_queryset(self):
        return Round.objects.select_related("cycle", "notice").annotate(item_count=Count("items"))

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["cycle"] = Cycle.objects.current()
        ctx["form"] = kwargs.get("form") or CreateRoundForm()
        ctx["pending_conflicts"] = queries.pending_conflicts().count()
        return ctx

    def post(self, request, *args, **kwargs):
        form = CreateRoundForm(request.POST)

        def create(cycle, data):
            return rounds.create_round(
                cycle=cycle, kind=data["kind"], title=data["title"], by=request.user,
                experts_per_item=data["experts_per_item"], max_load=data["max_load"],
                aggregation=data["aggregation"], notice_days=data["notice_days"],
            )

        created = round_in_open_year(request, form, create, created=_("Round created: %(round)s"),
                                     invalid=lambda: _form_errors(request, form))
        return created or HttpResponseRedirect(reverse("reviews:office_rounds"))


class RoundDetailView(RoundMixin, TemplateView):
    """One round: phase and dates, counts, and the phase changes."""

    permission_required = "reviews.manage_rounds"
    template_name = "reviews/office_round.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        round_ = self.get_round()
        ctx.update(
            progress=queries.round_progress(round_),
            notice=PublicNotice.objects.filter(round=round_).first(),
            sheet=getattr(round_, "sheet", None),
            criteria=scoring.criteria_for(round_),
            open_form=OpenScoringForm(initial={"closes": round_.scoring_closes}),
            reopen_form=ReasonForm(),
            pending_conflicts=queries.pending_conflicts().count(),
        )
        if round_.phase == Round.Phase.SCORING:
            ctx["checklist"] = rounds.close_checklist(round_)
        if round_.phase != Round.Phase.CLOSED:
            ctx["short_items"] = assigning.short_items(round_, states=(Assignment.State.CONFIRMED,)) \
                if round_.phase == Round.Phase.SCORING else []
        return ctx

    def post(self, request, *args, **kwargs):
        round_ = self.get_round()
        action = request.POST.get("action")
        if action == "populate":
            try:
                created, updated = rounds.populate_round(round_=round_, by=request.user)
            except (ValidationError, PermissionDenied) as e:
                messages.error(request, message_for(e))
            else:
                messages.success(request, _("%(created)s nominations added, %(updated)s updated.") % {
                    "created": created, "updated": updated})
        elif action == "open_scoring":
            form = OpenScoringForm(request.POST)
            if form.is_valid() and run_domain(request, rounds.open_scoring, round_=round_, by=request.user,
                                              closes=form.cleaned_data["closes"]):
                messages.success(request, _("Scoring is open."))
            elif not form.is_valid():
                _form_errors(request, form)
        elif action == "close":
            if run_domain(request, rounds.close_round, round_=round_, by=request.user,
                          confirm_open=bool(request.POST.get("confirm_open")), reason=request.POST.get("reason", "")):
                messages.success(request, _("The round is closed; experts can no longer score."))
        elif action == "reopen":
            if run_domain(request, rounds.reopen_scoring, round_=round_, by=request.user,
                          reason=request.POST.get("reason", "")):
                messages.success(request, _("Scoring is open again."))
        else:
            messages.error(request, _("Unknown action."))
        return HttpResponseRedirect(self.round_url())


# --- assignment --------------------------------------------------------------------------------


def _live_assignments():
    return Prefetch(
        "assignments",
        queryset=Assignment.objects.exclude(state=Assignment.State.WITHDRAWN).select_related("expert").order_by("expert__name"),
        to_attr="live_assignments",
    )


class AssignmentOverviewView(RoundMixin, TemplateView):
    """The (proposed or confirmed) assignment per nomination and per expert load; propose, confirm."""

    permission_required = "reviews.manage_assignments"
    template_name = "reviews/office_assignment.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        round_ = self.get_round()
        items = (
            ReviewItem.objects.filter(round=round_).select_related("region").prefetch_related(_live_assignments())
            .order_by("nominee_name", "pk")
        )
        q = self.request.GET.get("q", "").strip()
        if q:
            items = items.filter(Q(nominee_name__icontains=q) | Q(nominee_uscc__icontains=q))
        page = Paginator(items, ITEMS_PER_PAGE).get_page(self.request.GET.get("page"))
        loads = (
            Assignment.objects.filter(item__round=round_, state__in=assigning.LIVE)
            .values("expert_id", "expert__name", "expert__unit_name")
            .annotate(
                total=Count("pk"),
                proposed=Count("pk", filter=Q(state=Assignment.State.PROPOSED)),
                confirmed=Count("pk", filter=Q(state=Assignment.State.CONFIRMED)),
                matched=Count("pk", filter=Q(matched=True)),
            )
            .order_by("-total", "expert__name")
        )
        problems = assigning.check_assignment(round_)
        ctx.update(
            page=page, items=page.object_list, q=q, loads=list(loads), problems=problems,
            short_count=sum(1 for _i, k in problems["count"] if k < round_.experts_per_item),
            progress=queries.round_progress(round_),
            jobs=Job.objects.filter(kind="reviews.propose", params__round_id=round_.pk)[:3],
        )
        return ctx


class ProposeAssignmentView(RoundMixin, View):
    """Start the automatic assignment as a background job and go to its progress page."""

    permission_required = "reviews.manage_assignments"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            job, _created = review_jobs.start_propose(round_=self.get_round(), by=request.user)
        except (ValidationError, PermissionDenied) as e:
            messages.error(request, message_for(e))
            return HttpResponseRedirect(self.round_url("office_assignment"))
        return HttpResponseRedirect(reverse("job", args=[job.pk]))


class ConfirmAssignmentView(RoundMixin, View):
    permission_required = "reviews.manage_assignments"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            count = assigning.confirm_assignment(round_=self.get_round(), by=request.user)
        except (ValidationError, PermissionDenied) as e:
            messages.error(request, message_for(e))
        else:
            messages.success(request, _("%(count)s assignments confirmed; the experts have been notified.") % {"count": count})
        return HttpResponseRedirect(self.round_url("office_assignment"))


class ItemView(PortalPermissionMixin, DetailView):
    """One nomination in a round, for the office: its experts (add, reassign, withdraw, reopen), its
    conflicts, and once the round is closed every expert's scores and the selection override."""

    model = ReviewItem
    permission_required = "reviews.manage_assignments"
    template_name = "reviews/office_item.html"
    context_object_name = "item"

    def get_queryset(self):
        return ReviewItem.objects.select_related("round__cycle", "region")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        item = self.object
        round_ = item.round
        user = self.request.user
        assignments = list(item.assignments.select_related("expert").order_by("state", "expert__name"))
        experts = assigning.assignable_experts().order_by("name")
        loads = assigning.round_loads(round_)
        closed = round_.is_closed
        ctx.update(
            round=round_,
            assignments=assignments,
            conflicts=conflicts.conflicts_for_item(item),
            add_form=ExpertChoiceForm(experts=experts, loads=loads, prefix="add"),
            reassign_form=ExpertChoiceForm(experts=experts, loads=loads, prefix="re"),
            conflict_form=RecordConflictForm(experts=Expert.objects.active().order_by("name"), prefix="conflict"),
            reason_form=ReasonForm(),
            # Scores are the office's to see once the round is closed (the phases; the rule decides).
            show_scores=user.has_perm("reviews.view_scores", round_),
            override_form=OverrideForm(initial={"selected": "0" if item.selected else "1"}),
            can_override=closed and round_.ranked_at is not None and user.has_perm("reviews.override_selection", item),
        )
        live = sum(1 for a in assignments if a.state != Assignment.State.WITHDRAWN)
        if not closed and live < round_.experts_per_item:
            ctx["missing"] = round_.experts_per_item - live
            ctx["candidates"] = assigning.candidate_experts(item)
        if ctx["show_scores"]:
            criteria = scoring.criteria_for(round_)
            rows = []
            for review in queries.reviews_of_item(item):
                by_criterion = {s.criterion_id: s for s in review.scores.all()}
                rows.append({"review": review, "scores": [by_criterion.get(c.pk) for c in criteria]})
            ctx.update(criteria=criteria, score_rows=rows)
        return ctx

    def post(self, request, *args, **kwargs):
        item = self.object = self.get_object()
        action = request.POST.get("action")
        url = reverse("reviews:office_item", args=[item.pk])
        if action == "add":
            form = ExpertChoiceForm(request.POST, experts=assigning.assignable_experts(), prefix="add")
            if form.is_valid():
                expert = form.cleaned_data["expert"]
                if run_domain(request, assigning.assign, item=item, expert=expert, by=request.user,
                              reason=form.cleaned_data["reason"]):
                    messages.success(request, _("%(expert)s added.") % {"expert": expert.name})
            else:
                _form_errors(request, form)
        elif action == "record_conflict":
            form = RecordConflictForm(request.POST, experts=Expert.objects.all(), prefix="conflict")
            if form.is_valid():
                data = form.cleaned_data
                if run_domain(request, conflicts.record_conflict, expert=data["expert"], kind=data["kind"],
                              source=Conflict.Source.OFFICE, by=request.user, reason=data["reason"], item=item):
                    messages.success(request, _("Conflict recorded; any assignment it forbids has been withdrawn."))
            else:
                _form_errors(request, form)
        elif action == "override":
            form = OverrideForm(request.POST)
            if form.is_valid():
                if run_domain(request, ranking.override_selection, item=item, selected=form.cleaned_data["selected"],
                              reason=form.cleaned_data["reason"], by=request.user):
                    messages.success(request, _("Selection changed; the reason is kept in the audit trail."))
            else:
                _form_errors(request, form)
        else:
            messages.error(request, _("Unknown action."))
        return HttpResponseRedirect(url)


class AssignmentActionView(PortalPermissionMixin, DetailView):
    """POST on one assignment: withdraw (reason), reassign to another expert, reopen a submitted review."""

    model = Assignment
    permission_required = "reviews.manage_assignments"
    http_method_names = ["post"]

    def get_queryset(self):
        return Assignment.objects.select_related("item__round", "expert")

    def post(self, request, *args, **kwargs):
        assignment = self.get_object()
        action = request.POST.get("action")
        reason = request.POST.get("reason", "")
        if action == "withdraw":
            if run_domain(request, assigning.withdraw_assignment, assignment=assignment, by=request.user, reason=reason):
                messages.success(request, _("Assignment withdrawn."))
        elif action == "reassign":
            form = ExpertChoiceForm(request.POST, experts=assigning.assignable_experts(), prefix="re")
            if form.is_valid():
                expert = form.cleaned_data["expert"]
                if run_domain(request, assigning.reassign, assignment=assignment, expert=expert, by=request.user,
                              reason=form.cleaned_data["reason"]):
                    messages.success(request, _("Reassigned to %(expert)s.") % {"expert": expert.name})
            else:
                _form_errors(request, form)
        elif action == "reopen":
            if run_domain(request, scoring.reopen_review, assignment=assignment, by=request.user, reason=reason):
                messages.success(request, _("The review is reopened; the expert has been told."))
        else:
            messages.error(request, _("Unknown action."))
        return _back(request, reverse("reviews:office_item", args=[assignment.item_id]))


# --- conflicts ---------------------------------------------------------------------------------


class ConflictListView(PortalPermissionMixin, ListView):
    """Conflicts of interest, pending first; the office confirms or dismisses them."""

    permission_required = "reviews.manage_conflicts"
    template_name = "reviews/office_conflicts.html"
    context_object_name = "conflicts"
    paginate_by = 50

    def get_status(self):
        status = self.request.GET.get("status", Conflict.Status.PENDING)
        return status if status in Conflict.Status.values or status == "all" else Conflict.Status.PENDING

    def get_queryset(self):
        qs = Conflict.objects.select_related("expert", "created_by", "decided_by")
        status = self.get_status()
        if status != "all":
            qs = qs.filter(status=status)
        q = self.request.GET.get("q", "").strip()
        if q:
            qs = qs.filter(Q(expert__name__icontains=q) | Q(nominee_name__icontains=q) | Q(nominee_uscc__icontains=q))
        return qs.order_by("-created_at", "-pk")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        counts = dict(Conflict.objects.values_list("status").annotate(n=Count("pk")).order_by())
        ctx.update(
            status=self.get_status(), q=self.request.GET.get("q", ""), form=ConflictDecisionForm(),
            statuses=[(value, label, counts.get(value, 0)) for value, label in Conflict.Status.choices],
            total=sum(counts.values()),
        )
        return ctx


class ConflictDecideView(PortalPermissionMixin, DetailView):
    model = Conflict
    permission_required = "reviews.manage_conflicts"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        conflict = self.get_object()
        form = ConflictDecisionForm(request.POST)
        if not form.is_valid():
            _form_errors(request, form)
        elif form.cleaned_data["decision"] == "confirm":
            if run_domain(request, conflicts.confirm_conflict, conflict=conflict, by=request.user,
                          reason=form.cleaned_data["reason"]):
                messages.success(request, _("Conflict confirmed: %(conflict)s") % {"conflict": conflict})
        elif run_domain(request, conflicts.dismiss_conflict, conflict=conflict, by=request.user,
                        reason=form.cleaned_data["reason"]):
            messages.success(request, _("Conflict dismissed: %(conflict)s") % {"conflict": conflict})
        return _back(request, reverse("reviews:office_conflicts"))


# --- scoring progress --------------------------------------------------------------------------


class ProgressView(RoundMixin, TemplateView):
    """Scores in / expected per expert (the office sees progress, not scores, while scoring runs)."""

    permission_required = "reviews.manage_rounds"
    template_name = "reviews/office_progress.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        round_ = self.get_round()
        rows = (
            Assignment.objects.filter(item__round=round_, state=Assignment.State.CONFIRMED)
            .values("expert_id", "expert__name", "expert__unit_name", "expert__phone", "expert__email")
            .annotate(
                expected=Count("pk"),
                submitted=Count("pk", filter=Q(progress=Assignment.Progress.SUBMITTED)),
                draft=Count("pk", filter=Q(progress=Assignment.Progress.DRAFT)),
            )
            .order_by("expert__name")
        )
        rows = list(rows)
        for r in rows:
            r["todo"] = r["expected"] - r["submitted"] - r["draft"]
            r["percent"] = int(100 * r["submitted"] / r["expected"]) if r["expected"] else 0
        ctx.update(rows=rows, progress=queries.round_progress(round_))
        return ctx


# --- results, ranking, selection -----------------------------------------------------------------


class ResultsView(RoundMixin, TemplateView):
    """After closing: every expert's total per nomination, aggregate, rank, the tie rule, selection.

    The page is the office's in every phase; the scores on it only once reviews.view_scores allows
    them (the round is closed)."""

    permission_required = "reviews.manage_rounds"
    template_name = "reviews/office_results.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        round_ = self.get_round()
        ctx.update(tie_rule=ranking.TIE_RULE, quota=round_.quota, notice=PublicNotice.objects.filter(round=round_).first(),
                   minimum=rounds.minimum_reviews(round_))
        if not self.request.user.has_perm("reviews.view_scores", round_):
            ctx["rows"] = None
            return ctx
        items = ranking.order_items(ReviewItem.objects.filter(round=round_).select_related("region"))
        page = Paginator(items, RESULTS_PER_PAGE).get_page(self.request.GET.get("page"))
        reviews = (
            Review.objects.filter(assignment__item__in=[i.pk for i in page.object_list])
            .exclude(assignment__state=Assignment.State.WITHDRAWN)
            .select_related("assignment__expert")
            .order_by("assignment__expert__name")
        )
        by_item = {}
        for r in reviews:
            by_item.setdefault(r.assignment.item_id, []).append(r)
        ctx.update(
            page=page,
            rows=[{"item": i, "reviews": by_item.get(i.pk, []), "rd_percent": _percent(i.rd_intensity)} for i in page.object_list],
            selected_count=sum(1 for i in items if i.selected),
            select_form=SelectForm(initial={"quota": round_.quota}),
            export_jobs=Job.objects.filter(kind__in=("reviews.results", "reviews.confirmed_pdf"),
                                           params__round_id=round_.pk)[:5],
        )
        return ctx

    def post(self, request, *args, **kwargs):
        round_ = self.get_round()
        action = request.POST.get("action")
        if action == "rank":
            try:
                ordered = ranking.rank_round(round_=round_, by=request.user)
            except (ValidationError, PermissionDenied) as e:
                messages.error(request, message_for(e))
            else:
                ranked = sum(1 for i in ordered if i.rank is not None)
                messages.success(request, _("%(count)s nominations ranked.") % {"count": ranked})
        elif action == "select":
            form = SelectForm(request.POST)
            if form.is_valid():
                try:
                    chosen = ranking.select(round_=round_, by=request.user, quota=form.cleaned_data["quota"])
                except (ValidationError, PermissionDenied) as e:
                    messages.error(request, message_for(e))
                else:
                    messages.success(request, _("%(count)s nominations selected.") % {"count": len(chosen)})
                    left_out = ranking.ungated_items(round_)
                    if left_out:
                        messages.warning(request, ranking.not_selectable_message(left_out))
            else:
                _form_errors(request, form)
        else:
            messages.error(request, _("Unknown action."))
        return HttpResponseRedirect(self.round_url("office_results"))


class ExportView(RoundMixin, View):
    """Start an export (ranked results .xlsx, confirmed list PDF) as a background job."""

    permission_required = "reviews.export_results"
    http_method_names = ["post"]
    starters = {"results": review_jobs.start_results_export, "confirmed": review_jobs.start_confirmed_pdf}

    def post(self, request, *args, **kwargs):
        start = self.starters.get(kwargs["what"])
        if start is None:
            messages.error(request, _("Unknown export."))
            return HttpResponseRedirect(self.round_url("office_results"))
        try:
            job, _created = start(round_=self.get_round(), by=request.user)
        except (ValidationError, PermissionDenied) as e:
            messages.error(request, message_for(e))
            return HttpResponseRedirect(self.round_url("office_results"))
        return HttpResponseRedirect(reverse("job", args=[job.pk]))


# --- 公示, objections, confirmation -------------------------------------------------------------


class NoticeView(RoundMixin, TemplateView):
    """Publish the selected list (default period: the round's notice days), record and decide
    objections, confirm the results when the period is over."""

    permission_required = "reviews.publish_notice"
    template_name = "reviews/office_notice.html"

    def _items(self, round_):
        return ReviewItem.objects.filter(round=round_).filter(Q(selected=True) | Q(objections__isnull=False)).distinct().order_by("rank", "nominee_name")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        round_ = self.get_round()
        notice = PublicNotice.objects.filter(round=round_).first()
        ctx.update(
            notice=notice,
            selected=queries.selected_items(round_),
            publish_form=PublishNoticeForm(),
            objection_form=ObjectionForm(items=self._items(round_)),
            decision_form=ObjectionDecisionForm(),
            correction_form=NoticeCorrectionForm(),
            today=timezone.localdate(),
        )
        if notice is None:
            try:
                ctx["default_period"] = notices.notice_period(timezone.localdate(), round_.notice_days)
            except CalendarMissing as e:
                ctx["calendar_missing"] = message_for(e)
        else:
            ctx["corrections"] = notice.corrections.select_related("published_by")
            ctx["can_confirm"] = notice.is_over() and not notice.withdrawn_at
            ctx["objections"] = notice.objections.select_related("item", "recorded_by", "decided_by")
            ctx["pending_objections"] = notice.objections.filter(outcome=Objection.Outcome.PENDING).count()
        return ctx

    def post(self, request, *args, **kwargs):
        round_ = self.get_round()
        action = request.POST.get("action")
        notice = PublicNotice.objects.filter(round=round_).first()
        if action == "publish":
            form = PublishNoticeForm(request.POST)
            if form.is_valid():
                d = form.cleaned_data
                if run_domain(request, notices.publish_notice, round_=round_, by=request.user,
                              how_to_object=d["how_to_object"], starts=d["starts"], title=d["title"],
                              show_uscc=d["show_uscc"], show_industry=d["show_industry"], show_score=d["show_score"]):
                    messages.success(request, _("The public notice is published."))
            else:
                _form_errors(request, form)
        elif action == "objection":
            form = ObjectionForm(request.POST, items=ReviewItem.objects.filter(round=round_))
            if notice is None:
                messages.error(request, _("Publish the public notice first."))
            elif form.is_valid():
                d = form.cleaned_data
                if run_domain(request, notices.record_objection, notice=notice, item=d["item"], objector=d["objector"],
                              content=d["content"], by=request.user, received_on=d["received_on"], contact=d["contact"]):
                    messages.success(request, _("Objection recorded."))
            else:
                _form_errors(request, form)
        elif action == "correct":
            form = NoticeCorrectionForm(request.POST)
            if notice is None:
                messages.error(request, _("Publish the public notice first."))
            elif form.is_valid():
                if run_domain(request, notices.correct_notice, notice=notice, by=request.user, **form.cleaned_data):
                    messages.success(request, _("The correction notice is published."))
            else:
                _form_errors(request, form)
        elif action == "confirm":
            if run_domain(request, notices.confirm_results, round_=round_, by=request.user):
                messages.success(request, _("The results are confirmed; the bureaus have been notified."))
        else:
            messages.error(request, _("Unknown action."))
        return HttpResponseRedirect(self.round_url("office_notice"))


class ObjectionDecideView(PortalPermissionMixin, DetailView):
    model = Objection
    permission_required = "reviews.decide_objection"
    http_method_names = ["post"]

    def get_queryset(self):
        return Objection.objects.select_related("notice__round", "item")

    def post(self, request, *args, **kwargs):
        objection = self.get_object()
        form = ObjectionDecisionForm(request.POST)
        if form.is_valid():
            if run_domain(request, notices.decide_objection, objection=objection, outcome=form.cleaned_data["outcome"],
                          reason=form.cleaned_data["reason"], by=request.user):
                messages.success(request, _("Objection decided."))
        else:
            _form_errors(request, form)
        return HttpResponseRedirect(reverse("reviews:office_notice", args=[objection.notice.round_id]))


class ObjectionEvidenceView(PortalPermissionMixin, DetailView):
    """The PDF evidence sent with an online objection: the office only."""

    model = Objection
    permission_required = "reviews.decide_objection"
    http_method_names = ["get", "head"]

    def get(self, request, *args, **kwargs):
        from django.http import Http404

        from pojian.downloads import file_response

        objection = self.get_object()
        if not objection.evidence:
            raise Http404
        return file_response(request, objection.evidence, filename=f"objection-{objection.pk}.pdf", inline=True,
                             obj=objection)
