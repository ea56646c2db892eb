"""The set-based check (PostgreSQL computes the verdicts, the rules as data) against the reference,
`eligibility.evaluate`: on thousands of random rows and random rulebooks, boundaries included,
the same verdict, the same failed criteria and the same stored explanation."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enterprises.domain import checks
from enterprises.domain.eligibility import Rules, evaluate
from enterprises.models import (
    CoreProduct,
    Enterprise,
    EnterpriseNomination,
    EnterpriseYear,
    IPItem,
    Registration,
    Rulebook,
    Transfer,
    Verdict,
)
from pojian.models import NominationState
from techtransfer.models import ContractPayment, Institution, TechContract
from tests import factories as core
from tests.enterprises.factories import make_uscc, region_bureau

YEAR = 2026
ON = datetime.date(YEAR, 5, 1)
CENT = Decimal("0.01")
CONTRACT_NUMBERS = itertools.count(2025_0000_0000_0001)
OPS = st.sampled_from(["le", "lt", "gt", "ge"])

# The default rules, as a rulebook's values.
DEFAULT_BOOK = {"revenue_max": Decimal("200000000"), "revenue_op": "le", "employees_max": 500, "employees_op": "le",
                "tech_staff_percent": Decimal("60"), "tech_staff_op": "gt", "results_min": 5, "results_op": "gt",
                "rd_percent": Decimal("6"), "rd_op": "gt", "previous_registration_until": None,
                "high_value_kinds": ["invention"], "lapsed_counts": False, "transfers_need_contract": True}

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the set-based check is PostgreSQL's")


@st.composite
def rulebooks(draw):
    return {
        "revenue_max": draw(st.sampled_from([Decimal("200000000"), Decimal("150000000.50"), Decimal("1000")])),
        "revenue_op": draw(OPS),
        "employees_max": draw(st.sampled_from([500, 300, 0])),
        "employees_op": draw(OPS),
        "tech_staff_percent": draw(st.sampled_from([Decimal("60"), Decimal("33.33"), Decimal("100"), Decimal("0")])),
        "tech_staff_op": draw(OPS),
        "results_min": draw(st.integers(0, 8)),
        "results_op": draw(OPS),
        "rd_percent": draw(st.sampled_from([Decimal("6"), Decimal("6.25"), Decimal("0.01")])),
        "rd_op": draw(OPS),
        "previous_registration_until": draw(st.sampled_from([None, ON, ON - datetime.timedelta(days=1)])),
        "high_value_kinds": draw(st.sampled_from([["invention"], ["invention", "utility"]])),
        "lapsed_counts": draw(st.booleans()),
        "transfers_need_contract": draw(st.booleans()),
    }


def money(draw, near):
    """A sum of money: missing, zero, on or a cent either side of `near`, or anything."""
    return draw(st.one_of(
        st.none(), st.just(Decimal("0.00")),
        st.sampled_from([near - CENT, near, near + CENT]).filter(lambda d: d >= 0),
        st.integers(0, 30_000_000_000).map(lambda c: Decimal(c) / 100),
    ))


@st.composite
def rows(draw, book):
    revenue = money(draw, book["revenue_max"])
    rd_near = (revenue * book["rd_percent"] / 100).quantize(CENT) if revenue else Decimal("1")
    employees = draw(st.one_of(st.none(), st.sampled_from([0, 1, 7, 99, 100, 299, 300, 301, 499, 500, 501, 1000]),
                               st.integers(0, 3000)))
    staff_near = int(employees * book["tech_staff_percent"] / 100) if employees else 1
    return {
        "revenue": revenue,
        "rd_expense": money(draw, rd_near),
        "employees": employees,
        "tech_staff": draw(st.one_of(st.none(), st.sampled_from([0, staff_near - 1, staff_near, staff_near + 1,
                                                                 (employees or 0) + 1]).filter(lambda n: n >= 0),
                                     st.integers(0, 3000))),
        "revenue_tax": draw(st.one_of(st.none(), st.none(), st.just(book["revenue_max"]), st.just(Decimal("0.00")))),
        "employees_tax": draw(st.one_of(st.none(), st.none(), st.sampled_from([0, 50, 500, 501]))),
        "inventions": draw(st.integers(0, 5)), "utility": draw(st.integers(0, 2)), "lapsed": draw(st.integers(0, 2)),
        "contracts": draw(st.integers(0, 5)), "no_contract": draw(st.integers(0, 2)),
        "product": draw(st.booleans()),
        # Registered technology contracts (双千工程): paid as buyer (count), unpaid, as seller, typed as a transfer too.
        "tech_paid": draw(st.integers(0, 2)), "tech_unpaid": draw(st.integers(0, 1)),
        "tech_seller": draw(st.integers(0, 1)), "tech_typed": draw(st.booleans()),
        "registration": draw(st.sampled_from([None, YEAR, YEAR - 1, YEAR - 2, (YEAR - 1, YEAR)])),
    }


def reference(row, book):
    """The reference verdict: the row's own numbers through `evaluate`, counted as the rulebook says."""
    rules = Rules(**{k: v for k, v in book.items() if k in Rules.__dataclass_fields__})
    accepted = rules.registration_years(YEAR, ON)
    regs = row["registration"] if isinstance(row["registration"], tuple) else (
        () if row["registration"] is None else (row["registration"],))
    in_accepted = [y for y in regs if y in accepted]
    registered = max(in_accepted) if in_accepted else (max(regs) if regs else None)
    ip = row["inventions"] + (row["utility"] if "utility" in book["high_value_kinds"] else 0) + (
        row["lapsed"] if book["lapsed_counts"] else 0)
    transfers = row["contracts"] + (0 if book["transfers_need_contract"] else row["no_contract"])
    transfers += row.get("tech_paid", 0) + row.get("tech_typed", False)  # a typed-in contract counts once
    revenue = row["revenue_tax"] if row["revenue_tax"] is not None else row["revenue"]
    return evaluate(
        year=YEAR,
        revenue=None if revenue is None else revenue.quantize(CENT),  # as stored: two places
        employees=row["employees_tax"] if row["employees_tax"] is not None else row["employees"],
        tech_staff=row["tech_staff"], has_core_tech_product=row["product"], high_value_ip=ip, transfers=transfers,
        rd_expense=row["rd_expense"], registered_year=registered, rulebook=rules, on=ON,
    )


