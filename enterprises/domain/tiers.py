"""Growth tiers (梯次): the year's tier rules as data, and each enterprise's standing year by year.

An enterprise stands, in a year, on the highest-ranked tier of that year's rules all of whose
conditions it meets; the standing keeps the evidence (a list of reasons, each a small dict drawn
as text by `reason_text`). The evaluation is batched: a chunk of enterprises costs a handful of
queries whatever its size, so the pool's backfill and an import's refresh run the same code. On
PostgreSQL a chunk's standings are written with one DELETE, one COPY and one UPDATE of the pool
entries' current tier from arrays (bulk_create and correlated subqueries took most of the time:
100,000 enterprises in 462 s); other databases take the ORM path, with the same results.

What counts for a year Y:
- registration: a valid (not revoked) 科技型中小企业 registration of year Y;
- 四科: a nomination of programme year Y whose stored verdict meets the standard (not withdrawn);
- a recognition (高新技术企业 / 专精特新 / 小巨人: three years from its year; a listing: from its year
  on), or the enterprise's own high-tech certificate for the three years up to its expiry;
- figures: the fiscal year Y's effective figures (tax data first).
"""

import io
import json
from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Max, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from pojian.domain.concurrency import save_versioned
from pojian.domain.errors import PermissionDenied, ValidationError
from pojian.models import NominationState

from ..models import Enterprise, EnterpriseNomination, EnterpriseYear, Recognition, Registration, TierRule, TierStanding

CHUNK = 5000
COPY_CHUNK = 20000  # PostgreSQL: a chunk's standings go in one COPY

# How many years a recognition of year Y counts for (None: from Y on).
VALID_YEARS = {
    Recognition.Kind.HIGH_TECH: 3,
    Recognition.Kind.SPECIALISED: 3,
    Recognition.Kind.LITTLE_GIANT: 3,
    Recognition.Kind.LISTED: None,
}

# The tiers a year starts with when no earlier year has any (the office edits them on its page).
DEFAULT_TIERS = [
    {"rank": 1, "code": "tech-sme", "name": "科技型中小企业", "needs_registration": True},
    {"rank": 2, "code": "sike", "name": "四科标准企业(成蝶)", "needs_sike": True},
    {"rank": 3, "code": "high-tech", "name": "高新技术企业", "needs_recognition": "high_tech"},
    {"rank": 4, "code": "specialised", "name": "专精特新企业", "needs_recognition": "specialised"},
    {"rank": 5, "code": "little-giant", "name": "专精特新小巨人企业", "needs_recognition": "little_giant"},
    {"rank": 6, "code": "listed", "name": "上市企业", "needs_recognition": "listed"},
]
RULE_FIELDS = ("rank", "code", "name", "needs_registration", "needs_sike", "needs_recognition", "revenue_min",
               "employees_min", "rd_percent_min")


# --- the rules of a year -----------------------------------------------------------------------


def ensure_rules(year):
    """The year's tier rules; a year without any gets a copy of the latest earlier year's (or the defaults)."""
    rules = list(TierRule.objects.filter(year=year).order_by("rank"))
    if rules:
        return rules
    earlier = TierRule.objects.filter(year__lt=year).aggregate(y=Max("year"))["y"]
    if earlier is not None:
        source = [{f: getattr(r, f) for f in RULE_FIELDS} for r in TierRule.objects.filter(year=earlier)]
    else:
        source = DEFAULT_TIERS
    TierRule.objects.bulk_create([TierRule(year=year, **values) for values in source], ignore_conflicts=True)
    return list(TierRule.objects.filter(year=year).order_by("rank"))


def _check_rule(rule, *, exclude_pk=None):
    errors = {}
    siblings = TierRule.objects.filter(year=rule.year).exclude(pk=exclude_pk)
    if siblings.filter(code=rule.code).exists():
        errors["code"] = _("Another tier of %(year)s has this code.") % {"year": rule.year}
    if siblings.filter(rank=rule.rank).exists():
        errors["rank"] = _("Another tier of %(year)s has this rank.") % {"year": rule.year}
    if errors:
        raise ValidationError(errors)


