"""双千 statistics: how many 推介, 意向, 对接记录 and technology contracts (with their value), by region,
by institution and by field, for the province or one region (a bureau sees its own); and the same
as a workbook (text cells neutralised: pojian.domain.xlsx)."""

import io
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from enterprises.models import Industry
from pojian.domain.xlsx import write_workbook
from pojian.models import Region

from ..models import Institution, Interest, MatchRecord, Recommendation, TechContract

DIMENSIONS = ("region", "institution", "field")
MEASURES = ("recommendations", "interests", "matches", "agreements", "contracts")


def _sources(region, year):
    """(measure, queryset, {dimension: lookup}) — every count is filtered to the region and year asked."""
    lookups = {"region": "region", "institution": "result__institution", "field": "result__field"}
    contract_lookups = {"region": "enterprise__region", "institution": "institution", "field": "result__field"}
    rec = Recommendation.objects.all()
    interest = Interest.objects.all()
    match = MatchRecord.objects.all()
    contract = TechContract.objects.in_force()  # a cancelled contract is no longer counted
    if region is not None:
        rec, interest, match = (qs.filter(region=region) for qs in (rec, interest, match))
        contract = contract.filter(enterprise__region=region)
    if year:
        rec, interest = rec.filter(created_at__year=year), interest.filter(created_at__year=year)
        match, contract = match.filter(met_on__year=year), contract.filter(registered_on__year=year)
    agreed = match.filter(status__in=(MatchRecord.Status.AGREED, MatchRecord.Status.CONTRACTED))
    return [("recommendations", rec, lookups), ("interests", interest, lookups), ("matches", match, lookups),
            ("agreements", agreed, lookups), ("contracts", contract, contract_lookups)]


def _label(dimension, key, names):
    if key is None:
        return _("(not stated)")
    if dimension == "field":
        return str(Industry(key).label) if key in Industry.values else key
    return names[dimension].get(key, str(key))


def statistics(*, region=None, year=None):
    """{dimension: [row]} with row = {"key", "label", measures…, "contract_value"}; a total row per dimension."""
    sources = _sources(region, year)
    tables = {}
    names = {"region": dict(Region.objects.values_list("pk", "name")),
             "institution": dict(Institution.objects.values_list("pk", "name"))}
    for dimension in DIMENSIONS:
        rows = {}
        for measure, qs, lookups in sources:
            key = lookups[dimension]
            annotations = {"n": Count("pk")}
            if measure == "contracts":
                annotations["value"] = Sum("contract_amount")
            for row in qs.order_by().values(key).annotate(**annotations):
                entry = rows.setdefault(row[key], {m: 0 for m in MEASURES} | {"contract_value": Decimal("0")})
                entry[measure] = row["n"]
                if measure == "contracts":
                    entry["contract_value"] = row["value"] or Decimal("0")
        table = [{"key": k, "label": _label(dimension, k, names), **v} for k, v in rows.items()]
        table.sort(key=lambda r: (-r["contracts"], -r["matches"], -r["recommendations"], r["label"]))
        total = {m: sum(r[m] for r in table) for m in (*MEASURES, "contract_value")}
        tables[dimension] = {"rows": table, "total": total}
    return tables


def headers():
    return [_("Recommendations (推介)"), _("Interests (意向)"), _("Matching records (对接)"),
            _("Agreements reached"), _("Contracts signed"), _("Contract value (yuan)")]


def dimension_names():
    return {"region": _("Region"), "institution": _("Institution"), "field": _("Field")}


def workbook(tables) -> bytes:
    """The statistics as an .xlsx: one sheet per dimension, a total row at the end."""
    buffer = io.BytesIO()
    sheets = []
    for dimension, title in dimension_names().items():
        t = tables[dimension]
        rows = [[r["label"], *(r[m] for m in MEASURES), r["contract_value"]] for r in t["rows"]]
        rows.append([_("Total"), *(t["total"][m] for m in MEASURES), t["total"]["contract_value"]])
        sheets.append((title, [title, *headers()], rows, [36, 12, 12, 12, 12, 12, 18]))
    write_workbook(buffer, sheets)
    return buffer.getvalue()
