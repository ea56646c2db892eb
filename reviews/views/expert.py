"""The reviewer dashboard (评审专家): own assignments, the nomination's material, the score sheet,
declaring a conflict. Thin: who may see what is in reviews/rules.py, every change is a domain
function in reviews/domain/, and an expert never sees another expert's scores or names here."""

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import DetailView, TemplateView

from pojian.mixins import PortalPermissionMixin, run_domain
from pojian.nomination_views import ProtectedFileView

from ..domain import conflicts, queries, scoring
from ..forms import DeclareConflictForm, ScoreForm
from ..models import Assignment, Round


def _template_or_none(name):
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return None
    return name


def nomination_material(item):
    """What an assigned expert reads about a nomination: the figures, the 四科 verdict, the results,
    the bureau's recommendation and whether there is a letter. Contacts and other experts are left out."""
    nomination = item.nomination
    ctx = {"nomination": nomination, "has_letter": bool(getattr(nomination, "letter", None))}
    if nomination is None:
        return ctx
    if nomination.__class__.__name__ == "EnterpriseNomination":
        try:
            from enterprises.domain.nominations import nomination_contents
        except ImportError:  # the enterprises app without its domain yet
            nomination_contents = None
        if nomination_contents is not None:
            ctx.update(nomination_contents(nomination))
        ctx["enterprise"] = nomination.enterprise
        ctx["verdict_template"] = _template_or_none("enterprises/_verdict.html")
        ctx["figures_template"] = _template_or_none("enterprises/_tax_differences.html")
    elif item.round.kind == "acceptance":
        # 验收: the project's agreement data (goals, indicators with targets and what was reached, term, funds).
        ctx["project"] = nomination
    return ctx


def _enterprise_ct_id():
    from django.contrib.contenttypes.models import ContentType

    from ..domain.kinds import nomination_model

    model = nomination_model("enterprises")
    return ContentType.objects.get_for_model(model).pk if model is not None else None


def friendly_refusal(request, assignment):
    """For the expert's own assignment they may no longer open: a page that explains (403), or None."""
    from django.template.response import TemplateResponse

    from ..rules import _expert_id

    expert_id = _expert_id(request.user)
    if assignment is None or not expert_id or assignment.expert_id != expert_id:
        return None
    if request.user.has_perm("reviews.view_finished_review", assignment):
        return HttpResponseRedirect(reverse("reviews:expert_finished_review", args=[assignment.pk]))
    return TemplateResponse(request, "reviews/assignment_unavailable.html",
                            {"assignment": assignment, "round": assignment.item.round}, status=403)


class ExpertDashboardView(PortalPermissionMixin, TemplateView):
    """The expert's own assignments in rounds being scored, with progress; upcoming ones to check for conflicts."""

    permission_required = "reviews.view_expert_dashboard"
    template_name = "reviews/expert_dashboard.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        expert = queries.expert_for(user)
        assignments = list(queries.assignments_for_expert(user))
        rounds = {}
        for a in assignments:
            rounds.setdefault(a.item.round, []).append(a)
        ctx.update(
            expert=expert,
            rounds=[
                {"round": r, "assignments": rows, "done": sum(1 for a in rows if a.is_submitted), "total": len(rows)}
                for r, rows in rounds.items()
            ],
            progress=queries.progress_for_expert(user),
            upcoming=self._upcoming(expert),
            enterprise_ct=_enterprise_ct_id(),
        )
        return ctx

    def _upcoming(self, expert):
        """Confirmed assignments of rounds whose scoring has not opened: the expert may declare a conflict now."""
        if expert is None:
            return []
        candidates = (
            Assignment.objects.filter(expert=expert, state=Assignment.State.CONFIRMED, item__round__phase=Round.Phase.ASSIGNMENT)
            .select_related("item__round__cycle", "item__region")
            .order_by("item__round_id", "item__nominee_name")
        )
        user = self.request.user
        return [a for a in candidates if user.has_perm("reviews.declare_conflict", a)]


