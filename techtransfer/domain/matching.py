"""Matching in 双千工程: 推介 (the office or a bureau recommends a published result to enterprises of its
region; the bureau is notified), 意向 (either side's recorded interest), 对接记录 (a result and an
enterprise talking, with a status, edited with an optimistic lock) and 对接会 (events with participants
and outcomes). One function per change: it checks the rule, saves, keeps the history, notifies."""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from pojian.domain.concurrency import save_versioned
from pojian.domain.errors import PermissionDenied, ValidationError
from pojian.domain.notifications import notify, region_bureau_users
from pojian.rules import is_office, is_own_region

from ..models import Interest, MatchEvent, MatchRecord, Recommendation, Result
from ..rules import manages_institution_of

MR = MatchRecord.Status


def recommend(result, *, enterprises, by, note=""):
    """Recommend a published result to enterprises; each pair once (a repeat is skipped). Returns the new ones."""
    if not by.has_perm("techtransfer.recommend_result", result):
        raise PermissionDenied(_("Only published results are recommended, by the office or a bureau."))
    enterprises = list(enterprises)
    if not enterprises:
        raise ValidationError(_("Choose at least one enterprise."))
    made = []
    with transaction.atomic():
        for enterprise in enterprises:
            rec = Recommendation(result=result, enterprise=enterprise, region_id=enterprise.region_id,
                                 note=(note or "").strip()[:1000], created_by=by)
            if not by.has_perm("techtransfer.record_recommendation", rec):
                raise PermissionDenied(_("A bureau recommends results only to enterprises of its region."))
            if Recommendation.objects.filter(result=result, enterprise=enterprise).exists():
                continue
            rec._history_user = by
            rec.save()
            made.append(rec)
        for region_id in {r.region_id for r in made}:
            names = "、".join(r.enterprise.name for r in made if r.region_id == region_id)
            notify(region_bureau_users(region_id), by=by, url=reverse("techtransfer:recommendations"),
                   subject=_("Result recommended to your enterprises: %(title)s") % {"title": result.title},
                   body=_("Enterprises: %(names)s") % {"names": names},
                   next_step=_("Pass it on to the enterprises and record their interest."))
    return made


def record_interest(*, result, enterprise, side, by, demand=None, note=""):
    """意向: the enterprise's (through its bureau) or the institution's interest in a published result."""
    if result.state != Result.State.PUBLISHED:
        raise ValidationError(_("Interest is recorded on published results only."))
    if side not in Interest.Side.values:
        raise ValidationError(_("Say which side is interested."))
    if demand is not None and demand.enterprise_id != enterprise.pk:
        raise ValidationError(_("The demand is not this enterprise's."))
    interest = Interest(result=result, enterprise=enterprise, demand=demand, side=side, region_id=enterprise.region_id,
                        note=(note or "").strip()[:1000], created_by=by)
    # A bureau speaks for its region's enterprise, an institution's manager for the institution.
    speaks = is_own_region(by, interest) if side == Interest.Side.ENTERPRISE else manages_institution_of(by, interest)
    if not by.has_perm("techtransfer.record_interest", interest) or not (is_office(by) or speaks):
        raise PermissionDenied(_("You may record interest only for your region's enterprises or your own results."))
    try:
        with transaction.atomic():
            interest._history_user = by
            interest.save()
    except IntegrityError:
        raise ValidationError(_("This interest is recorded already.")) from None
    notify([m.user for m in result.institution.managers.filter(approved_at__isnull=False).select_related("user")]
           + list(region_bureau_users(enterprise.region_id)), by=by, url=reverse("techtransfer:matching"),
           subject=_("Interest recorded: %(enterprise)s · %(title)s") % {"enterprise": enterprise, "title": result.title},
           next_step=_("Contact the other side and record the meeting."))
    return interest


def _check_record(record, *, by):
    if record.result.state != Result.State.PUBLISHED:
        raise ValidationError(_("Matching records are kept for published results only."))
    if record.demand_id and record.demand.enterprise_id != record.enterprise_id:
        raise ValidationError(_("The demand is not this enterprise's."))
    if record.contract_id and (record.contract.enterprise_id != record.enterprise_id
                               or record.contract.institution_id != record.result.institution_id):
        raise ValidationError(_("The contract is not between this enterprise and the result's institution."))
    if record.status == MR.CONTRACTED and not record.contract_id:
        raise ValidationError(_("Name the contract signed."))
    if not by.has_perm("techtransfer.edit_match_record", record):
        raise PermissionDenied(_("You may keep matching records only for your region's enterprises or your own results."))


def create_record(*, by, **fields):
    record = MatchRecord(created_by=by, **fields)
    record.region_id = record.enterprise.region_id
    _check_record(record, by=by)
    record.full_clean()
    with transaction.atomic():
        record._history_user = by
        record.save()
    return record


def update_record(record, *, by, expected_version, **fields):
    """Change status, notes, contract…; refused when someone saved it since `expected_version`."""
    if not by.has_perm("techtransfer.edit_match_record", record):
        raise PermissionDenied(_("You may keep matching records only for your region's enterprises or your own results."))
    for name, value in fields.items():
        setattr(record, name, value)
    record.region_id = record.enterprise.region_id
    _check_record(record, by=by)
    record.full_clean(exclude=["version"])
    with transaction.atomic():
        record._history_user = by
        save_versioned(record, expected_version=expected_version)
    return record


def _check_event(event, *, by, enterprises):
    if not by.has_perm("techtransfer.create_event"):
        raise PermissionDenied(_("Matchmaking events are organised by the office or a bureau."))
    if not is_office(by):
        event.region_id = by.region_id  # a bureau's event is its region's
    if not by.has_perm("techtransfer.edit_event", event):
        raise PermissionDenied(_("You may edit only your region's events."))
    if event.region_id and any(e.region_id != event.region_id for e in enterprises):
        raise ValidationError(_("A region's event has enterprises of that region only."))


def save_event(event, *, by, enterprises, institutions, expected_version=None):
    """Create (expected_version None) or update an event with its participants."""
    enterprises, institutions = list(enterprises), list(institutions)
    _check_event(event, by=by, enterprises=enterprises)
    event.full_clean(exclude=["version", "created_by"])
    with transaction.atomic():
        event._history_user = by
        if event.pk is None:
            event.created_by = by
            event.save()
        else:
            save_versioned(event, expected_version=expected_version)
        event.enterprises.set(enterprises)
        event.institutions.set(institutions)
    return event


__all__ = ["MatchEvent", "create_record", "record_interest", "recommend", "save_event", "update_record"]