def store(rows_, cycle):
    """Every row as an enterprise with its figures, results and registration, nominated for YEAR (bulk writes)."""
    region = core.region("220100")
    bureau = region_bureau(region)
    start = Enterprise.objects.count() + 10_000
    enterprises = Enterprise.objects.bulk_create([
        Enterprise(name=f"属性测试企业{start + i}", uscc=make_uscc(start + i), region=region) for i in range(len(rows_))])
    years, ips, transfers, products, registrations, nominations, contracts = [], [], [], [], [], [], []
    institution = Institution.objects.get_or_create(uscc=make_uscc(1), defaults={
        "name": "测试大学", "kind": "university", "region": region})[0]
    granted = datetime.date(YEAR - 1, 3, 1)
    for e, row in zip(enterprises, rows_, strict=True):
        years.append(EnterpriseYear(enterprise=e, year=YEAR - 1, revenue=row["revenue"], rd_expense=row["rd_expense"],
                                    employees=row["employees"], tech_staff=row["tech_staff"],
                                    revenue_tax=row["revenue_tax"], employees_tax=row["employees_tax"]))
        n = 0
        for kind, count, lapsed in (("invention", row["inventions"], None), ("utility", row["utility"], None),
                                    ("invention", row["lapsed"], datetime.date(YEAR - 1, 1, 1))):
            for _ in range(count):
                n += 1
                ips.append(IPItem(enterprise=e, kind=kind, number=f"ZL{n}", granted_on=granted, lapsed_on=lapsed))
        for k in range(row["contracts"]):
            transfers.append(Transfer(enterprise=e, kind="licence", contract_no=f"HT{k}", amount=Decimal("10"),
                                      date=granted))
        for k in range(row["no_contract"]):
            transfers.append(Transfer(enterprise=e, kind="licence", contract_no="", amount=None if k else Decimal("5"),
                                      date=granted))
        for k in range(row.get("tech_paid", 0) + row.get("tech_unpaid", 0) + row.get("tech_seller", 0)
                       + row.get("tech_typed", False)):
            number = f"{next(CONTRACT_NUMBERS):016d}"
            role = "seller" if k >= row.get("tech_paid", 0) + row.get("tech_unpaid", 0) and k < row.get(
                "tech_paid", 0) + row.get("tech_unpaid", 0) + row.get("tech_seller", 0) else "buyer"
            paid = not (row.get("tech_paid", 0) <= k < row.get("tech_paid", 0) + row.get("tech_unpaid", 0))
            contracts.append((TechContract(
                registration_number=number, registered_on=granted, kind="development", title="合同", enterprise=e,
                institution=institution, contract_amount=Decimal("100"), tech_amount=Decimal("100"),
                enterprise_role=role, created_by=bureau), paid))
            if k == row.get("tech_paid", 0) + row.get("tech_unpaid", 0) + row.get("tech_seller", 0):  # the typed one
                transfers.append(Transfer(enterprise=e, kind="licence", contract_no=number, amount=Decimal("10"),
                                          date=granted))
        if row["product"]:
            products.append(CoreProduct(enterprise=e, name="产品", key_technology="技术", evidence="证明"))
        regs = row["registration"] if isinstance(row["registration"], tuple) else (
            () if row["registration"] is None else (row["registration"],))
        registrations += [Registration(enterprise=e, year=y, number=f"{y}A{e.pk}") for y in regs]
        nominations.append(EnterpriseNomination(enterprise=e, cycle=cycle, region=region, created_by=bureau,
                                                state=NominationState.SUBMITTED))
    for model, objs in ((EnterpriseYear, years), (IPItem, ips), (Transfer, transfers), (CoreProduct, products),
                        (Registration, registrations), (EnterpriseNomination, nominations)):
        model.objects.bulk_create(objs)
    TechContract.objects.bulk_create([c for c, _paid in contracts])
    ContractPayment.objects.bulk_create([
        ContractPayment(contract=c, paid_on=granted, amount=Decimal("50"), invoice_number="FP1", created_by=bureau)
        for c, paid in contracts if paid])
    return nominations


