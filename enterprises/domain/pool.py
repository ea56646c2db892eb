"""The cultivation pool (培育库): entering enterprises, keeping their region and tiers, their status.

The places that learn of an enterprise (the registration list, the tax import, a nomination) call
`refresh_on_commit` inside their transaction: once it commits, a thin task (`tasks.refresh_pool`,
ids in chunks) enters the enterprises not yet in the pool and re-evaluates their tiers.
`backfill` does the same for every enterprise the portal already knows, with the earliest evidence
as how and when it entered (the `pool_backfill` command, and the demo).
"""

import datetime

from django.db import connection, transaction
from django.db.models import Min, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from pojian.domain.concurrency import save_versioned
from pojian.domain.errors import PermissionDenied, ValidationError

from ..models import Enterprise, EnterpriseNomination, EnterpriseYear, PoolEntry, Recognition, Registration
from . import tiers
from .pool_county import update_counties

CHUNK = 5000
COPY_CHUNK = 20000
TASK_CHUNK = 5000

Via = PoolEntry.Via
Status = PoolEntry.Status
LEFT = (Status.DEREGISTERED, Status.MOVED, Status.REMOVED, Status.DISHONEST)


def _chunks(ids, size=CHUNK):
    ids = sorted(set(ids))
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def enter(*, enterprise_ids, via, on=None, first_seen=None):
    """Enter the enterprises not yet in the pool (through `via`, on `on` or their `first_seen` date); returns how many.

    first_seen: {enterprise_id: (date, via)} (the backfill's earliest evidence), used before `via`/`on`.
    """
    on = on or timezone.localdate()
    first_seen = first_seen or {}
    if connection.vendor == "postgresql":
        return _enter_sql(enterprise_ids, via=via, on=on, first_seen=first_seen)
    created = 0
    for chunk in _chunks(enterprise_ids):
        known = set(PoolEntry.objects.filter(enterprise_id__in=chunk).values_list("enterprise_id", flat=True))
        regions = dict(Enterprise.objects.filter(pk__in=[i for i in chunk if i not in known]).values_list("pk", "region_id"))
        new = []
        for pk, region_id in regions.items():
            date, how = first_seen.get(pk, (on, via))
            new.append(PoolEntry(enterprise_id=pk, region_id=region_id, entered_on=date, entered_via=how))
        PoolEntry.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
        created += len(new)
        # The region is a copy of the enterprise's: keep it when the enterprise moved region.
        PoolEntry.objects.filter(enterprise_id__in=chunk).update(
            region_id=Subquery(Enterprise.objects.filter(pk=OuterRef("enterprise_id")).values("region_id")[:1]))
        # The county where known (a county's region becomes its city): enterprises.domain.pool_county.
        update_counties(chunk)
    return created


def _enter_sql(enterprise_ids, *, via, on, first_seen):
    """PostgreSQL: `enter` as one INSERT … SELECT … ON CONFLICT DO NOTHING and one UPDATE of moved regions a chunk
    (bulk_create of model objects and an UPDATE of every entry took most of a backfill's time)."""
    pool = connection.ops.quote_name(PoolEntry._meta.db_table)
    enterprises = connection.ops.quote_name(Enterprise._meta.db_table)
    created = 0
    with connection.cursor() as cursor:
        for chunk in _chunks(enterprise_ids, COPY_CHUNK):
            seen = [first_seen.get(pk, (on, via)) for pk in chunk]
            cursor.execute(
                f"INSERT INTO {pool} (enterprise_id, region_id, entered_on, entered_via, status, status_reason, "
                "tier_rank, tier_code, version) "
                f"SELECT e.id, e.region_id, v.d, v.via, %s, '', 0, '', 1 FROM {enterprises} AS e "
                "JOIN unnest(%s::bigint[], %s::date[], %s::text[]) AS v(id, d, via) ON e.id = v.id "
                "ORDER BY e.id ON CONFLICT (enterprise_id) DO NOTHING",
                [str(Status.IN_POOL), chunk, [d for d, _how in seen], [str(how) for _d, how in seen]])
            created += cursor.rowcount
            # The region is a copy of the enterprise's: keep it when the enterprise moved region.
            cursor.execute(
                f"UPDATE {pool} AS p SET region_id = e.region_id FROM {enterprises} AS e "
                "WHERE e.id = p.enterprise_id AND p.enterprise_id = ANY(%s) AND p.region_id <> e.region_id", [chunk])
            # The county where known (a county's region becomes its city), as on SQLite.
            update_counties(chunk)
    return created


