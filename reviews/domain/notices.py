"""The 公示 (public notice), objections (异议), and confirming the results.

    rank_round → select → publish_notice (N days) → record_objection / decide_objection
               → confirm_results (after the period; no objection pending): every accepted
                 nomination becomes selected / not selected, the bureaus are told.
"""

from collections import defaultdict

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from pojian.domain.calendar import is_working_day, notice_end
from pojian.domain.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from pojian.domain.notifications import notify, region_bureau_users
from pojian.domain.workflow import transition
from pojian.models import NominationState

from ..models import NoticeCorrection, Objection, PublicNotice, ReviewItem, Round
from .kinds import kind_list_name, nomination_model


def _require_office(by, perm, obj=None):
    if by is None or not by.has_perm(perm, obj):
        raise PermissionDenied(_("Only the provincial office may do this."))


def notice_period(starts, days):
    """A notice of `days` working days from `starts` (or the next working day): (first day, last day).

    Counted with the holiday calendar (pojian.domain.calendar); CalendarMissing for a year not loaded.
    """
    first = starts if is_working_day(starts) else notice_end(starts, 1)
    return first, notice_end(first, max(1, days))


def public_title(round_):
    """The public title of a round's 公示, built from its kind and year (never the internal round name)."""
    return _("Public notice of the %(year)s Chrysalis to Butterfly selected list: %(kind)s") % {
        "year": round_.cycle.year, "kind": kind_list_name(round_.kind),
    }


