"""验收 as a review round: the office reviews projects due for acceptance with experts and a score sheet.

    projects "acceptance applied for" ──create_acceptance_round──▶ a review round of kind "acceptance"
        (one item per project; conflicts detected; experts assigned, confirmed, scoring, closed and
        ranked with the expert review's own functions and pages)
    closed round ──decide_item (optional, with a reason)──▶ the office's outcome for a project
    closed round ──confirm_acceptance_round──▶ each project's acceptance recorded through
        funding.domain.projects.decide_acceptance (recovery or withdrawal on 不通过)

A project's outcome is the office's decision when there is one; otherwise 通过 when its aggregate
score reaches the round's pass score and 不通过 below it. A project with fewer submitted reviews than
the round's minimum has no outcome by score: the office decides it. Confirmation is all or nothing.
Experts in conflict with the enterprise are refused by the review (detection, assignment) and again
by decide_acceptance.
"""

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pojian.domain.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from reviews.models import Assignment, Review, ReviewItem, Round, RoundKind

from ..models import Project
from . import projects as project_domain

P = Project.State
DEFAULT_PASS_SCORE = Decimal("60")
OUTCOMES = dict(Project.Outcome.choices)


def _require(by):
    if by is None or not (by.has_perm("funding.manage_projects") and by.has_perm("reviews.manage_acceptance")):
        raise PermissionDenied(_("Only the provincial office may do this."))


def _project_ct():
    return ContentType.objects.get_for_model(Project)


def projects_in_open_rounds():
    """Ids of projects already in an acceptance round whose outcome is not confirmed yet."""
    return set(ReviewItem.objects.filter(round__kind=RoundKind.ACCEPTANCE, round__results_confirmed_at__isnull=True,
                                         content_type=_project_ct()).values_list("object_id", flat=True))


def due_projects():
    """Projects whose acceptance was applied for and that are in no open acceptance round."""
    return (Project.objects.filter(state=P.ACCEPTANCE_FILED).exclude(pk__in=projects_in_open_rounds())
            .select_related("enterprise", "region", "cycle").order_by("acceptance_due", "number"))


def _facts(project):
    return {"nominee_name": f"{project.enterprise.name}：{project.title}"[:200],
            "nominee_uscc": (project.enterprise.uscc or "").strip().upper()[:18],
            "region_id": project.region_id, "industry": project.enterprise.industry or "",
            "submitted_at": project.acceptance_filed_at}


def create_acceptance_round(*, cycle, projects, by, pass_score=DEFAULT_PASS_SCORE, title="", experts_per_item=3,
                            max_load=20, min_reviews=None, scoring_closes=None):
    """A review round of kind acceptance for these projects, each due for acceptance; refuses the others, listed."""
    from reviews.domain import rounds
    from reviews.domain.conflicts import detect_conflicts

    _require(by)
    projects = list(projects)
    if not projects:
        raise ValidationError(_("Choose the projects to review for acceptance."), code="empty")
    try:
        pass_score = Decimal(str(pass_score))
    except ArithmeticError:
        raise ValidationError(_("The pass score must be a number between 0 and 100."), code="pass_score") from None
    if not pass_score.is_finite() or not Decimal(0) <= pass_score <= Decimal(100):
        raise ValidationError(_("The pass score must be a number between 0 and 100."), code="pass_score")
    with transaction.atomic():
        locked = list(Project.objects.select_for_update(of=("self",)).filter(pk__in=[p.pk for p in projects])
                      .select_related("enterprise").order_by("number"))
        busy = projects_in_open_rounds()
        refused = [
            _("%(project)s: %(why)s") % {"project": p.number, "why": (
                _("already in an acceptance round") if p.pk in busy
                else _("it is “%(state)s”, not waiting for acceptance") % {"state": p.get_state_display()})}
            for p in locked if p.pk in busy or p.state != P.ACCEPTANCE_FILED
        ]
        if refused:
            raise ValidationError([_("These projects cannot be reviewed for acceptance:"), *refused], code="not_due")
        settings = {"experts_per_item": experts_per_item, "max_load": max_load}
        if scoring_closes is not None:
            settings["scoring_closes"] = scoring_closes
        round_ = rounds.create_round(
            cycle=cycle, kind=RoundKind.ACCEPTANCE, by=by, aggregation=Round.Aggregation.MEAN,
            title=title or _("%(year)s project acceptance (%(n)s projects)") % {"year": cycle.year, "n": len(locked)},
            **settings)
        round_.pass_score = pass_score
        round_.min_reviews = min(min_reviews or experts_per_item, experts_per_item)
        round_._history_user = by
        round_._change_reason = "acceptance"
        round_.save(update_fields=["pass_score", "min_reviews"])
        ct = _project_ct()
        for p in locked:
            item = ReviewItem(round=round_, content_type=ct, object_id=p.pk, **_facts(p))
            item._history_user = by
            item._change_reason = "populate"
            item.save()
        detect_conflicts(round_=round_, by=by)
    return round_


