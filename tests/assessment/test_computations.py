"""Each computed indicator from a small data set whose figures are written here."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from assessment.domain import compute, sources
from assessment.domain.computations import COMPUTATIONS
from assessment.models import BureauSummary, Indicator
from pojian.models import Cycle
from pojian.models import NominationState as S
from tests import factories as core
from tests.assessment.factories import IndicatorFactory, OfficeEntryFactory, PolicyFactory, SummaryFactory
from tests.enterprises.factories import EnterpriseFactory, EnterpriseNominationFactory, RegistrationFactory, make_uscc

pytestmark = pytest.mark.django_db


@pytest.fixture
def regions(db):
    return {code: core.region(code) for code in ("220100", "220200", "220300")}


@pytest.fixture
def year(cycle):
    return cycle.year


@pytest.fixture
def last_cycle(cycle):
    return core.CycleFactory(year=cycle.year - 1, is_current=False, status=Cycle.Status.CLOSED)


def run(code, year, regions):
    figures = COMPUTATIONS[code].run(year=year, region_ids=[r.pk for r in regions.values()])
    return {code_: figures[r.pk] for code_, r in regions.items()}


def names(figure):
    return sorted(i["name"] for i in figure.items)


def enterprise(name, region, n):
    return EnterpriseFactory(name=name, uscc=make_uscc(5000 + n), region=region)


def test_registered_counts_the_regions_registrations_of_the_year(regions, year):
    cc, jl = regions["220100"], regions["220200"]
    for n, name in enumerate(["甲", "乙", "丙"]):
        RegistrationFactory(enterprise=enterprise(name, cc, n), year=year)
    RegistrationFactory(enterprise=enterprise("丁", cc, 3), year=year - 1)  # last year only: not counted
    RegistrationFactory(enterprise=enterprise("戊", jl, 4), year=year)

    figures = run("registered", year, regions)

    assert figures["220100"].value == 3 and names(figures["220100"]) == ["丙", "乙", "甲"]
    assert figures["220200"].value == 1 and names(figures["220200"]) == ["戊"]
    assert figures["220300"].value == 0 and figures["220300"].items == []
    assert all(i["detail"] for i in figures["220100"].items)  # the registration number is shown


def test_cultivated_counts_new_registrations_against_last_year(regions, year):
    cc, jl = regions["220100"], regions["220200"]
    again = enterprise("老企业", cc, 1)
    RegistrationFactory(enterprise=again, year=year - 1)
    RegistrationFactory(enterprise=again, year=year)
    RegistrationFactory(enterprise=enterprise("新企业一", cc, 2), year=year)
    RegistrationFactory(enterprise=enterprise("新企业二", cc, 3), year=year)
    gap = enterprise("隔年企业", jl, 4)  # registered two years ago, not last year: new again
    RegistrationFactory(enterprise=gap, year=year - 2)
    RegistrationFactory(enterprise=gap, year=year)

    figures = run("cultivated", year, regions)

    assert figures["220100"].value == 2 and names(figures["220100"]) == ["新企业一", "新企业二"]
    assert figures["220200"].value == 1 and names(figures["220200"]) == ["隔年企业"]


def test_enterprise_nominations_nominated_accepted_selected(regions, cycle, last_cycle, year):
    cc, jl = regions["220100"], regions["220200"]
    states = [S.DRAFT, S.SUBMITTED, S.RETURNED, S.ACCEPTED, S.REJECTED, S.SELECTED, S.NOT_SELECTED, S.WITHDRAWN]
    for n, state in enumerate(states):
        EnterpriseNominationFactory(enterprise=enterprise(f"企业{state}", cc, n), cycle=cycle, state=state)
    EnterpriseNominationFactory(enterprise=enterprise("去年入选", cc, 20), cycle=last_cycle, state=S.SELECTED)
    EnterpriseNominationFactory(enterprise=enterprise("吉林企业", jl, 21), cycle=cycle, state=S.ACCEPTED)

    nominated = run("enterprises_nominated", year, regions)
    accepted = run("enterprises_accepted", year, regions)
    selected = run("enterprises_selected", year, regions)

    assert nominated["220100"].value == 6  # submitted, returned, accepted, rejected, selected, not selected
    assert accepted["220100"].value == 3  # accepted, selected, not selected
    assert selected["220100"].value == 1 and names(selected["220100"]) == ["企业selected"]
    assert (nominated["220200"].value, accepted["220200"].value, selected["220200"].value) == (1, 1, 0)
    assert {i["state"] for i in nominated["220100"].items} == {"submitted", "returned", "accepted", "rejected",
                                                                "selected", "not_selected"}


@pytest.fixture
def incubators(regions, cycle, last_cycle, office, bureau):
    from incubators.models import Incubator, IncubatorNomination, PostSubsidy, Tenancy

    cc = regions["220100"]
    made = {}
    for n, (key, state) in enumerate([("A", S.SUBMITTED), ("B", S.ACCEPTED), ("C", S.DRAFT)]):
        made[key] = Incubator.objects.create(name=f"孵化器{key}", uscc=make_uscc(9000 + n), region=cc)
        IncubatorNomination.objects.create(cycle=cycle, region=cc, incubator=made[key], state=state, created_by=bureau,
                                           results="在孵企业入库")
    y = cycle.year
    PostSubsidy.objects.create(incubator=made["A"], year=y, amount=Decimal("300000.00"), decided_by=office)
    PostSubsidy.objects.create(incubator=made["B"], year=y - 1, amount=Decimal("900000.00"), decided_by=office)
    PostSubsidy.objects.create(incubator=made["C"], year=y, amount=Decimal("200000.00"), decided_by=office)
    e = {k: enterprise(f"在孵{k}", cc, 100 + i) for i, k in enumerate(["e1", "e2", "e3", "e4", "e5"])}
    d = datetime.date
    Tenancy.objects.create(incubator=made["A"], enterprise=e["e1"], entered=d(y - 2, 3, 1))
    Tenancy.objects.create(incubator=made["A"], enterprise=e["e2"], entered=d(y - 2, 3, 1), graduated=d(y - 1, 12, 31))
    Tenancy.objects.create(incubator=made["A"], enterprise=e["e3"], entered=d(y, 6, 1))
    Tenancy.objects.create(incubator=made["B"], enterprise=e["e1"], entered=d(y - 1, 1, 1))
    Tenancy.objects.create(incubator=made["B"], enterprise=e["e4"], entered=d(y - 1, 5, 1), graduated=d(y, 3, 1))
    Tenancy.objects.create(incubator=made["C"], enterprise=e["e5"], entered=d(y, 1, 1))
    return made


def test_incubators_nominated_supported_subsidy_and_tenants(regions, incubators, year):
    assert run("incubators_nominated", year, regions)["220100"].value == 2  # A, B (C is a draft)
    supported = run("incubators_supported", year, regions)["220100"]
    assert supported.value == 2 and names(supported) == ["孵化器A", "孵化器C"]  # B's subsidy is last year's
    assert run("subsidy_amount", year, regions)["220100"].value == Decimal("500000.00")
    tenants = run("incubator_tenants", year, regions)["220100"]
    # e1 (in A and B, once), e3 (entered this year), e4 (graduated this year); not e2 (left last year), not e5 (C is a draft)
    assert tenants.value == 3 and names(tenants) == ["在孵e1", "在孵e3", "在孵e4"]
    assert run("incubators_supported", year, regions)["220200"].value == 0


def test_investments_count_amount_and_early_small_share(regions, year):
    from finance.models import FinanceInstitution, Investment

    cc, jl = regions["220100"], regions["220200"]
    fund = FinanceInstitution.objects.create(name="吉林省科技投资基金", uscc=make_uscc(9500), kind="vc", region=cc)
    a, b, c = enterprise("投资甲", cc, 200), enterprise("投资乙", cc, 201), enterprise("投资丙", jl, 202)
    d = datetime.date
    Investment.objects.create(institution=fund, enterprise=a, date=d(year, 2, 1), amount=Decimal("1000000"),
                              round="angel", early_or_small=True)
    Investment.objects.create(institution=fund, enterprise=b, date=d(year, 7, 1), amount=Decimal("3000000"), round="a")
    Investment.objects.create(institution=fund, enterprise=a, date=d(year - 1, 7, 1), amount=Decimal("5000000"),
                              round="seed", early_or_small=True)
    Investment.objects.create(institution=fund, enterprise=c, date=d(year, 3, 1), amount=Decimal("500000"),
                              round="seed", early_or_small=True)

    count, amount, share = (run(code, year, regions) for code in ("investments_count", "investments_amount",
                                                                   "early_small_share"))

    assert count["220100"].value == 2 and amount["220100"].value == Decimal("4000000")
    assert share["220100"].value == Decimal("25.00")
    assert (count["220200"].value, amount["220200"].value, share["220200"].value) == (1, Decimal("500000"), Decimal("100.00"))
    assert share["220300"].value == 0
    assert {i["detail"] for i in count["220100"].items} == {"吉林省科技投资基金"}


def test_local_policies_count_only_the_accepted_summary(regions, cycle, year):
    accepted = SummaryFactory(cycle=cycle, region=regions["220100"], state=S.ACCEPTED)
    PolicyFactory.create_batch(3, summary=accepted)
    submitted = SummaryFactory(cycle=cycle, region=regions["220200"], state=S.SUBMITTED)
    PolicyFactory.create_batch(2, summary=submitted)

    figures = run("local_policies", year, regions)

    assert figures["220100"].value == 3 and len(figures["220100"].items) == 3
    assert figures["220200"].value == 0


def test_unavailable_source_counts_as_no_value_with_a_note(regions, year, monkeypatch):
    real = sources.model
    monkeypatch.setattr(sources, "model", lambda label: None if label == "finance.Investment" else real(label))
    figures = run("investments_amount", year, regions)
    assert figures["220100"].value is None and figures["220100"].note == "unavailable"


def test_office_typed_values_come_from_the_office_entries(regions, cycle):
    indicator = IndicatorFactory(cycle=cycle, source=Indicator.Source.OFFICE)
    OfficeEntryFactory(indicator=indicator, region=regions["220100"], value=Decimal("88.5"), note="处室意见")
    figures = compute.figures_for(indicator=indicator, region_ids=[r.pk for r in regions.values()])
    assert figures[regions["220100"].pk].value == Decimal("88.5")
    assert figures[regions["220100"].pk].facts == {"note": "处室意见"}
    assert figures[regions["220200"].pk].value is None and figures[regions["220200"].pk].note == "missing"


def test_review_indicator_takes_the_aggregate_score_of_the_summary(regions, cycle):
    from reviews.models import ReviewItem, Round

    summary = SummaryFactory(cycle=cycle, region=regions["220100"], state=S.ACCEPTED)
    SummaryFactory(cycle=cycle, region=regions["220200"], state=S.ACCEPTED)  # not reviewed
    round_ = Round.objects.create(cycle=cycle, kind="bureau_summaries", phase="closed")
    ReviewItem.objects.create(round=round_, content_type=ContentType.objects.get_for_model(BureauSummary),
                              object_id=summary.pk, nominee_name="长春市科学技术局", region=regions["220100"],
                              aggregate=Decimal("83.25"), review_count=5)
    indicator = IndicatorFactory(cycle=cycle, source=Indicator.Source.REVIEW)

    figures = compute.figures_for(indicator=indicator, region_ids=[r.pk for r in regions.values()])

    assert figures[regions["220100"].pk].value == Decimal("83.25")
    assert figures[regions["220100"].pk].facts["reviews"] == 5
    assert figures[regions["220200"].pk].value is None and figures[regions["220200"].pk].note == "missing"


def test_review_indicator_without_a_round_is_missing(regions, cycle):
    indicator = IndicatorFactory(cycle=cycle, source=Indicator.Source.REVIEW)
    figures = compute.figures_for(indicator=indicator, region_ids=[regions["220100"].pk])
    assert figures[regions["220100"].pk].note == "missing"


def test_every_computation_runs_on_an_empty_portal(regions, year):
    for code, computation in COMPUTATIONS.items():
        figures = computation.run(year=year, region_ids=[r.pk for r in regions.values()])
        assert all(f.value == 0 and f.note == "" for f in figures.values()), code