def publish_notice(*, round_, by, how_to_object, starts=None, title="", show_uscc=False, show_industry=True,
                   show_score=False, today=None):
    """Publish the selected list for the round's notice period (its working days from `starts`, default today).

    The start cannot be before the day of publication (no back-dating); the end is computed with the
    working-day calendar and stored.
    """
    _require_office(by, "reviews.publish_notice", round_)
    today = today or timezone.localdate()
    how_to_object = (how_to_object or "").strip()
    if not how_to_object:
        raise ValidationError(_("Say how to object (address, telephone, deadline)."), code="how_to_object")
    starts = starts or today
    if starts < today:
        raise ValidationError(
            _("The notice cannot start before the day it is published (%(today)s).") % {"today": date_format(today)},
            code="backdated",
        )
    with transaction.atomic():
        current = Round.objects.select_for_update(of=("self",)).select_related("cycle").get(pk=round_.pk)
        if current.is_acceptance:
            from .ranking import ACCEPTANCE_NOT_SELECTED

            raise TransitionNotAllowed(ACCEPTANCE_NOT_SELECTED, code="acceptance")
        if current.phase != Round.Phase.CLOSED or current.ranked_at is None:
            raise TransitionNotAllowed(_("Close and rank the round first."), code="phase")
        if current.results_confirmed_at:
            raise TransitionNotAllowed(_("The results are already confirmed."), code="confirmed")
        if PublicNotice.objects.filter(round=current).exists():
            raise TransitionNotAllowed(_("The public notice of this round is already published."), code="published")
        selected = ReviewItem.objects.filter(round=current, selected=True)
        if not selected.exists():
            raise ValidationError(_("Nothing is selected yet."), code="empty")
        starts, ends = notice_period(starts, current.notice_days)
        notice = PublicNotice(
            round=current, starts=starts, ends=ends, how_to_object=how_to_object, published_by=by,
            working_days=current.notice_days, title=(title or "").strip() or public_title(current),
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
                body=_("From %(starts)s to %(ends)s.") % {"starts": date_format(starts), "ends": date_format(ends)},
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
        errors.append(_("Objections are received from %(starts)s to %(ends)s.")
                      % {"starts": date_format(notice.starts), "ends": date_format(notice.ends)})
    if notice.withdrawn_at:
        errors.append(_("The public notice was withdrawn."))
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
        if notice.withdrawn_at:
            raise TransitionNotAllowed(_("The public notice was withdrawn."), code="withdrawn")
        if today <= notice.ends:
            raise TransitionNotAllowed(
                _("The public notice runs until %(ends)s; confirm the results after it.") % {"ends": date_format(notice.ends)},
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


def correct_notice(*, notice, kind, text, by):
    """Publish a correction (更正) or withdraw (撤回) a published 公示; both are shown publicly as a 更正公告.

    A withdrawn notice runs no longer: no objection is received and the results cannot be confirmed.
    """
    _require_office(by, "reviews.publish_notice", notice.round)
    text = (text or "").strip()
    if kind not in NoticeCorrection.Kind.values:
        raise ValidationError(_("Choose correction or withdrawal."), code="kind")
    if not text:
        raise ValidationError(_("Write the text of the correction notice."), code="text")
    with transaction.atomic():
        current = PublicNotice.objects.select_for_update(of=("self",)).select_related("round").get(pk=notice.pk)
        if current.round.results_confirmed_at:
            raise TransitionNotAllowed(_("The results are already confirmed."), code="confirmed")
        if current.withdrawn_at:
            raise TransitionNotAllowed(_("The public notice was withdrawn."), code="withdrawn")
        correction = NoticeCorrection(notice=current, kind=kind, text=text, published_by=by)
        correction._history_user = by
        correction.save()
        if kind == NoticeCorrection.Kind.WITHDRAWAL:
            current.withdrawn_at = timezone.now()
            current._history_user = by
            current._change_reason = "withdraw"
            current.save()
    notice.refresh_from_db()
    return correction


# At most this many online objections from one address a day (all notices together).
OBJECTIONS_PER_ADDRESS_PER_DAY = 3


def check_objector(*, objector, unit, phone, content):
    """The public objection form's checks, shared by every 公示 that takes objections online.

    Returns the stripped (objector, unit, phone, content) and the list of messages for what is missing.
    """
    objector, unit, phone, content = ((v or "").strip() for v in (objector, unit, phone, content))
    errors = []
    if not objector:
        errors.append(_("Give your name."))
    if not unit:
        errors.append(_("Give your work unit."))
    if not phone or not all(c.isdigit() or c in "-+ ()" for c in phone) or sum(c.isdigit() for c in phone) < 7:
        errors.append(_("Give a telephone number where the office can reach you."))
    if not content:
        errors.append(_("Say what the objection is."))
    return (objector, unit, phone, content), errors


def online_objection_models():
    """The models of objections taken online on the post-subsidy 公示 (every reviews.OnlineObjection)."""
    from django.apps import apps

    from ..models import OnlineObjection

    return [m for m in apps.get_models() if issubclass(m, OnlineObjection)]


def objections_from(address, day):
    """How many objections were submitted online from `address` on `day`, on every 公示 together."""
    return Objection.objects.filter(submitted_from=address, received_on=day).count() + sum(
        m._default_manager.filter(submitted_from=address, received_on=day).count() for m in online_objection_models())


def rate_limited_error():
    return ValidationError(
        _("Too many objections from your address today; please try again tomorrow or write to the office."),
        code="rate_limited",
    )


def submit_objection(*, notice, item, objector, unit, phone, content, address, evidence=None, today=None):
    """An objection submitted online by anyone during the 公示 (the public form).

    Visible only to the office, handled like any other (decide_objection). Refused outside the
    period, for a withdrawn or confirmed notice, and beyond OBJECTIONS_PER_ADDRESS_PER_DAY a day
    from one address. The optional evidence must really be a PDF (pojian.domain.uploads).
    """
    from pojian.domain.uploads import PDF, validate_upload

    today = today or timezone.localdate()
    (objector, unit, phone, content), errors = check_objector(objector=objector, unit=unit, phone=phone, content=content)
    if item is None or not ReviewItem.objects.filter(pk=item.pk, round_id=notice.round_id, selected=True).exists():
        errors.append(_("Choose a name on the list."))
    if evidence:
        try:
            validate_upload(evidence, kinds=(PDF,))
        except ValidationError as e:
            errors.extend(e.messages)
    if notice.withdrawn_at:
        errors.append(_("The public notice was withdrawn."))
    elif notice.round.results_confirmed_at or not (notice.starts <= today <= notice.ends):
        errors.append(_("Objections are received from %(starts)s to %(ends)s.")
                      % {"starts": date_format(notice.starts), "ends": date_format(notice.ends)})
    if errors:
        raise ValidationError(errors, code="invalid")
    with transaction.atomic():
        # One address at a time: the count and the insert cannot interleave.
        PublicNotice.objects.select_for_update(of=("self",)).get(pk=notice.pk)
        if objections_from(address, today) >= OBJECTIONS_PER_ADDRESS_PER_DAY:
            raise rate_limited_error()
        objection = Objection(
            notice=notice, item=item, objector=objector[:200], unit=unit[:200], phone=phone[:30],
            contact=phone[:200], content=content, received_on=today, source=Objection.Source.ONLINE,
            submitted_from=address or None,
        )
        if evidence:
            objection.evidence = evidence
        objection._change_reason = "online"
        objection.save()
    return objection


def received_between(starts, ends):
    return _("Objections are received from %(starts)s to %(ends)s.") % {
        "starts": date_format(starts) if starts else "—", "ends": date_format(ends) if ends else "—"}


def take_online_objection(*, model, rule, listed, running, address, today, objector, unit, phone, content,
                          **entry):
    """An objection to a name on a post-subsidy 公示 (R&D, contract subsidy), submitted online by anyone.

    The public form's checks (check_objector); the name (`entry`, one keyword) must be in `listed` and
    the rule's notice `running`; at most OBJECTIONS_PER_ADDRESS_PER_DAY a day from one address over every
    公示. The rule's row is locked, so the count and the insert cannot interleave. Saved pending as a
    `model` of the rule and the name.
    """
    (objector, unit, phone, content), errors = check_objector(objector=objector, unit=unit, phone=phone,
                                                              content=content)
    (row,) = entry.values()
    if row is None or not listed.filter(pk=row.pk).exists():
        errors.append(_("Choose a name on the list."))
    if not running:
        errors.append(received_between(rule.notice_starts, rule.notice_ends))
    if errors:
        raise ValidationError(errors, code="invalid")
    with transaction.atomic():
        type(rule).objects.select_for_update().get(pk=rule.pk)
        if address and objections_from(address, today) >= OBJECTIONS_PER_ADDRESS_PER_DAY:
            raise rate_limited_error()
        objection = model(objector=objector[:200], unit=unit[:200], phone=phone[:30], content=content,
                          received_on=today, submitted_from=address or None, rule=rule, **entry)
        objection._change_reason = "online"
        objection.save()
    return objection


def decide_online_objection(*, objection, outcome, reason, by, still_open):
    """The office's decision on an online objection (see take_online_objection): upheld or dismissed, with
    a reason, once. `still_open(current)` locks the notice and refuses when its list can no longer change.

    Saves the decision with its audit entry and returns the objection; the caller, inside the same
    transaction, applies an upheld one to its list.
    """
    Outcome = type(objection).Outcome
    if outcome not in (Outcome.UPHELD, Outcome.DISMISSED):
        raise ValidationError(_("Choose upheld or dismissed."), code="outcome")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Please give a reason.")}, code="reason")
    current = type(objection)._default_manager.select_for_update().get(pk=objection.pk)
    if current.outcome != Outcome.PENDING:
        raise TransitionNotAllowed(_("This objection has already been decided."), code="state")
    still_open(current)
    current.outcome, current.outcome_reason = outcome, reason
    current.decided_by, current.decided_at = by, timezone.now()
    current._history_user = by
    current._change_reason = f"{outcome}: {reason}"[:100]
    current.save()
    return current