def _require_round(round_):
    if round_.kind != RoundKind.ACCEPTANCE:
        raise ValidationError(_("This is not an acceptance round."), code="kind")


def outcome_by_score(round_, item):
    """"passed" / "failed" by the pass score, or None (no aggregate, or fewer reviews than the minimum)."""
    from reviews.domain.rounds import minimum_reviews

    if item.aggregate is None or round_.pass_score is None or item.review_count < minimum_reviews(round_):
        return None
    return Project.Outcome.PASSED if item.aggregate >= round_.pass_score else Project.Outcome.FAILED


def outcomes(round_):
    """The office's table: [{item, project, by_score, decision, outcome, outcome_label}] in rank order."""
    _require_round(round_)
    items = list(round_.items.order_by("rank", "nominee_name", "pk"))
    projects = Project.objects.select_related("enterprise").in_bulk([i.object_id for i in items])
    rows = []
    for item in items:
        by_score = outcome_by_score(round_, item)
        outcome = item.decision or by_score
        rows.append({"item": item, "project": projects.get(item.object_id), "by_score": by_score,
                     "decision": item.decision, "outcome": outcome,
                     "outcome_label": OUTCOMES.get(outcome, "") if outcome else ""})
    return rows


def _require_closed(current):
    if current.phase != Round.Phase.CLOSED or current.ranked_at is None:
        raise TransitionNotAllowed(_("Close and rank the round first."), code="phase")
    if current.results_confirmed_at:
        raise TransitionNotAllowed(_("The outcomes of this round are confirmed already."), code="confirmed")


def decide_item(*, item, outcome, reason, by):
    """The office's own outcome for one project of a closed round (通过 / 整改后通过 / 不通过), with a reason.

    An empty outcome takes the decision back (the pass score decides again).
    """
    _require(by)
    reason = (reason or "").strip()
    if outcome and outcome not in OUTCOMES:
        raise ValidationError(_("Choose an outcome."), code="outcome")
    if outcome and not reason:
        raise ValidationError(_("Give the reason for the office's decision."), code="reason_required")
    with transaction.atomic():
        current = ReviewItem.objects.select_for_update(of=("self",)).select_related("round").get(pk=item.pk)
        _require_round(current.round)
        _require_closed(current.round)
        current.decision = outcome or ""
        current.override_reason = reason if outcome else ""
        current.version += 1
        current._history_user = by
        current._change_reason = f"decide: {outcome or '-'} {reason}"[:100]
        current.save()
    item.refresh_from_db()
    return current


def confirm_acceptance_round(*, round_, by):
    """Write every project's acceptance result (all or nothing); returns the projects."""
    from reviews.domain.rounds import minimum_reviews

    _require(by)
    _require_round(round_)
    with transaction.atomic():
        current = Round.objects.select_for_update(of=("self",)).get(pk=round_.pk)
        _require_closed(current)
        rows = outcomes(current)
        undecided = [r["item"].nominee_name for r in rows if not r["outcome"]]
        if undecided:
            raise ValidationError(
                _("These projects have fewer than %(n)s submitted reviews or no score: decide their outcome first: %(names)s")
                % {"n": minimum_reviews(current), "names": "、".join(undecided)}, code="undecided")
        missing = [r["item"].nominee_name for r in rows if r["project"] is None]
        if missing:
            raise ValidationError(_("Projects not found: %(names)s") % {"names": "、".join(missing)}, code="missing")
        reviews = (Review.objects.filter(assignment__item__round=current, assignment__state=Assignment.State.CONFIRMED,
                                         assignment__progress=Assignment.Progress.SUBMITTED)
                   .select_related("assignment__expert"))
        by_item = {}
        for review in reviews:
            by_item.setdefault(review.assignment.item_id, []).append(review)
        done = []
        for r in rows:
            item, project = r["item"], r["project"]
            its_reviews = by_item.get(item.pk, [])
            note = item.override_reason if item.decision else (
                _("Aggregate score %(score)s; the pass score is %(pass)s.")
                % {"score": item.aggregate, "pass": current.pass_score})
            done.append(project_domain.decide_acceptance(
                project=project, outcome=r["outcome"], by=by, note=note,
                experts=[rv.assignment.expert for rv in its_reviews],
                scores={rv.assignment.expert.name: rv.total for rv in its_reviews},
            ))
        current.results_confirmed_at = timezone.now()
        current.results_confirmed_by = by
        current.version += 1
        current._history_user = by
        current._change_reason = "confirm acceptance"
        current.save()
    round_.refresh_from_db()
    return done