def refresh(*, enterprise_ids, via, on=None, progress=None):
    """Enter the enterprises not yet in the pool and re-evaluate their tiers (what the task runs)."""
    ids = sorted(set(enterprise_ids))
    created = enter(enterprise_ids=ids, via=via, on=on)
    tiers.evaluate(enterprise_ids=ids, progress=progress)
    return created


def refresh_on_commit(enterprise_ids, *, via):
    """Queue the pool's refresh of these enterprises for when the caller's transaction commits (ids in chunks)."""
    from pojian.domain.jobs import send_on_commit

    from ..tasks import refresh_pool

    for chunk in _chunks(enterprise_ids, TASK_CHUNK):
        send_on_commit(refresh_pool, chunk, str(via))


def first_evidence():
    """{enterprise_id: (date, via)}: the earliest thing the portal knows of each enterprise, and what it was."""
    seen = {}

    def offer(rows, via, to_date):
        for pk, value in rows:
            if value is None:
                continue
            date = to_date(value)
            if pk not in seen or date < seen[pk][0]:
                seen[pk] = (date, via)

    def jan_first(year):
        return datetime.date(year, 1, 1)

    def year_end(year):
        return datetime.date(year, 12, 31)

    offer(Registration.all_objects.values("enterprise_id").annotate(v=Min("year")).values_list("enterprise_id", "v"),
          Via.REGISTRATION, jan_first)
    offer(EnterpriseYear.objects.filter(tax_imported_at__isnull=False).values("enterprise_id").annotate(v=Min("year"))
          .values_list("enterprise_id", "v"), Via.TAX, year_end)
    offer(Recognition.objects.values("enterprise_id").annotate(v=Min("year")).values_list("enterprise_id", "v"),
          Via.RECOGNITION, jan_first)
    offer(EnterpriseNomination.objects.values("enterprise_id").annotate(v=Min("created_at"))
          .values_list("enterprise_id", "v"), Via.NOMINATION, lambda t: timezone.localtime(t).date())
    # The other apps' records, through Enterprise's reverse relations (enterprises imports none of them).
    for relation, via in (("tech_contracts__registered_on", Via.CONTRACT), ("tenancies__entered", Via.TENANCY),
                          ("investments__date", Via.INVESTMENT)):
        try:
            rows = (Enterprise.objects.filter(**{f"{relation}__isnull": False}).values("pk")
                    .annotate(v=Min(relation)).values_list("pk", "v"))
            offer(rows, via, lambda d: d)
        except Exception:  # noqa: BLE001 - an app that is not installed has no relation to offer
            continue
    return seen


def backfill(*, on=None, progress=None):
    """Every enterprise the portal knows into the pool (earliest evidence first), then every tier evaluated.

    Idempotent: an enterprise already in the pool keeps its entry; the tiers are re-evaluated. Returns
    (entries created, standings written).
    """
    seen = first_evidence()
    ids = list(Enterprise.objects.values_list("pk", flat=True))
    created = enter(enterprise_ids=ids, via=Via.OFFICE, on=on, first_seen=seen)
    written = tiers.evaluate(enterprise_ids=ids, progress=progress)
    return created, written


def set_status(entry, *, by, status, on, reason, expected_version):
    """The office records that an enterprise graduated, left the pool (with why), or is back in it."""
    if not by.has_perm("enterprises.change_pool_entry", entry):
        raise PermissionDenied(_("Only the provincial office changes an enterprise's pool status."))
    if status not in Status.values:
        raise ValidationError({"status": _("Unknown pool status.")})
    reason = (reason or "").strip()
    if status != Status.IN_POOL and not reason:
        raise ValidationError({"reason": _("Please give a reason.")})
    if status != Status.IN_POOL and on is None:
        raise ValidationError({"status_on": _("Please give the date.")})
    if on is not None and on < entry.entered_on:
        raise ValidationError({"status_on": _("The date cannot be before the enterprise entered the pool.")})
    entry.status, entry.status_on, entry.status_reason = status, on, reason
    entry._change_reason = reason or "back in the pool"
    entry._history_user = by
    with transaction.atomic():
        save_versioned(entry, expected_version=expected_version)
    return entry


def reevaluate_job(job, progress):
    """Work for run_job: every enterprise of the pool's tiers evaluated again."""
    ids = list(PoolEntry.objects.values_list("enterprise_id", flat=True))
    written = tiers.evaluate(enterprise_ids=ids, progress=progress)
    return _("%(n)s tier standings evaluated.") % {"n": written}
