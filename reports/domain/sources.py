"""Small adapters onto the other apps' models: what the reports read from incubators, finance,
reviews and assessment.

Every model of another app (except enterprises and the core) is looked up here with
`django.apps.apps.get_model` and its table checked once, so a section whose app is not built
(or not migrated) yet says "not available yet" instead of crashing: the adapter returns None.
Every adapter is one or two set-based queries (values/annotate/Count/Sum), never a query per
region or per row.
"""

from decimal import Decimal
from functools import lru_cache

from django.apps import apps
from django.db import connection
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone

from pojian.models import NominationState as S

ZERO = Decimal("0")

#: Nomination states by stage of the funnel (a later stage is a subset of the earlier one).
LIVE = [s for s in S.values if s != S.WITHDRAWN]
SUBMITTED = [S.SUBMITTED, S.RETURNED, S.ACCEPTED, S.REJECTED, S.SELECTED, S.NOT_SELECTED]
ACCEPTED = [S.ACCEPTED, S.SELECTED, S.NOT_SELECTED]
SELECTED = [S.SELECTED]
STAGES = ("nominated", "submitted", "accepted", "selected")


@lru_cache(maxsize=8)
def _tables(database_name):
    return frozenset(connection.introspection.table_names())


def table_exists(model) -> bool:
    return model._meta.db_table in _tables(connection.settings_dict["NAME"])


def model(label):
    """The model "app_label.ModelName", or None when its app or table is not there (yet)."""
    try:
        found = apps.get_model(label)
    except (LookupError, ValueError):
        return None
    return found if table_exists(found) else None


def pipeline_counts(nomination_model, *, cycle, region=None, by_region=True):
    """{region_id: {nominated, submitted, accepted, selected, by_state}} in ONE grouped query."""
    qs = nomination_model.objects.filter(cycle=cycle)
    if region is not None:
        qs = qs.filter(region=region)
    rows = qs.values("region_id", "state").annotate(n=Count("pk")).order_by()
    result = {}
    for row in rows:
        key = row["region_id"] if by_region else None
        entry = result.setdefault(key, {"nominated": 0, "submitted": 0, "accepted": 0, "selected": 0, "by_state": {}})
        state, n = row["state"], row["n"]
        entry["by_state"][state] = entry["by_state"].get(state, 0) + n
        entry["nominated"] += n if state in LIVE else 0
        entry["submitted"] += n if state in SUBMITTED else 0
        entry["accepted"] += n if state in ACCEPTED else 0
        entry["selected"] += n if state in SELECTED else 0
    return result


# --- incubators -----------------------------------------------------------------------------


def incubator_pipeline(*, cycle, region=None):
    m = model("incubators.IncubatorNomination")
    return None if m is None else pipeline_counts(m, cycle=cycle, region=region)


