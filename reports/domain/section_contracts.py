"""The annual report's section on 双千工程 technology contracts and the contract subsidy: its data,
its workbook sheets; the PDF's fragment is reports/pdf/_contracts.html.

Contracts registered up to the end of the year and the amounts paid on them, by region and by
institution (`sources.tech_contracts`); the year's contract subsidy as the workflow left it:
applications, the amounts computed, the 公示, and the grants in the ledger (committed and paid).
None when the techtransfer app is not installed.
"""

from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from . import sources

ZERO = Decimal("0")


def data(*, cycle, region=None):
    contracts = sources.tech_contracts(cycle=cycle, region=region)
    if contracts is None:
        return None
    from funding.domain.grants import committed_expression
    from funding.models import FundingLine, Grant
    from techtransfer.domain.subsidy_workflow import submitted
    from techtransfer.models import ContractSubsidyRule

    rule = ContractSubsidyRule.objects.filter(year=cycle.year).first()
    subsidy = None
    if rule is not None:
        applications = submitted(rule)
        if region is not None:
            applications = applications.filter(region=region)
        computed = rule.computed_at is not None
        totals = applications.aggregate(n=Count("pk"), listed=Count("pk", filter=Q(granted__gt=0)), granted=Sum("granted"))
        grants = Grant.objects.filter(line__code=FundingLine.TECH_CONTRACT, contract_subsidy_application__rule=rule)
        if region is not None:
            grants = grants.filter(region=region)
        ledger = grants.aggregate(committed=Sum(committed_expression()), paid=Sum("paid_amount"),
                                  recovered=Sum("recovered_amount"))
        subsidy = {
            "rule": rule, "computed": computed, "applications": totals["n"], "listed": totals["listed"],
            "granted": totals["granted"] or ZERO, "committed": ledger["committed"] or ZERO,
            "paid": (ledger["paid"] or ZERO) - (ledger["recovered"] or ZERO),
            "rows": [{"name": a.enterprise.name, "region": a.region.name, "base": a.base, "granted": a.granted,
                      "grant_state": a.grant.get_state_display() if a.grant_id else ""}
                     for a in applications.filter(granted__gt=0).select_related("grant")
                     .order_by("-granted", "enterprise__name")] if computed else [],
        }
    return {**contracts, "subsidy": subsidy}


def sheets(section):
    """[(title, headers, rows, widths)] for the workbook: contracts by region and institution; the subsidy."""
    na = [[_("Not available yet")]]
    if section is None:
        return [(_("Technology contracts"), [_("Region")], na, [30])]
    t = section["total"]
    by_region = [[r["name"], r["n"], r["value"], r["paid"], r["granted"]] for r in section["regions"]]
    by_region.append([_("Total"), t["n"], t["value"], t["paid"], t["granted"]])
    result = [
        (_("Technology contracts"), [_("Region"), _("Contracts"), _("Contract value (yuan)"), _("Paid (yuan)"),
                                     _("Contract subsidy granted (yuan)")], by_region, [24, 10, 18, 18, 20]),
        (_("Contracts by institution"), [_("Institution"), _("Contracts"), _("Contract value (yuan)"), _("Paid (yuan)")],
         [[r["name"], r["n"], r["value"], r["paid"]] for r in section["institutions"]], [34, 10, 18, 18]),
    ]
    s = section["subsidy"]
    headers = [_("Enterprise"), _("Region"), _("Base: amount paid and checked (yuan)"), _("Subsidy (yuan)"), _("Grant")]
    if s is None or not s["computed"]:
        rows = [[_("The contract subsidy of this year has not been computed yet.")]]
    else:
        rows = [[r["name"], r["region"], r["base"], r["granted"], r["grant_state"]] for r in s["rows"]]
        rows.append([_("Total"), None, None, s["granted"], None])
    result.append((_("Contract subsidy"), headers, rows, [34, 18, 20, 16, 14]))
    return result
