"""The contract subsidy (技术合同后补助): per enterprise and year, computed from the year's rule.

A contract counts when the enterprise is its buyer (受让方), its type is one the rule names, its
institution is inside the province (when the rule asks), the result is being put to use (when the
rule asks) and at least the rule's minimum was actually paid on it in the year. The base is the
amount actually paid in the year on the counted contracts; the subsidy is `tiered(base, bands)`,
capped per enterprise and scaled to the budget by `allocate` (whole yuan). Each enterprise gets a
line-by-line explanation.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from funding.domain.allocation import allocate, tiered
from funding.domain.rd_subsidy import band_parts

from ..models import ContractPayment, TechContract


@dataclass
class SubsidyLine:
    enterprise_id: int
    enterprise_name: str
    region_id: int
    base: Decimal = Decimal("0")
    computed: Decimal = Decimal("0")
    granted: Decimal = Decimal("0")
    contracts: list = field(default_factory=list)  # [(contract, paid in the year, counted, why not)]
    explanation: list = field(default_factory=list)


def _bands(rule):
    return [(None if upper is None else Decimal(str(upper)), Decimal(str(rate))) for upper, rate in rule.bands]


def compute(rule, *, region_id=None, contract_ids=None, checked_only=False):
    """The lines of the rule's year, by enterprise (name order); nothing is saved.

    `contract_ids`: only these contracts (the ones applied for); `checked_only`: only payments whose
    receipt the office accepted count (the workflow's computation; the preview counts every payment).
    """
    return compute_with_summary(rule, region_id=region_id, contract_ids=contract_ids, checked_only=checked_only)[0]


def compute_with_summary(rule, *, region_id=None, contract_ids=None, checked_only=False):
    """(lines, {"asked": capped total, "scaled": whether the budget scaled it, "total": granted})."""
    start, end = datetime.date(rule.year, 1, 1), datetime.date(rule.year, 12, 31)
    in_year = Q(payments__paid_on__range=(start, end))
    if checked_only:
        in_year &= Q(payments__receipt_check__state="accepted")
    contracts = (TechContract.objects.in_force().filter(enterprise_role=TechContract.Role.BUYER)
                 .select_related("enterprise", "institution")
                 .annotate(paid_in_year=Sum("payments__amount", filter=in_year)))
    contracts = contracts.filter(pk__in=ContractPayment.objects.filter(paid_on__range=(start, end)).values("contract"))
    if region_id is not None:
        contracts = contracts.filter(enterprise__region_id=region_id)
    if contract_ids is not None:
        contracts = contracts.filter(pk__in=list(contract_ids))
    lines = {}
    for c in contracts.order_by("enterprise__name", "registration_number"):
        line = lines.setdefault(c.enterprise_id, SubsidyLine(c.enterprise_id, c.enterprise.name, c.enterprise.region_id))
        paid = c.paid_in_year or Decimal("0")
        why = ""
        if c.kind not in rule.kinds:
            why = _("its type (%(kind)s) is not subsidised this year") % {"kind": c.get_kind_display()}
        elif rule.in_province_only and not c.institution.in_province:
            why = _("the institution is outside the province")
        elif rule.needs_implementation and not c.implementation.strip():
            why = _("no account of how the result is being put to use")
        elif checked_only and c.paid_in_year is None:
            why = _("no payment of %(year)s with a receipt the office accepted") % {"year": rule.year}
        elif paid < rule.min_paid:
            why = _("less than %(min)s 元 paid in %(year)s") % {"min": f"{rule.min_paid:,.2f}", "year": rule.year}
        line.contracts.append((c, paid, not why, why))
        if not why:
            line.base += paid
    bands = _bands(rule)
    for line in lines.values():
        line.computed = tiered(line.base, bands)
    granted = allocate({k: v.computed for k, v in lines.items()}, budget=rule.budget, cap=rule.cap)
    asked = sum((min(v.computed, rule.cap) if rule.cap is not None else v.computed for v in lines.values()), Decimal("0"))
    scaled = asked > rule.budget
    for key, line in lines.items():
        line.granted = granted[key]
        for c, paid, counted, why in line.contracts:
            line.explanation.append(
                _("Contract %(number)s (%(institution)s): %(paid)s 元 paid in %(year)s, counted.") % {
                    "number": c.registration_number, "institution": c.institution.name, "paid": f"{paid:,.2f}",
                    "year": rule.year} if counted else
                _("Contract %(number)s: not counted: %(why)s.") % {"number": c.registration_number, "why": why})
        line.explanation.append(_("Base %(base)s 元.") % {"base": f"{line.base:,.2f}"})
        for lower, upper, rate, part, amount in band_parts(line.base, bands):
            line.explanation.append(_("Band %(lower)s–%(upper)s 元 at %(rate)s%%: %(part)s × %(rate)s%% = %(amount)s 元.") % {
                "lower": f"{lower:,.2f}", "upper": "∞" if upper is None else f"{upper:,.2f}",
                "rate": f"{(rate * 100).normalize():f}", "part": f"{part:,.2f}", "amount": f"{amount:,.2f}"})
        line.explanation.append(_("By the bands %(computed)s 元.") % {"computed": f"{line.computed:,.2f}"})
        if rule.cap is not None and line.computed > rule.cap:
            line.explanation.append(_("Capped at %(cap)s 元.") % {"cap": f"{rule.cap:,.2f}"})
        if scaled:
            line.explanation.append(_("Scaled to the budget of %(budget)s 元: %(granted)s 元.") % {
                "budget": f"{rule.budget:,.2f}", "granted": f"{line.granted:,.2f}"})
    summary = {"asked": asked, "scaled": scaled, "total": sum(granted.values(), Decimal("0"))}
    return sorted(lines.values(), key=lambda x: (x.enterprise_name, x.enterprise_id)), summary
