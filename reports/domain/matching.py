"""双千工程 in the statistics and the annual report: results published, demands entered, matching
records (对接), contracts registered (cancelled ones left out) and the amounts actually paid on them,
in the year, by region and by institution.

One grouped query per measure and dimension (ten in all), whatever the number of rows; None while
the techtransfer app is not there (as the other adapters in `sources`).
"""

import datetime
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from .sources import model

ZERO = Decimal("0")
MEASURES = ("results", "demands", "matches", "contracts", "value", "paid")
MONEY = ("value", "paid")


def headers(first):
    return [first, _("Results published"), _("Demands"), _("Matching records (对接)"), _("Contracts signed"),
            _("Contract value (yuan)"), _("Paid in the year (yuan)")]


def _measures(year, region):
    """(measure, queryset, {dimension: lookup or None}, aggregate) for each measure, filtered to the year and region."""
    from techtransfer.models import ContractPayment, Demand, MatchRecord, Result, TechContract

    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    results = Result.objects.filter(state=Result.State.PUBLISHED, published_at__year=year)
    demands = Demand.objects.filter(created_at__year=year)
    matches = MatchRecord.objects.filter(met_on__range=(start, end))
    contracts = TechContract.objects.in_force().filter(registered_on__range=(start, end))
    paid = ContractPayment.objects.filter(paid_on__range=(start, end), contract__cancelled_at__isnull=True)
    if region is not None:
        results = results.filter(institution__region=region)
        demands, matches = demands.filter(region=region), matches.filter(region=region)
        contracts, paid = contracts.filter(enterprise__region=region), paid.filter(contract__enterprise__region=region)
    count = Count("pk")
    return [
        ("results", results, {"region": "institution__region", "institution": "institution"}, count),
        ("demands", demands, {"region": "region", "institution": None}, count),
        ("matches", matches, {"region": "region", "institution": "result__institution"}, count),
        ("contracts", contracts, {"region": "enterprise__region", "institution": "institution"}, count),
        ("value", contracts, {"region": "enterprise__region", "institution": "institution"}, Sum("contract_amount")),
        ("paid", paid, {"region": "contract__enterprise__region", "institution": "contract__institution"},
         Sum("amount")),
    ]


def matching_figures(*, year, region=None):
    """{"regions": [row], "institutions": [row], "total": row} with row = {"pk", "name", measures…};
    regions in the nominating units' order (every active one shown), institutions by contract value."""
    if model("techtransfer.MatchRecord") is None:
        return None
    from pojian.models import Region
    from techtransfer.models import Institution

    tables = {"region": {}, "institution": {}}
    for measure, qs, lookups, aggregate in _measures(year, region):
        for dimension, lookup in lookups.items():
            if lookup is None:
                continue
            for key, value in qs.order_by().values_list(lookup).annotate(v=aggregate):
                row = tables[dimension].setdefault(key, {m: ZERO if m in MONEY else 0 for m in MEASURES})
                row[measure] = value or (ZERO if measure in MONEY else 0)
    units = Region.objects.nominating().filter(active=True) if region is None else Region.objects.filter(pk=region.pk)
    names = {r.pk: r.name for r in units}
    order = list(names)
    extra = [k for k in tables["region"] if k not in names]
    names.update(Region.objects.filter(pk__in=[k for k in extra if k is not None]).values_list("pk", "name"))
    empty = {m: ZERO if m in MONEY else 0 for m in MEASURES}
    regions = [{"pk": k, "name": names.get(k, _("(not stated)")), **tables["region"].get(k, empty)}
               for k in order + extra]
    institution_names = dict(Institution.objects.filter(pk__in=[k for k in tables["institution"] if k])
                             .values_list("pk", "name"))
    institutions = sorted(({"pk": k, "name": institution_names.get(k, _("(not stated)")), **row,
                            "demands": None}  # a demand is an enterprise's, of no institution
                           for k, row in tables["institution"].items()),
                          key=lambda r: (-r["value"], -r["contracts"], -r["matches"], -r["results"], r["name"]))
    total = {m: sum((r[m] for r in regions), ZERO if m in MONEY else 0) for m in MEASURES}
    return {"year": year, "regions": regions, "institutions": institutions, "total": {"name": _("Total"), **total}}


def rows(figures, key):
    """Table rows ([name, measures…]) of the regions or institutions, the total last for the regions."""
    body = [[r["name"], *(r[m] for m in MEASURES)] for r in figures[key]]
    if key == "regions":
        t = figures["total"]
        body.append([t["name"], *(t[m] for m in MEASURES)])
    return body


def sheets(figures):
    """Two sheets for a workbook: by region (with the total) and by institution."""
    if figures is None:
        return [(_("双千: by region"), [_("Region")], [[_("Not available yet")]], None)]
    widths = [30, 12, 10, 12, 12, 18, 18]
    return [(_("双千: by region"), headers(_("Region")), rows(figures, "regions"), widths),
            (_("双千: by institution"), headers(_("Institution")), rows(figures, "institutions"), widths)]
