"""The 公示 (public notice), objections (异议), and confirming the results.

    rank_round → select → publish_notice (N days) → record_objection / decide_objection
               → confirm_results (after the period; no objection pending): every accepted
                 nomination becomes selected / not selected, the bureaus are told.
"""

from collections import defaultdict
from datetime import timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pojian.domain.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from pojian.domain.notifications import notify, region_bureau_users
from pojian.domain.workflow import transition
from pojian.models import NominationState

from ..models import Objection, PublicNotice, ReviewItem, Round
from .kinds import nomination_model


def _require_office(by, perm, obj=None):
    if by is None or not by.has_perm(perm, obj):
        raise PermissionDenied(_("Only the provincial office may do this."))


def notice_period(starts, days):
    """A notice of `days` days starting on `starts` ends on starts + days - 1 (both days included)."""
    return starts, starts + timedelta(days=max(1, days) - 1)


def publish_notice(*, round_, by, how_to_object, starts=None, title="", show_uscc=False, show_industry=True,
                   show_score=False):
    """Publish the selected list for the round's notice period (default 5 days from today)."""
    _require_office(by, "reviews.publish_notice", round_)
    how_to_object = (how_to_object or "").strip()
    if not how_to_object:
        raise ValidationError(_("Say how to object (address, telephone, deadline)."), code="how_to_object")
    with transaction.atomic():
        current = Round.objects.select_for_update(of=("self",)).select_related("cycle").get(pk=round_.pk)
        if current.phase != Round.Phase.CLOSED or current.ranked_at is None:
            raise TransitionNotAllowed(_("Close and rank the round first."), code="phase")
        if current.results_confirmed_at:
            raise TransitionNotAllowed(_("The results are already confirmed."), code="confirmed")
        if PublicNotice.objects.filter(round=current).exists():
            raise TransitionNotAllowed(_("The public notice of this round is already published."), code="published")
        selected = ReviewItem.objects.filter(round=current, selected=True)
        if not selected.exists():
            raise ValidationError(_("Nothing is selected yet."), code="empty")
        starts, ends = notice_period(starts or timezone.localdate(), current.notice_days)
        notice = PublicNotice(
            round=current, starts=starts, ends=ends, how_to_object=how_to_object, published_by=by,
            title=title or _("Public notice: %(round)s, selected list") % {"round": current},
            show_uscc=show_uscc, show_industry=show_industry, show_score=show_score,
        )
        notice._history_user = by
        notice._change_reason = "publish"
        notice.save()
        region_ids = set(ReviewItem.objects.filter(round=current).values_list("region_id", flat=True))
        for region_id in region_ids:
            notify(
                region_bureau_users(region_id),
                subject=_("Public notice published: %(title)s") % {"title": notice.title},
                body=_("From %(starts)s to %(ends)s.") % {"starts": starts, "ends": ends},
                url=reverse("reviews:public_notice", args=[notice.pk]), by=by,
                next_step=_("Tell the nominees in your region; objections go to the provincial office during the notice period."),
            )
    return notice


def record_objection(*, notice, item, objector, content, by, received_on=None, contact=""):
    """Record an objection received during the notice period (by the office)."""
    _require_office(by, "reviews.record_objection", notice)
    objector, content = (objector or "").strip(), (content or "").strip()
    errors = []
    if not objector:
        errors.append(_("Say who objects."))
    if not content:
        errors.append(_("Say what the objection is."))
    if item.round_id != notice.round_id:
        errors.append(_("The nomination is not part of this notice."))
    received_on = received_on or timezone.localdate()
    if not (notice.starts <= received_on <= notice.ends):
        errors.append(_("Objections are received from %(starts)s to %(ends)s.") % {"starts": notice.starts, "ends": notice.ends})
    if notice.round.results_confirmed_at:
        errors.append(_("The results are already confirmed."))
    if errors:
        raise ValidationError(errors, code="invalid")
    objection = Objection(notice=notice, item=item, objector=objector[:200], contact=(contact or "")[:200],
                          content=content, received_on=received_on, recorded_by=by)
    objection._history_user = by
    objection._change_reason = "record"
    objection.save()
    return objection


