"""The contract subsidy (技术合同后补助): which contracts count, marginal bands on the amount paid in the
year, the cap and the budget (funding.domain.allocation), with a line-by-line explanation."""

import datetime
from decimal import Decimal

import pytest

from techtransfer.domain import subsidy
from techtransfer.models import ContractPayment, ContractSubsidyRule
from tests.enterprises.factories import EnterpriseFactory

from .factories import InstitutionFactory, TechContractFactory

pytestmark = pytest.mark.django_db
YEAR = 2025


def pay(contract, amount, on=datetime.date(YEAR, 6, 1)):
    ContractPayment.objects.create(contract=contract, paid_on=on, amount=Decimal(amount),
                                   invoice_number=f"FP{ContractPayment.objects.count()}", created_by=contract.created_by)


def rule(**changes):
    values = {"year": YEAR, "kinds": ["development", "transfer"], "min_paid": Decimal("10000"),
              "bands": [[100000, "0.05"], [1000000, "0.02"], [None, "0.01"]], "cap": Decimal("50000"),
              "budget": Decimal("1000000")}
    return ContractSubsidyRule.objects.create(**{**values, **changes})


def test_which_contracts_count_and_the_bands():
    enterprise = EnterpriseFactory(name="甲企业")
    ok = TechContractFactory(enterprise=enterprise, implementation="已投产", kind="development")
    pay(ok, "300000")
    pay(ok, "200000", on=datetime.date(YEAR - 1, 12, 31))  # paid the year before: not this year's
    consulting = TechContractFactory(enterprise=enterprise, implementation="已投产", kind="consulting")
    pay(consulting, "500000")
    outside = TechContractFactory(enterprise=enterprise, implementation="已投产",
                                  institution=InstitutionFactory(in_province=False))
    pay(outside, "500000")
    unused = TechContractFactory(enterprise=enterprise, implementation="")
    pay(unused, "500000")
    small = TechContractFactory(enterprise=enterprise, implementation="已投产")
    pay(small, "9999.99")
    sold = TechContractFactory(enterprise=enterprise, implementation="已投产", enterprise_role="seller")
    pay(sold, "500000")
    [line] = subsidy.compute(rule())
    assert line.base == Decimal("300000")
    # 5% of 100,000 + 2% of 200,000 = 5,000 + 4,000
    assert line.computed == Decimal("9000.00") and line.granted == Decimal("9000")
    counted = {c.pk: counted for c, _paid, counted, _why in line.contracts}
    assert counted == {ok.pk: True, consulting.pk: False, outside.pk: False, unused.pk: False, small.pk: False}
    # five contracts, the base, one step per band reached (two), the amount by the bands
    assert len(line.explanation) == 9
    assert any("100,000.00–1,000,000.00" in s and "200,000.00 × 2% = 4,000.00" in s for s in line.explanation)


def test_the_cap_and_the_budget():
    big, small = EnterpriseFactory(name="大企业"), EnterpriseFactory(name="小企业")
    pay(TechContractFactory(enterprise=big, implementation="投产", contract_amount=Decimal("9000000"),
                            tech_amount=Decimal("9000000")), "5000000")
    pay(TechContractFactory(enterprise=small, implementation="投产"), "100000")
    lines = {line.enterprise_name: line for line in subsidy.compute(rule(budget=Decimal("30000")))}
    # 大: 5,000 + 18,000 + 40,000 = 63,000, capped at 50,000; 小: 5,000; budget 30,000 shared 50:5.
    assert lines["大企业"].computed == Decimal("63000.00")
    assert lines["大企业"].granted + lines["小企业"].granted == Decimal("30000")
    assert lines["大企业"].granted == Decimal("27273") and lines["小企业"].granted == Decimal("2727")
    assert any("50,000.00" in e for e in lines["大企业"].explanation)


def test_a_cancelled_contract_is_neither_claimed_nor_counted():
    from techtransfer.domain import contract_changes, subsidy_workflow
    from tests.factories import OfficeFactory

    enterprise = EnterpriseFactory(name="丙企业")
    kept = TechContractFactory(enterprise=enterprise, implementation="已投产")
    pay(kept, "100000")
    cancelled = TechContractFactory(enterprise=enterprise, implementation="已投产")
    pay(cancelled, "400000")
    contract_changes.cancel_contract(cancelled, by=OfficeFactory(username="office-cancel"), reason="合同解除")
    the_rule = rule()
    [line] = subsidy.compute(the_rule)
    assert line.base == Decimal("100000") and cancelled.pk not in {c.pk for c, *_rest in line.contracts}
    assert list(subsidy_workflow.eligible_contracts(the_rule, enterprise)) == [kept]
    assert enterprise in subsidy_workflow.applicable_enterprises(the_rule, enterprise.region)
