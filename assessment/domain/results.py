"""The office's decisions on a computed assessment, and what each audience may read of it.

    commend / withdraw_commendation   表彰, with a reason; survive recomputation; frozen once published
    publish / unpublish               the public page; publishing freezes the table
    enter_office_values               the typed indicators' values, region by region
    table(assessment)                 the office's full table (every region × indicator)
    region_report(cycle, region)      one region's indicators with last year's values beside them
    published(cycle)                  what the public page shows: ranking and commended bureaus only
"""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pojian.domain.concurrency import save_versioned
from pojian.domain.errors import PermissionDenied, ValidationError
from pojian.domain.notifications import notify
from pojian.models import Cycle, User

from ..models import Assessment, Indicator, IndicatorResult, OfficeEntry, RegionResult
from .compute import is_stale


def _require_office(by, perm="assessment.manage_assessment"):
    if not by.has_perm(perm):
        raise PermissionDenied(_("Only the provincial office may do this."))


def _refuse_if_published(assessment):
    if assessment.is_published:
        raise ValidationError(
            _("The %(year)s assessment is published; withdraw the publication first.") % {"year": assessment.cycle.year},
            code="published",
        )


def commend(result, *, by, reason, expected_version=None):
    """Mark a region commended (表彰) with the reason."""
    _require_office(by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Please give the reason for the commendation."), code="reason_required")
    _refuse_if_published(result.assessment)
    result.commended = True
    result.commendation_reason = reason
    result.commended_by = by
    result.commended_at = timezone.now()
    return _save_result(result, by=by, why=f"commend: {reason}", expected_version=expected_version)


def withdraw_commendation(result, *, by, expected_version=None):
    _require_office(by)
    _refuse_if_published(result.assessment)
    result.commended = False
    result.commendation_reason = ""
    result.commended_by = None
    result.commended_at = None
    return _save_result(result, by=by, why="withdraw commendation", expected_version=expected_version)


def _save_result(result, *, by, why, expected_version):
    with transaction.atomic():
        result._history_user = by
        result._change_reason = why
        save_versioned(result, expected_version=result.version if expected_version is None else int(expected_version))
    return result


def publish(assessment, *, by, note=""):
    """Publish the ranking and the commended bureaus; tell every bureau."""
    _require_office(by)
    from pojian.models import Job

    from .compute import dedupe_key

    with transaction.atomic():
        current = Assessment.objects.select_for_update().select_related("cycle").get(pk=assessment.pk)
        _refuse_if_published(current)
        if current.computed_at is None:
            raise ValidationError(_("Compute the assessment before publishing it."), code="not_computed")
        if Job.objects.filter(dedupe_key=dedupe_key(current.cycle), status__in=["queued", "running"]).exists():
            raise ValidationError(_("A computation is running; publish when it has finished."), code="running")
        if is_stale(current):
            raise ValidationError(
                _("The data changed since the assessment was computed; recompute it before publishing."), code="stale"
            )
        current.published_at = timezone.now()
        current.published_by = by
        current.public_note = (note or "").strip()
        current.version += 1
        current._history_user = by
        current._change_reason = "publish"
        current.save()
        from django.urls import reverse

        notify(
            User.objects.filter(role=User.Role.BUREAU, is_active=True),
            subject=_("The %(year)s assessment of the bureaus has been published") % {"year": current.cycle.year},
            url=reverse("public_assessment", args=[current.cycle.year]),
            body=_("The ranking of the bureaus and those commended are on the public assessment page."), by=by,
        )
    assessment.published_at, assessment.published_by, assessment.version = current.published_at, by, current.version
    return current


def unpublish(assessment, *, by, reason):
    """Withdraw the publication (the public page shows nothing again); the reason is kept in the history."""
    _require_office(by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Please give a reason."), code="reason_required")
    with transaction.atomic():
        current = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if not current.is_published:
            raise ValidationError(_("The assessment is not published."), code="not_published")
        current.published_at = None
        current.published_by = None
        current.version += 1
        current._history_user = by
        current._change_reason = f"unpublish: {reason}"
        current.save()
    assessment.published_at, assessment.published_by, assessment.version = None, None, current.version
    return current


def enter_office_values(indicator, *, by, values):
    """values: {region: (Decimal or None, note)} — None removes the region's value."""
    _require_office(by)
    if indicator.source != Indicator.Source.OFFICE:
        raise ValidationError(_("Only indicators typed by the office take values here."), code="not_typed")
    assessment = Assessment.objects.filter(cycle=indicator.cycle).first()
    if assessment is not None:
        _refuse_if_published(assessment)
    changed = 0
    with transaction.atomic():
        existing = {e.region_id: e for e in OfficeEntry.objects.filter(indicator=indicator)}
        for region, (value, note) in values.items():
            entry = existing.get(region.pk)
            if value is None:
                if entry is not None:
                    entry._history_user = by
                    entry._change_reason = "clear"
                    entry.delete()
                    changed += 1
                continue
            if entry is not None and entry.value == Decimal(value) and entry.note == (note or ""):
                continue
            entry = entry or OfficeEntry(indicator=indicator, region=region)
            entry.value, entry.note, entry.entered_by = Decimal(value), note or "", by
            entry._history_user = by
            entry._change_reason = "enter"
            entry.save()
            changed += 1
    return changed


# --- reading --------------------------------------------------------------------------------------


def assessment_for(cycle):
    return Assessment.objects.filter(cycle=cycle).select_related("cycle", "computed_by", "published_by").first()


def table(assessment):
    """{"indicators": [...], "rows": [{"result": RegionResult, "cells": [{"indicator", "result"} per indicator]}]}, by rank."""
    indicators = list(Indicator.objects.filter(cycle=assessment.cycle).order_by("order", "pk"))
    cells = {}
    for r in IndicatorResult.objects.filter(assessment=assessment).only(
        "indicator_id", "region_id", "value", "score", "weighted", "note"
    ):
        cells[(r.region_id, r.indicator_id)] = r
    rows = []
    for result in RegionResult.objects.filter(assessment=assessment).select_related("region").order_by(
        "rank", "region__sort_order"
    ):
        rows.append({
            "result": result,
            "cells": [{"indicator": i, "result": cells.get((result.region_id, i.pk))} for i in indicators],
        })
    return {"indicators": indicators, "rows": rows}


def previous_cycle(cycle):
    return Cycle.objects.filter(year=cycle.year - 1).first()


def region_report(cycle, region):
    """One region's indicators for a year, each with last year's result for the indicator of the same code."""
    assessment = assessment_for(cycle)
    rows = []
    region_result = None
    if assessment is not None:
        region_result = RegionResult.objects.filter(assessment=assessment, region=region).first()
        results = {
            r.indicator_id: r
            for r in IndicatorResult.objects.filter(assessment=assessment, region=region).defer("items")
        }
    else:
        results = {}
    previous = previous_cycle(cycle)
    last = {}
    last_total = None
    if previous is not None:
        previous_assessment = assessment_for(previous)
        if previous_assessment is not None:
            last = {
                r.indicator.code: r
                for r in IndicatorResult.objects.filter(assessment=previous_assessment, region=region)
                .select_related("indicator").defer("items")
            }
            last_region = RegionResult.objects.filter(assessment=previous_assessment, region=region).first()
            last_total = last_region.total if last_region else None
    for indicator in Indicator.objects.filter(cycle=cycle).order_by("order", "pk"):
        rows.append({"indicator": indicator, "result": results.get(indicator.pk), "last": last.get(indicator.code)})
    return {
        "assessment": assessment, "region_result": region_result, "rows": rows,
        "previous": previous, "last_total": last_total,
    }


def published(cycle):
    """The published ranking: [(rank, region, total, commended, reason)] — or None before publication."""
    assessment = assessment_for(cycle)
    if assessment is None or not assessment.is_published:
        return None
    return {
        "assessment": assessment,
        "results": list(
            RegionResult.objects.filter(assessment=assessment).select_related("region").order_by("rank", "region__sort_order")
        ),
    }


def published_years():
    return list(
        Assessment.objects.filter(published_at__isnull=False).select_related("cycle").order_by("-cycle__year")
    )