def save_rule(rule, *, by, values, expected_version=None):
    """Create (rule.pk is None) or change one tier rule of a year; the office only; a stale edit is refused."""
    if not by.has_perm("enterprises.manage_tiers"):
        raise PermissionDenied(_("Only the provincial office changes the tiers."))
    for name in RULE_FIELDS:
        if name in values:
            setattr(rule, name, values[name])
    rule.needs_recognition = rule.needs_recognition or ""
    _check_rule(rule, exclude_pk=rule.pk)
    rule.updated_by = by
    with transaction.atomic():
        if rule.pk is None:
            rule._change_reason = "tier rule added"
            rule.save()
        else:
            rule._change_reason = "tier rule changed"
            save_versioned(rule, expected_version=expected_version if expected_version is not None else rule.version)
    return rule


def delete_rule(rule, *, by, expected_version):
    if not by.has_perm("enterprises.manage_tiers"):
        raise PermissionDenied(_("Only the provincial office changes the tiers."))
    with transaction.atomic():
        if not TierRule.objects.filter(pk=rule.pk, version=expected_version).exists():
            raise ValidationError(_("Someone else changed this record while you were editing it. "
                                    "Reload the page to see their changes."), code="stale")
        rule._change_reason = "tier rule removed"
        rule.delete()


# --- the facts and the evaluation --------------------------------------------------------------


def _effective(row, field):
    tax = row.get(f"{field}_tax")
    return tax if tax is not None else row.get(field)


def within(ids, field="enterprise_id"):
    """Filter keywords for `field` among the sorted `ids`: a range when they run without gaps (the backfill's
    chunks; an IN of 20,000 parameters costs more to build than the query takes), IN otherwise."""
    if ids and ids[-1] - ids[0] + 1 == len(ids):
        return {f"{field}__gte": ids[0], f"{field}__lte": ids[-1]}
    return {f"{field}__in": ids}


def _facts(ids, *, last_year):
    """{(enterprise_id, year): {kind: evidence}} for the enterprises `ids` (sorted; a few queries)."""
    facts = defaultdict(dict)
    among = within(ids)
    for e, year, number in Registration.objects.filter(**among).values_list("enterprise_id", "year", "number"):
        facts[(e, year)]["registration"] = number
    sike = (EnterpriseNomination.objects.filter(verdict__eligible=True, **among)
            .exclude(state=NominationState.WITHDRAWN).values_list("enterprise_id", "cycle__year", "pk"))
    for e, year, pk in sike:
        facts[(e, year)]["sike"] = pk
    for e, kind, year, ref, batch in Recognition.objects.filter(**among).values_list(
            "enterprise_id", "kind", "year", "reference", "batch"):
        span = VALID_YEARS.get(kind, 1)
        until = last_year if span is None else min(year + span - 1, max(last_year, year))
        for y in range(year, until + 1):
            facts[(e, y)].setdefault(kind, {"year": year, "ref": ref, **({"batch": batch} if batch else {})})
    certs = Enterprise.objects.filter(**within(ids, "pk"), is_high_tech=True, high_tech_cert_expires__isnull=False).values_list(
        "pk", "high_tech_cert_no", "high_tech_cert_expires")
    for e, number, expires in certs:
        for y in range(expires.year - 2, min(expires.year, max(last_year, expires.year - 2)) + 1):
            facts[(e, y)].setdefault("high_tech", {"year": None, "ref": number, "until": expires.isoformat()})
    for row in EnterpriseYear.objects.filter(**among).values(
            "enterprise_id", "year", "revenue", "revenue_tax", "rd_expense", "rd_expense_tax", "employees",
            "employees_tax"):
        facts[(row["enterprise_id"], row["year"])]["figures"] = {
            "revenue": _effective(row, "revenue"), "rd_expense": _effective(row, "rd_expense"),
            "employees": _effective(row, "employees")}
    return facts