def decide_objection(*, objection, outcome, reason, by):
    """Uphold or dismiss an objection, with a reason; upheld removes the nomination from the selection."""
    _require_office(by, "reviews.decide_objection", objection)
    if outcome not in (Objection.Outcome.UPHELD, Objection.Outcome.DISMISSED):
        raise ValidationError(_("Choose upheld or dismissed."), code="outcome")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Please give a reason."), code="reason_required")
    with transaction.atomic():
        current = Objection.objects.select_for_update(of=("self",)).select_related("item", "notice__round").get(pk=objection.pk)
        if current.outcome != Objection.Outcome.PENDING:
            raise TransitionNotAllowed(_("This objection has already been decided."), code="state")
        if current.notice.round.results_confirmed_at:
            raise TransitionNotAllowed(_("The results are already confirmed."), code="confirmed")
        current.outcome = outcome
        current.outcome_reason = reason
        current.decided_by = by
        current.decided_at = timezone.now()
        current._history_user = by
        current._change_reason = f"{outcome}: {reason}"[:100]
        current.save()
        if outcome == Objection.Outcome.UPHELD:
            item = ReviewItem.objects.select_for_update(of=("self",)).get(pk=current.item_id)
            item.selected = False
            item.overridden = True
            item.override_reason = _("Objection upheld: %(reason)s") % {"reason": reason}
            item.version += 1
            item._history_user = by
            item._change_reason = f"objection upheld: {reason}"[:100]
            item.save()
    objection.refresh_from_db()
    return current


def confirm_results(*, round_, by, today=None):
    """After the notice period, with no objection pending: the nominations become selected / not selected.

    Uses the shared workflow (`select` / `not_select`) for every accepted nomination of the
    round, then tells each region's bureau its outcome.
    """
    _require_office(by, "reviews.confirm_results", round_)
    today = today or timezone.localdate()
    with transaction.atomic():
        current = Round.objects.select_for_update(of=("self",)).select_related("cycle").get(pk=round_.pk)
        if current.results_confirmed_at:
            raise TransitionNotAllowed(_("The results are already confirmed."), code="confirmed")
        notice = PublicNotice.objects.filter(round=current).first()
        if notice is None:
            raise TransitionNotAllowed(_("Publish the public notice first."), code="no_notice")
        if today <= notice.ends:
            raise TransitionNotAllowed(
                _("The public notice runs until %(ends)s; confirm the results after it.") % {"ends": notice.ends},
                code="notice_running",
            )
        if notice.objections.filter(outcome=Objection.Outcome.PENDING).exists():
            raise TransitionNotAllowed(_("Decide every objection first."), code="objections")
        items = list(ReviewItem.objects.filter(round=current).order_by("pk"))
        model = nomination_model(current.kind)
        nominations = model._default_manager.in_bulk([i.object_id for i in items]) if model is not None else {}
        outcome = defaultdict(lambda: [0, 0])
        for item in items:
            nomination = nominations.get(item.object_id)
            if nomination is None or getattr(nomination, "state", None) != NominationState.ACCEPTED:
                continue
            action = "select" if item.selected else "not_select"
            transition(nomination, action, by=by, reason=item.override_reason if item.overridden else "", notify_users=False)
            outcome[item.region_id][0 if item.selected else 1] += 1
        current.results_confirmed_at = timezone.now()
        current.results_confirmed_by = by
        current.version += 1
        current._history_user = by
        current._change_reason = "confirm_results"
        current.save()
        for region_id, (yes, no) in outcome.items():
            notify(
                region_bureau_users(region_id),
                subject=_("Results confirmed: %(round)s") % {"round": current},
                body=_("%(selected)s of your nominations selected, %(not_selected)s not selected.")
                % {"selected": yes, "not_selected": no},
                by=by, next_step=_("See the results on your nominations page; the selected enterprises are told by you."),
            )
    round_.refresh_from_db()
    return current