def incubators_supported(*, year, region=None):
    """The year's post-subsidy list (后补助) and selected incubator nominations, or None."""
    nominations = model("incubators.IncubatorNomination")
    subsidies = model("incubators.PostSubsidy")
    if nominations is None and subsidies is None:
        return None
    rows = {}
    if nominations is not None:
        qs = nominations.objects.filter(cycle__year=year, state__in=SELECTED)
        if region is not None:
            qs = qs.filter(region=region)
        for r in qs.values("incubator_id", "incubator__name", "incubator__kind", "incubator__level", "region__name",
                           "region__sort_order"):
            rows[r["incubator_id"]] = {**r, "selected": True, "amount": None}
    if subsidies is not None:
        qs = subsidies.objects.filter(year=year)
        if region is not None:
            qs = qs.filter(incubator__region=region)
        for r in qs.values("incubator_id", "incubator__name", "incubator__kind", "incubator__level",
                           "incubator__region__name", "incubator__region__sort_order", "amount"):
            entry = rows.setdefault(r["incubator_id"], {
                "incubator_id": r["incubator_id"], "incubator__name": r["incubator__name"],
                "incubator__kind": r["incubator__kind"], "incubator__level": r["incubator__level"],
                "region__name": r["incubator__region__name"], "region__sort_order": r["incubator__region__sort_order"],
                "selected": False,
            })
            entry["amount"] = r["amount"]
    kinds = _choices(nominations or subsidies, "incubator", "kind")
    levels = _choices(nominations or subsidies, "incubator", "level")
    result = []
    for r in sorted(rows.values(), key=lambda r: (r["region__sort_order"] or 0, r["incubator__name"])):
        result.append({
            "name": r["incubator__name"], "region": r["region__name"],
            "kind": str(kinds.get(r["incubator__kind"], r["incubator__kind"] or "")),
            "level": str(levels.get(r["incubator__level"], r["incubator__level"] or "")),
            "selected": r["selected"], "amount": r["amount"],
        })
    return {
        "rows": result,
        "count": len(result),
        "selected": sum(1 for r in result if r["selected"]),
        "subsidised": sum(1 for r in result if r["amount"] is not None),
        "total_amount": sum((r["amount"] for r in result if r["amount"] is not None), ZERO),
    }


def post_subsidy_by_region(*, year):
    """{region_id: (count, amount)} of the year's post-subsidies, in one grouped query; None when not available."""
    m = model("incubators.PostSubsidy")
    if m is None:
        return None
    return {r["incubator__region_id"]: (r["n"], r["total"] or ZERO)
            for r in m.objects.filter(year=year).values("incubator__region_id")
            .annotate(n=Count("pk"), total=Sum("amount")).order_by()}


def post_subsidy_by_year():
    """{year: (count, amount)} of post-subsidies, for trends; None when not available."""
    m = model("incubators.PostSubsidy")
    if m is None:
        return None
    return {r["year"]: (r["n"], r["total"] or ZERO)
            for r in m.objects.values("year").annotate(n=Count("pk"), total=Sum("amount")).order_by()}


def _choices(m, fk, field):
    try:
        target = m._meta.get_field(fk).related_model
        return dict(target._meta.get_field(field).choices or [])
    except Exception:  # noqa: BLE001 - a renamed field only loses the label
        return {}


# --- finance --------------------------------------------------------------------------------


def finance_partners(*, year):
    """The cooperation list (合作名单) of the year: [{name, kind, region}], or None."""
    m = model("finance.Partnership")
    if m is None:
        return None
    kinds = _choices(m, "institution", "kind")
    return [
        {"name": r["institution__name"], "kind": str(kinds.get(r["institution__kind"], r["institution__kind"])),
         "region": r["institution__region__name"]}
        for r in m.objects.filter(year=year)
        .values("institution__name", "institution__kind", "institution__region__name")
        .order_by("institution__name")
    ]


def _investments(*, year, region=None):
    m = model("finance.Investment")
    if m is None:
        return None
    qs = m.objects.filter(date__year=year)
    if region is not None:
        qs = qs.filter(enterprise__region=region)
    return qs


def investment_totals(*, year, region=None):
    """{count, amount, early_small_count, early_small_amount, by_region: [...]} in one grouped query."""
    qs = _investments(year=year, region=region)
    if qs is None:
        return None
    small = Q(early_or_small=True) if _has_field("finance.Investment", "early_or_small") else Q(pk__in=[])
    rows = list(
        qs.values("enterprise__region_id", "enterprise__region__name", "enterprise__region__sort_order")
        .annotate(n=Count("pk"), total=Sum("amount"), small_n=Count("pk", filter=small),
                  small_total=Sum("amount", filter=small))
        .order_by("enterprise__region__sort_order")
    )
    by_region = [
        {"region_id": r["enterprise__region_id"], "region": r["enterprise__region__name"], "count": r["n"],
         "amount": r["total"] or ZERO, "early_small_count": r["small_n"], "early_small_amount": r["small_total"] or ZERO}
        for r in rows
    ]
    return {
        "count": sum(r["count"] for r in by_region),
        "amount": sum((r["amount"] for r in by_region), ZERO),
        "early_small_count": sum(r["early_small_count"] for r in by_region),
        "early_small_amount": sum((r["early_small_amount"] for r in by_region), ZERO),
        "by_region": by_region,
    }