@pytest.mark.django_db
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_sql_check_agrees_with_evaluate_on_random_rows_and_rulebooks(data, cycle_2026):
    book = data.draw(rulebooks())
    rows_ = data.draw(st.lists(rows(book), min_size=150, max_size=250))
    with transaction.atomic():
        rulebook = Rulebook.objects.create(year=YEAR, version=Rulebook.objects.filter(year=YEAR).count() + 1,
                                           figures_year=YEAR - 1, **book)
        nominations = store(rows_, cycle_2026)
        summary = checks.check_nominations(EnterpriseNomination.objects.filter(pk__in=[n.pk for n in nominations]),
                                           year=YEAR, rulebook=rulebook, on=ON, bulk_copy=True)
        assert summary.checked == len(rows_)
        stored = {v.nomination_id: v for v in Verdict.objects.filter(nomination__in=nominations)}
        for n, row in zip(nominations, rows_, strict=True):
            expected = reference(row, book)
            verdict = stored[n.pk]
            assert (verdict.eligible, verdict.failed) == (expected.eligible, expected.failed), row
            assert verdict.explanation == expected.explanation(), row
        assert summary.eligible == sum(v.eligible for v in stored.values())
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_sql_check_and_the_one_by_one_check_store_the_same_verdicts(cycle_2026):
    """A fixed set with every note: the set-based path and the ORM path (evaluate row by row) store the same."""
    book = {**DEFAULT_BOOK, "previous_registration_until": ON}
    base = {"revenue": Decimal("100.00"), "rd_expense": Decimal("6.00"), "employees": 10, "tech_staff": 6,
            "revenue_tax": None, "employees_tax": None, "inventions": 3, "utility": 1, "lapsed": 1, "contracts": 3,
            "no_contract": 2, "product": True, "registration": YEAR,
            "tech_paid": 1, "tech_unpaid": 1, "tech_seller": 1, "tech_typed": True}
    variants = [{}, {"revenue": None}, {"revenue": Decimal("0.00")}, {"rd_expense": None}, {"employees": None},
                {"employees": 0}, {"tech_staff": 11}, {"employees_tax": 5}, {"registration": None},
                {"registration": YEAR - 1}, {"registration": YEAR - 2}, {"registration": (YEAR - 1, YEAR)},
                {"rd_expense": Decimal("6.01"), "tech_staff": 7}, {"revenue_tax": Decimal("300.00")}]
    rows_ = [{**base, **v} for v in variants]
    rulebook = Rulebook.objects.create(year=YEAR, figures_year=YEAR - 1, **book)
    nominations = store(rows_, cycle_2026)
    qs = EnterpriseNomination.objects.filter(pk__in=[n.pk for n in nominations])

    def stored():
        return {v.nomination_id: (v.eligible, v.failed, v.explanation, v.figures, v.rules, v.rulebook_id)
                for v in Verdict.objects.filter(nomination__in=nominations)}

    checks.check_nominations(qs, year=YEAR, rulebook=rulebook, on=ON, bulk_copy=False)
    by_orm = stored()
    checks.check_nominations(qs, year=YEAR, rulebook=rulebook, on=ON, bulk_copy=True)
    # The set-based path keeps no explanation: it is derived from the figures and rules, the same entries.
    assert not Verdict.objects.filter(nomination__in=nominations).exclude(stored_explanation=[]).exists()
    assert stored() == by_orm
    notes = {e.get("note") for v in by_orm.values() for e in v[2]}
    assert {"missing", "no_revenue", "no_employees", "figures_disagree", "other_year"} <= notes