class AssignmentView(PortalPermissionMixin, DetailView):
    """One assignment: the nomination's material and the score sheet (save as draft, submit; locked after)."""

    model = Assignment
    permission_required = "reviews.view_assignment"
    template_name = "reviews/assignment.html"
    context_object_name = "assignment"

    def get_queryset(self):
        return Assignment.objects.select_related("item__round__cycle", "item__round__sheet", "item__region", "expert")

    def get_permission_object(self):
        if not hasattr(self, "object"):
            self.object = self.get_object()
        return self.object

    def handle_no_permission(self):
        # An old link to the expert's own assignment: a page that says why, never a bare 403.
        own = friendly_refusal(self.request, getattr(self, "object", None))
        return own if own is not None else super().handle_no_permission()

    def _form(self, data=None):
        assignment = self.object
        review = queries.review_for(assignment)
        criteria = scoring.criteria_for(assignment.item.round)
        initial = {"version": review.version if review else 0}
        return ScoreForm(data, criteria=criteria, review=review, locked=assignment.is_submitted, initial=initial), review

    def get_context_data(self, form=None, review=None, **kwargs):
        ctx = super().get_context_data(**kwargs)
        assignment = self.object
        if form is None:
            form, review = self._form()
        elif review is None:
            review = queries.review_for(assignment)
        round_ = assignment.item.round
        ctx.update(nomination_material(assignment.item))
        ctx.update(
            item=assignment.item, round=round_, sheet=getattr(round_, "sheet", None), form=form, review=review,
            locked=assignment.is_submitted,
            can_score=self.request.user.has_perm("reviews.score_assignment", assignment),
            can_declare=self.request.user.has_perm("reviews.declare_conflict", assignment),
            progress=queries.progress_for_expert(self.request.user, round_),
        )
        return ctx

    def post(self, request, *args, **kwargs):
        assignment = self.object = self.get_object()
        action = request.POST.get("action", "save")
        form, review = self._form(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form, review=review))
        data = form.cleaned_data
        version = data.get("version")
        saved = run_domain(
            request, scoring.save_review, assignment=assignment, by=request.user, scores=form.scores(),
            recommendation=data.get("recommendation", ""), comment=data.get("comment", ""),
            expected_version=version if version is not None else None,
        )
        if not saved:
            # Nothing was saved: show the page again with what the expert typed.
            return self.render_to_response(self.get_context_data(form=form, review=review))
        if action == "submit":
            if run_domain(request, scoring.submit_review, assignment=assignment, by=request.user):
                messages.success(request, _("Your review is submitted. It is now locked; the office can reopen it if needed."))
            else:
                messages.warning(request, _("Your scores are saved as a draft, but the review was not submitted."))
        else:
            messages.success(request, _("Draft saved."))
        return HttpResponseRedirect(reverse("reviews:expert_assignment", args=[assignment.pk]))


class DeclareConflictView(PortalPermissionMixin, DetailView):
    """The expert declares a conflict of interest; the assignment is handed back to the office."""

    model = Assignment
    permission_required = "reviews.declare_conflict"
    template_name = "reviews/declare_conflict.html"
    context_object_name = "assignment"

    def get_queryset(self):
        return Assignment.objects.select_related("item__round__cycle", "expert")

    def get_context_data(self, form=None, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["form"] = form or DeclareConflictForm()
        ctx["item"] = self.object.item
        return ctx

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = DeclareConflictForm(request.POST)
        if form.is_valid() and run_domain(
            request, conflicts.declare_conflict, assignment=self.object, kind=form.cleaned_data["kind"],
            reason=form.cleaned_data["reason"], by=request.user,
        ):
            messages.success(
                request,
                _("Conflict declared for %(nominee)s. The nomination has been handed back to the office.")
                % {"nominee": self.object.item.nominee_name},
            )
            return HttpResponseRedirect(reverse("reviews:expert_dashboard"))
        return self.render_to_response(self.get_context_data(form=form))


class AssignmentLetterView(ProtectedFileView):
    """The nomination's stamped letter, for the assigned, non-conflicted expert (checked on the assignment)."""

    model = Assignment
    permission_required = "reviews.view_assignment"

    def _assignment(self):
        if not hasattr(self, "_assignment_obj"):
            self._assignment_obj = DetailView.get_object(self)
        return self._assignment_obj

    def get_permission_object(self):
        return self._assignment()

    def get_object(self, queryset=None):
        nomination = self._assignment().item.nomination
        if nomination is None or not hasattr(nomination, self.file_field):
            raise Http404(_("No file has been uploaded."))
        return nomination


class FinishedReviewListView(PortalPermissionMixin, TemplateView):
    """The expert's submitted reviews, in every round (also closed ones), to read again."""

    permission_required = "reviews.view_expert_dashboard"
    template_name = "reviews/expert_finished.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        expert = queries.expert_for(self.request.user)
        rows = []
        if expert is not None:
            qs = (Assignment.objects.filter(expert=expert, state=Assignment.State.CONFIRMED,
                                            progress=Assignment.Progress.SUBMITTED)
                  .select_related("item__round__cycle", "item__region", "review").order_by("-submitted_at", "-pk"))
            rows = [a for a in qs if self.request.user.has_perm("reviews.view_finished_review", a)]
        ctx.update(expert=expert, finished=rows)
        return ctx


class FinishedReviewView(PortalPermissionMixin, DetailView):
    """One submitted review, read-only: the scores, comments and recommendation the expert gave."""

    model = Assignment
    permission_required = "reviews.view_finished_review"
    template_name = "reviews/expert_finished_review.html"
    context_object_name = "assignment"

    def get_queryset(self):
        return Assignment.objects.select_related("item__round__cycle", "item__region", "expert")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        review = queries.review_for(self.object)
        ctx.update(item=self.object.item, round=self.object.item.round, review=review,
                   scores=list(review.scores.select_related("criterion")) if review else [])
        return ctx


class AssignmentFormPdfView(PortalPermissionMixin, DetailView):
    """The nomination's 推荐表 (PDF) for the assigned expert while the round is scored."""

    model = Assignment
    permission_required = "reviews.view_assignment"

    def get_queryset(self):
        return Assignment.objects.select_related("item__round")

    def get(self, request, *args, **kwargs):
        from pojian.downloads import file_response

        nomination = self.get_object().item.nomination
        if nomination is None or nomination.__class__.__name__ != "EnterpriseNomination":
            raise Http404(_("No file has been uploaded."))
        from enterprises.domain.nominations import render_nomination_form

        # Through the one download helper: checked content type, sandboxed, and in the download audit.
        return file_response(request, render_nomination_form(nomination), filename=f"nomination-{nomination.pk}.pdf",
                             inline=True, obj=nomination)