def investment_rows(*, year, region=None):
    """Every investment of the year (for the workbook and the report's table), as dicts."""
    qs = _investments(year=year, region=region)
    if qs is None:
        return None
    m = qs.model
    rounds = dict(m._meta.get_field("round").choices or []) if _has_field("finance.Investment", "round") else {}
    fields = ["date", "institution__name", "enterprise__name", "enterprise__region__name", "amount"]
    extra = [f for f in ("round", "early_or_small") if _has_field("finance.Investment", f)]
    return [
        {**r, "round": str(rounds.get(r.get("round"), r.get("round") or "")), "early_or_small": r.get("early_or_small")}
        for r in qs.values(*fields, *extra).order_by("date", "pk")
    ]


def investments_by_year():
    """{year: (count, amount)}, for trends; None when not available."""
    m = model("finance.Investment")
    if m is None:
        return None
    rows = m.objects.annotate(y=ExtractYear("date")).values("y").annotate(n=Count("pk"), total=Sum("amount")).order_by()
    return {r["y"]: (r["n"], r["total"] or ZERO) for r in rows}


def _has_field(label, name):
    m = model(label)
    if m is None:
        return False
    try:
        m._meta.get_field(name)
        return True
    except Exception:  # noqa: BLE001
        return False


# --- reviews --------------------------------------------------------------------------------


def review_progress(*, cycle):
    """Scores in / expected per round and per expert, from ONE grouped query; None when not available.

    Expected: live (not withdrawn) assignments; in: submitted ones.
    """
    m = model("reviews.Assignment")
    if m is None:
        return None
    rows = (
        m.objects.filter(item__round__cycle=cycle).exclude(state="withdrawn")
        .values("item__round__kind", "expert_id", "expert__name")
        .annotate(expected=Count("pk"), done=Count("pk", filter=Q(progress="submitted")))
        .order_by("item__round__kind", "expert__name")
    )
    kinds = _round_kinds()
    rounds, experts = {}, []
    for r in rows:
        kind = r["item__round__kind"]
        entry = rounds.setdefault(kind, {"kind": kind, "label": str(kinds.get(kind, kind)), "expected": 0, "done": 0})
        entry["expected"] += r["expected"]
        entry["done"] += r["done"]
        experts.append({"round": str(kinds.get(kind, kind)), "expert": r["expert__name"], "expected": r["expected"],
                        "done": r["done"]})
    return {
        "rounds": list(rounds.values()),
        "experts": experts,
        "expected": sum(r["expected"] for r in rounds.values()),
        "done": sum(r["done"] for r in rounds.values()),
    }


def _round_kinds():
    m = model("reviews.Round")
    return dict(m._meta.get_field("kind").choices or []) if m is not None else {}


def review_selected_counts(*, cycle):
    """{round kind: selected items in the ranking} (selected before or after confirmation), or None."""
    m = model("reviews.ReviewItem")
    if m is None:
        return None
    return dict(
        m.objects.filter(round__cycle=cycle, selected=True).values_list("round__kind").annotate(n=Count("pk")).order_by()
    )


def review_scores(*, cycle, nomination_model, kind="enterprises"):
    """{nomination id: (aggregate, rank)} for a kind of nomination in the year's round; None when not available."""
    m = model("reviews.ReviewItem")
    if m is None:
        return None
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(nomination_model)
    return {
        r["object_id"]: (r["aggregate"], r["rank"])
        for r in m.objects.filter(round__cycle=cycle, round__kind=kind, content_type=ct)
        .values("object_id", "aggregate", "rank")
    }


