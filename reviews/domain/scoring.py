"""An expert scoring an assignment: save a draft, submit (locks), the office reopens.

A review's total is the weighted sum Σ score × weight over the round's criteria (Decimal),
known only when every criterion has a score. Only submitted reviews count in the ranking.
"""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pojian.domain.errors import PermissionDenied, StaleEdit, TransitionNotAllowed, ValidationError
from pojian.domain.notifications import notify

from ..models import Assignment, Criterion, Review, Round, Score

FOUR_PLACES = Decimal("0.0001")


def criteria_for(round_):
    return list(Criterion.objects.filter(sheet__round=round_).order_by("order", "pk"))


def weighted_total(values, criteria):
    """Σ value × weight over `criteria` ({criterion id: value}); None when any value is missing."""
    total = Decimal(0)
    for c in criteria:
        v = values.get(c.pk)
        if v is None:
            return None
        total += Decimal(v) * c.weight
    return total.quantize(FOUR_PLACES)


def _why_not(assignment, by):
    """The reason an expert may not score this assignment (for a clear message), or None."""
    round_ = assignment.item.round
    if round_.phase != Round.Phase.SCORING:
        return TransitionNotAllowed(_("Scoring is not open for this round."), code="phase")
    if assignment.state != Assignment.State.CONFIRMED:
        return PermissionDenied(_("This assignment is not yours to score."))
    if assignment.is_submitted:
        return TransitionNotAllowed(_("This review has been submitted and is locked."), code="submitted")
    if not by.has_perm("reviews.score_assignment", assignment):
        return PermissionDenied(_("This assignment is not yours to score."))
    return None


def _parse(value, criterion):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(_("“%(criterion)s”: enter a number.") % {"criterion": criterion.name}, code="number") from None
    if not number.is_finite() or number < 0 or number > criterion.max_score:
        raise ValidationError(
            _("“%(criterion)s”: the score must be between 0 and %(max)s.") % {"criterion": criterion.name, "max": criterion.max_score},
            code="range",
        )
    if number != number.quantize(Decimal("0.01")):
        raise ValidationError(_("“%(criterion)s”: at most two decimal places.") % {"criterion": criterion.name}, code="places")
    return number


def save_review(*, assignment, by, scores, recommendation="", comment="", expected_version=None):
    """Save the expert's scores as a draft.

    scores: {criterion id (or Criterion): value, or {"value": ..., "comment": ...}}.
    expected_version: the review's version the form was based on (a stale form is refused).
    """
    with transaction.atomic():
        assignment = Assignment.objects.select_for_update(of=("self",)).select_related("item__round", "expert").get(pk=assignment.pk)
        refusal = _why_not(assignment, by)
        if refusal is not None:
            raise refusal
        criteria = {c.pk: c for c in criteria_for(assignment.item.round)}
        errors, parsed = [], {}
        for key, raw in (scores or {}).items():
            cid = key.pk if isinstance(key, Criterion) else int(key)
            criterion = criteria.get(cid)
            if criterion is None:
                errors.append(_("Unknown criterion."))
                continue
            value, note = (raw.get("value"), raw.get("comment", "")) if isinstance(raw, dict) else (raw, None)
            try:
                parsed[cid] = (_parse(value, criterion), note)
            except ValidationError as e:
                errors.extend(e.messages)
        if recommendation and recommendation not in Review.Recommendation.values:
            errors.append(_("Choose a recommendation."))
        if errors:
            raise ValidationError(errors, code="invalid")
        review, created = Review.objects.select_for_update(of=("self",)).get_or_create(assignment=assignment)
        if expected_version is not None and not created and review.version != expected_version:
            raise StaleEdit(
                _("Someone else changed this record while you were editing it. Reload the page to see their changes."),
                code="stale",
            )
        existing = {s.criterion_id: s for s in review.scores.all()}
        for cid, (value, note) in parsed.items():
            score = existing.get(cid) or Score(review=review, criterion_id=cid)
            score.value = value
            if note is not None:
                score.comment = note
            score.save()
            existing[cid] = score
        review.recommendation = recommendation or review.recommendation
        review.comment = comment if comment is not None else review.comment
        review.total = weighted_total({cid: s.value for cid, s in existing.items()}, criteria.values())
        if not created:
            review.version += 1
        review._history_user = by
        review._change_reason = "draft"
        review.save()
        if assignment.progress == Assignment.Progress.TODO:
            assignment.progress = Assignment.Progress.DRAFT
            assignment._history_user = by
            assignment._change_reason = "draft"
            assignment.save(update_fields=["progress"])
    return review


def submit_review(*, assignment, by):
    """Submit: every criterion scored and a recommendation chosen; the review is then locked."""
    with transaction.atomic():
        assignment = Assignment.objects.select_for_update(of=("self",)).select_related("item__round", "expert").get(pk=assignment.pk)
        refusal = _why_not(assignment, by)
        if refusal is not None:
            raise refusal
        review = Review.objects.filter(assignment=assignment).first()
        criteria = criteria_for(assignment.item.round)
        values = {s.criterion_id: s.value for s in review.scores.all()} if review else {}
        missing = [c.name for c in criteria if values.get(c.pk) is None]
        errors = []
        if missing:
            errors.append(_("Score every criterion before submitting: %(criteria)s") % {"criteria": "、".join(missing)})
        if review is None or not review.recommendation:
            errors.append(_("Choose an overall recommendation before submitting."))
        if errors:
            raise ValidationError(errors, code="incomplete")
        review.total = weighted_total(values, criteria)
        review.version += 1
        review._history_user = by
        review._change_reason = "submit"
        review.save()
        assignment.progress = Assignment.Progress.SUBMITTED
        assignment.submitted_at = timezone.now()
        assignment.version += 1
        assignment._history_user = by
        assignment._change_reason = "submit"
        assignment.save()
    return review


def reopen_review(*, assignment, by, reason):
    """The office reopens a submitted review (scoring phase only); the expert is told."""
    if not by.has_perm("reviews.reopen_review", assignment):
        raise PermissionDenied(_("Only the provincial office may do this."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Please give a reason."), code="reason_required")
    with transaction.atomic():
        current = Assignment.objects.select_for_update(of=("self",)).select_related("item__round", "expert__user").get(pk=assignment.pk)
        if current.item.round.phase != Round.Phase.SCORING:
            raise TransitionNotAllowed(_("Reviews can only be reopened while the round is in the scoring phase."), code="phase")
        if not current.is_submitted or current.state != Assignment.State.CONFIRMED:
            raise TransitionNotAllowed(_("Only a submitted review can be reopened."), code="state")
        current.progress = Assignment.Progress.DRAFT
        current.reopened_at = timezone.now()
        current.reopen_reason = reason
        current.submitted_at = None
        current.version += 1
        current._history_user = by
        current._change_reason = f"reopen: {reason}"[:100]
        current.save()
        if current.expert.user_id:
            notify([current.expert.user], subject=_("Review reopened: %(nominee)s") % {"nominee": current.item.nominee_name},
                   body=reason)
    assignment.refresh_from_db()
    return current