def _meets(rule, fact, year):
    """The reasons the enterprise meets `rule` in `year`, or None when it does not."""
    reasons = []
    if rule.needs_registration:
        if "registration" not in fact:
            return None
        reasons.append({"kind": "registration", "year": year, "ref": fact["registration"]})
    if rule.needs_sike:
        if "sike" not in fact:
            return None
        reasons.append({"kind": "sike", "year": year, "ref": fact["sike"]})
    if rule.needs_recognition:
        evidence = fact.get(rule.needs_recognition)
        if evidence is None:
            return None
        reasons.append({"kind": rule.needs_recognition, **evidence})
    figures = fact.get("figures") or {}
    revenue, rd, staff = figures.get("revenue"), figures.get("rd_expense"), figures.get("employees")
    if rule.revenue_min is not None:
        if revenue is None or revenue < rule.revenue_min:
            return None
        reasons.append({"kind": "revenue", "year": year, "value": str(revenue), "min": str(rule.revenue_min)})
    if rule.employees_min is not None:
        if staff is None or staff < rule.employees_min:
            return None
        reasons.append({"kind": "employees", "year": year, "value": staff, "min": rule.employees_min})
    if rule.rd_percent_min is not None:
        if not revenue or rd is None:
            return None
        percent = (Decimal(rd) * 100 / Decimal(revenue)).quantize(Decimal("0.01"))
        if percent < rule.rd_percent_min:
            return None
        reasons.append({"kind": "rd_percent", "year": year, "value": str(percent), "min": str(rule.rd_percent_min)})
    return reasons


def last_year():
    """The latest year anything is known for (registrations, figures, programme years)."""
    years = [
        Registration.all_objects.aggregate(y=Max("year"))["y"],
        EnterpriseYear.objects.aggregate(y=Max("year"))["y"],
        Recognition.objects.aggregate(y=Max("year"))["y"],
        EnterpriseNomination.objects.aggregate(y=Max("cycle__year"))["y"],
    ]
    years = [y for y in years if y]
    return max(years) if years else timezone.localdate().year


def evaluate(*, enterprise_ids, progress=None):
    """Re-evaluate the tier standings of `enterprise_ids`, every year they have facts for; returns the count.

    The standings of each chunk are replaced in one transaction; the pool entries' current tier
    (the latest year's) is updated with them.
    """
    ids = sorted(set(enterprise_ids))
    latest = last_year()
    rules_by_year = {}
    now = timezone.now()
    written = 0
    by_copy = connection.vendor == "postgresql"
    size = COPY_CHUNK if by_copy else CHUNK
    for start in range(0, len(ids), size):
        chunk = ids[start:start + size]
        facts = _facts(chunk, last_year=latest)
        standings = []  # (enterprise_id, year, rule, reasons)
        for (enterprise_id, year), fact in facts.items():
            if year not in rules_by_year:
                rules_by_year[year] = sorted(ensure_rules(year), key=lambda r: -r.rank)
            for rule in rules_by_year[year]:
                reasons = _meets(rule, fact, year)
                if reasons is not None:
                    standings.append((enterprise_id, year, rule, reasons))
                    break
        with transaction.atomic():
            if by_copy:
                _replace_by_copy(chunk, standings, now)
            else:
                TierStanding.objects.filter(enterprise_id__in=chunk).delete()
                TierStanding.objects.bulk_create(
                    [TierStanding(enterprise_id=e, year=y, rank=rule.rank, code=rule.code, name=rule.name,
                                  reasons=reasons, evaluated_at=now) for e, y, rule, reasons in standings],
                    batch_size=2000)
                _copy_current_tier(chunk)
        written += len(standings)
        if progress:
            progress(start + len(chunk), total=len(ids))
    return written