def notice_lists(*, cycle, on=None):
    """What the review has made public for the year, or None when reviews are not available.

    {"running": [notice...], "confirmed": [list...]}: a notice (公示) while it runs, with its
    selected nominations and only the columns the notice chose to show; the confirmed lists
    (results confirmed) with name, region and industry. Two queries for the rounds, one for the items.
    """
    Round = model("reviews.Round")
    Item = model("reviews.ReviewItem")
    Notice = model("reviews.PublicNotice")
    if Round is None or Item is None or Notice is None:
        return None
    on = on or timezone.localdate()
    kinds = dict(Round._meta.get_field("kind").choices or [])
    notices = {
        n["round_id"]: n
        for n in Notice.objects.filter(round__cycle=cycle).values(
            "round_id", "title", "starts", "ends", "how_to_object", "show_uscc", "show_industry", "show_score"
        )
    }
    rounds = list(Round.objects.filter(cycle=cycle).values("pk", "kind", "results_confirmed_at").order_by("kind"))
    running = {r["pk"]: r for r in rounds if r["pk"] in notices and notices[r["pk"]]["starts"] <= on <= notices[r["pk"]]["ends"]}
    confirmed = {r["pk"]: r for r in rounds if r["results_confirmed_at"] is not None}
    wanted = set(running) | set(confirmed)
    items = {}
    if wanted:
        from enterprises.models import Industry

        industries = dict(Industry.choices)
        for it in (
            Item.objects.filter(round_id__in=wanted, selected=True)
            .values("round_id", "nominee_name", "nominee_uscc", "region__name", "industry", "aggregate", "rank")
            .order_by("round_id", "rank", "nominee_name")
        ):
            it["industry_label"] = str(industries.get(it["industry"], it["industry"] or ""))
            items.setdefault(it["round_id"], []).append(it)
    running_lists = []
    for pk, r in running.items():
        n = notices[pk]
        rows = [
            {"name": it["nominee_name"], "region": it["region__name"],
             "industry": it["industry_label"] if n["show_industry"] else None,
             "uscc": it["nominee_uscc"] if n["show_uscc"] else None,
             "score": it["aggregate"] if n["show_score"] else None}
            for it in items.get(pk, [])
        ]
        running_lists.append({"kind": r["kind"], "label": str(kinds.get(r["kind"], r["kind"])), "title": n["title"],
                              "starts": n["starts"], "ends": n["ends"], "how_to_object": n["how_to_object"],
                              "show_uscc": n["show_uscc"], "show_industry": n["show_industry"],
                              "show_score": n["show_score"], "rows": rows})
    confirmed_lists = [
        {"kind": r["kind"], "label": str(kinds.get(r["kind"], r["kind"])), "confirmed_at": r["results_confirmed_at"],
         "rows": [{"name": it["nominee_name"], "region": it["region__name"], "industry": it["industry_label"]}
                  for it in items.get(pk, [])]}
        for pk, r in confirmed.items()
    ]
    return {"running": running_lists, "confirmed": confirmed_lists}


def notice_published(*, cycle, kind="enterprises"):
    """Whether the year's round of that kind has had its 公示 published (or results confirmed)."""
    Round = model("reviews.Round")
    Notice = model("reviews.PublicNotice")
    if Round is None:
        return False
    q = Q(results_confirmed_at__isnull=False)
    if Notice is not None:
        q |= Q(notice__isnull=False)
    return Round.objects.filter(cycle=cycle, kind=kind).filter(q).exists()


# --- assessment -----------------------------------------------------------------------------


