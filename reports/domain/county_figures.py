"""A county's own figures for its page (reports:county): its nominations of the year by state and where they
stand between county and city, and its part of the cultivation pool by status and tier. Grouped queries
only (four, whatever the county's size)."""

from django.db.models import Count, Q

from enterprises.models import EnterpriseNomination, PoolEntry, TierRule
from pojian.models import NominationState


def nominations(county, cycle):
    """{"states": [(label, n)], "total", "with_county", "forwarded", "submitted"} for the year (None: no year)."""
    if cycle is None:
        return None
    rows = (EnterpriseNomination.objects.filter(cycle=cycle, county=county).values("state")
            .annotate(n=Count("pk"), preparing=Count("pk", filter=Q(county_forwarded_at__isnull=True)))
            .order_by())
    by_state = {r["state"]: r for r in rows}
    live = [r for state, r in by_state.items() if state != NominationState.WITHDRAWN]
    drafts = [by_state[s] for s in (NominationState.DRAFT, NominationState.RETURNED) if s in by_state]
    with_county = sum(r["preparing"] for r in drafts)
    return {
        "year": cycle.year,
        "states": [(label, by_state[code]["n"]) for code, label in NominationState.choices if code in by_state],
        "total": sum(r["n"] for r in live),
        "with_county": with_county,
        "forwarded": sum(r["n"] for r in drafts) - with_county,
        "at_province": sum(r["n"] for r in live) - sum(r["n"] for r in drafts),
    }


def pool(county):
    """The county's pool entries: {"total", "statuses": [(label, n)], "tiers": [(name, n)]}."""
    entries = PoolEntry.objects.filter(county=county)
    statuses = dict(entries.values_list("status").annotate(n=Count("pk")).order_by())
    tiers = dict(entries.values_list("tier_code").annotate(n=Count("pk")).order_by())
    names = dict(TierRule.objects.order_by("year", "rank").values_list("code", "name"))
    return {
        "total": sum(statuses.values()),
        "statuses": [(label, statuses[code]) for code, label in PoolEntry.Status.choices if code in statuses],
        "tiers": sorted(((names.get(code, code) if code else None, n) for code, n in tiers.items()),
                        key=lambda t: (t[0] is None, t[0] or "")),
    }