def _copy_text(value):
    """A value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _replace_by_copy(ids, standings, now):
    """PostgreSQL: the chunk's standings replaced (one DELETE, one COPY) and the pool entries' current tier set
    from arrays in one UPDATE (only the entries whose tier changed are written)."""
    from ..models import PoolEntry

    table = connection.ops.quote_name(TierStanding._meta.db_table)
    pool_table = connection.ops.quote_name(PoolEntry._meta.db_table)
    when = now.isoformat()
    buf = io.StringIO()
    current = {}
    for e, y, rule, reasons in standings:
        buf.write("\t".join((str(e), str(y), str(rule.rank), _copy_text(rule.code), _copy_text(rule.name),
                             _copy_text(json.dumps(reasons, ensure_ascii=False)), when)))
        buf.write("\n")
        if e not in current or y > current[e][0]:
            current[e] = (y, rule.rank, rule.code)
    buf.seek(0)
    blank = (None, 0, "")
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE enterprise_id = ANY(%s)", [ids])
        cursor.cursor.copy_expert(
            f"COPY {table} (enterprise_id, year, rank, code, name, reasons, evaluated_at) FROM STDIN", buf)
        cursor.execute(
            f"UPDATE {pool_table} AS p SET tier_year = v.y, tier_rank = v.r, tier_code = v.c "
            "FROM unnest(%s::bigint[], %s::int[], %s::int[], %s::text[]) AS v(e, y, r, c) "
            "WHERE p.enterprise_id = v.e AND (p.tier_year IS DISTINCT FROM v.y OR p.tier_rank <> v.r "
            "OR p.tier_code <> v.c)",
            [ids, [current.get(e, blank)[0] for e in ids], [current.get(e, blank)[1] for e in ids],
             [current.get(e, blank)[2] for e in ids]])


def _copy_current_tier(ids):
    from ..models import PoolEntry

    latest = TierStanding.objects.filter(enterprise_id=OuterRef("enterprise_id")).order_by("-year")
    PoolEntry.objects.filter(enterprise_id__in=ids).update(
        tier_year=Subquery(latest.values("year")[:1]),
        tier_rank=Coalesce(Subquery(latest.values("rank")[:1]), Value(0)),
        tier_code=Coalesce(Subquery(latest.values("code")[:1]), Value("")),
    )


# --- reading -----------------------------------------------------------------------------------


def reason_text(reason):
    """One piece of evidence, as the pages show it."""
    kind = reason.get("kind")
    if kind == "registration":
        return _("Tech SME registration %(ref)s for %(year)s") % reason
    if kind == "sike":
        return _("Met the 四科 standard in the %(year)s nomination") % reason
    if kind == "revenue":
        return _("Sales revenue %(value)s yuan in %(year)s (at least %(min)s)") % reason
    if kind == "employees":
        return _("%(value)s employees in %(year)s (at least %(min)s)") % reason
    if kind == "rd_percent":
        return _("R&D intensity %(value)s%% in %(year)s (at least %(min)s%%)") % reason
    if kind in Recognition.Kind.values:
        label = Recognition.Kind(kind).label
        if reason.get("until"):
            return _("%(label)s, certificate %(ref)s valid until %(until)s") % {"label": label, **reason}
        return _("%(label)s since %(year)s %(ref)s") % {"label": label, "year": reason.get("year"),
                                                       "ref": reason.get("ref") or ""}
    return str(reason)


def movement(previous_rank, rank):
    """'up', 'down', 'same' or 'new' between two consecutive years' ranks (None: no standing)."""
    if previous_rank is None:
        return "new" if rank is not None else None
    if rank is None:
        return "down"
    return "up" if rank > previous_rank else "down" if rank < previous_rank else "same"


def timeline(enterprise):
    """[(year, standing or None, movement)] for every year the enterprise stood on a tier, oldest first."""
    standings = list(enterprise.tier_standings.order_by("year"))
    rows, previous = [], None
    for s in standings:
        if previous is not None and s.year != previous.year + 1:
            previous = None
        rows.append({"year": s.year, "standing": s, "reasons": [reason_text(r) for r in s.reasons],
                     "movement": movement(previous.rank if previous else None, s.rank)})
        previous = s
    return rows