def assessment(*, cycle, published_only=False, region=None):
    """The bureaus' assessment of the year: {computed_at, published_at, rows}, or None.

    With `published_only` an unpublished assessment gives {"published": False, rows: []}. With a
    region and an unpublished assessment only that region's own row is given (a bureau does not
    see the others before publication).
    """
    A = model("assessment.Assessment")
    R = model("assessment.RegionResult")
    if A is None or R is None:
        return None
    head = A.objects.filter(cycle=cycle).values("pk", "computed_at", "published_at").first()
    if head is None:
        return {"exists": False, "published": False, "computed_at": None, "published_at": None, "rows": []}
    published = head["published_at"] is not None
    result = {"exists": True, "published": published, "computed_at": head["computed_at"],
              "published_at": head["published_at"], "rows": []}
    if published_only and not published:
        return result
    qs = R.objects.filter(assessment_id=head["pk"])
    if region is not None and not published:
        qs = qs.filter(region=region)
    result["rows"] = [
        {"rank": r["rank"], "region": r["region__name"], "region_id": r["region_id"], "total": r["total"],
         "commended": r["commended"], "reason": r["commendation_reason"] if r["commended"] else ""}
        for r in qs.values("rank", "region_id", "region__name", "total", "commended", "commendation_reason")
        .order_by("rank", "region__sort_order")
    ]
    return result


def assessment_totals_by_year():
    """{year: best total} for trends; None when not available."""
    R = model("assessment.RegionResult")
    if R is None:
        return None
    return dict(R.objects.values_list("assessment__cycle__year").annotate(best=Max("total")).order_by())


def funding(*, cycle, region=None):
    """The funding ledger's execution for the year (funding.domain.ledger), or None before that app exists."""
    grant = model("funding.Grant")
    if grant is None:
        return None
    from funding.domain.ledger import execution

    return execution(cycle, region=region)


def tech_contracts(*, cycle, region=None):
    """双千工程: contracts registered up to the end of the year and the amounts paid on them, by region
    and by institution, with the year's contract subsidy as computed (None before that app exists)."""
    import datetime

    contract = model("techtransfer.TechContract")
    if contract is None:
        return None

    from techtransfer.domain import subsidy
    from techtransfer.models import ContractPayment, ContractSubsidyRule

    end = datetime.date(cycle.year, 12, 31)
    qs = contract.objects.filter(registered_on__lte=end, cancelled_at__isnull=True)  # cancelled ones do not count
    if region is not None:
        qs = qs.filter(enterprise__region=region)
    paid = ContractPayment.objects.filter(contract__in=qs, paid_on__lte=end)
    rule = ContractSubsidyRule.objects.filter(year=cycle.year).first()
    granted = {}
    if rule is not None and rule.computed_at is not None:  # the workflow's stored amounts (applications, receipts)
        from techtransfer.domain.subsidy_workflow import submitted

        applications = submitted(rule) if region is None else submitted(rule).filter(region=region)
        granted = dict(applications.order_by().values_list("region_id").annotate(s=Sum("granted")))
    elif rule is not None:
        for line in subsidy.compute(rule, region_id=getattr(region, "pk", None)):
            granted[line.region_id] = granted.get(line.region_id, Decimal("0")) + line.granted
    zero = Decimal("0")

    def grouped(key, name):
        counts = {r[key]: r for r in qs.order_by().values(key, name).annotate(n=Count("pk"), value=Sum("contract_amount"))}
        paid_by = dict(paid.order_by().values_list(f"contract__{key}").annotate(s=Sum("amount")))
        return [{"pk": k, "name": r[name], "n": r["n"], "value": r["value"] or zero, "paid": paid_by.get(k) or zero}
                for k, r in counts.items()]

    regions = sorted(grouped("enterprise__region", "enterprise__region__name"), key=lambda r: r["name"])
    for r in regions:
        r["granted"] = granted.get(r["pk"], zero)
    institutions = sorted(grouped("institution", "institution__name"), key=lambda r: -r["value"])[:15]
    total = {"n": sum(r["n"] for r in regions), "value": sum((r["value"] for r in regions), zero),
             "paid": sum((r["paid"] for r in regions), zero), "granted": sum((r["granted"] for r in regions), zero)}
    return {"regions": regions, "institutions": institutions, "total": total}