@pytest.fixture
def cycle_2026(db):
    return core.CycleFactory(year=YEAR)


@pytest.mark.django_db
def test_set_based_check_reports_progress_by_phase(cycle_2026):
    """The year-wide check's bar moves: computed (half of what is to write), written, done; not 0 then done."""
    book = DEFAULT_BOOK
    row = {"revenue": Decimal("100.00"), "rd_expense": Decimal("7.00"), "employees": 10, "tech_staff": 7,
           "revenue_tax": None, "employees_tax": None, "inventions": 6, "utility": 0, "lapsed": 0, "contracts": 0,
           "no_contract": 0, "product": True, "registration": YEAR}
    rulebook = Rulebook.objects.create(year=YEAR, figures_year=YEAR - 1, **book)
    nominations = store([dict(row) for _ in range(6)], cycle_2026)
    qs = EnterpriseNomination.objects.filter(pk__in=[n.pk for n in nominations])

    def run():
        seen = []
        checks.check_nominations(qs, year=YEAR, rulebook=rulebook, on=ON, bulk_copy=True,
                                 progress=lambda done, total=None, **kw: seen.append((done, total)))
        return seen

    first = run()  # six verdicts to insert: 0, half computed, done
    assert [done for done, _total in first] == sorted(done for done, _total in first)
    assert {done for done, _total in first} == {0, 3, 6} and {total for _done, total in first} == {6}
    EnterpriseYear.objects.filter(enterprise__nominations__in=nominations[:2]).update(employees=9)
    again = run()  # two to update, four unchanged: 4 + 1 once computed, 6 once updated
    assert {done for done, _total in again} == {0, 5, 6}
    assert Verdict.objects.filter(nomination__in=nominations, used_employees=9).count() == 2
