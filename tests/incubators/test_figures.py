"""The counted tenant figures, from a known small data set."""

import datetime

import pytest

from enterprises.models import Registration
from incubators.domain import figures
from pojian.models import NominationState
from tests import factories as core
from tests.enterprises.factories import EnterpriseFactory, EnterpriseNominationFactory

from .factories import IncubatorFactory, IncubatorYearFactory, TenancyFactory

D = datetime.date


@pytest.fixture
def cycles(db):
    return {y: core.CycleFactory(year=y, is_current=(y == 2025)) for y in (2024, 2025, 2026)}


@pytest.fixture
def data_set(cycles):
    a, b, c = IncubatorFactory(), IncubatorFactory(), IncubatorFactory()
    e = {i: EnterpriseFactory() for i in range(1, 7)}
    # e1: hosted all year, registered for 2025, selected in 2025.
    TenancyFactory(incubator=a, enterprise=e[1], entered=D(2024, 1, 1))
    Registration.objects.create(enterprise=e[1], year=2025, number="R1")
    EnterpriseNominationFactory(enterprise=e[1], cycle=cycles[2025], state=NominationState.SELECTED)
    # e2: entered and graduated in 2025; registered only for 2024; accepted, not selected.
    TenancyFactory(incubator=a, enterprise=e[2], entered=D(2025, 6, 1), graduated=D(2025, 11, 30))
    Registration.objects.create(enterprise=e[2], year=2024, number="R2")
    EnterpriseNominationFactory(enterprise=e[2], cycle=cycles[2025], state=NominationState.ACCEPTED)
    # e3: enters only in 2026; e4: graduated on the last day of 2024.
    TenancyFactory(incubator=a, enterprise=e[3], entered=D(2026, 1, 10))
    Registration.objects.create(enterprise=e[3], year=2025, number="R3")
    TenancyFactory(incubator=a, enterprise=e[4], entered=D(2020, 5, 1), graduated=D(2024, 12, 31))
    Registration.objects.create(enterprise=e[4], year=2025, number="R4")
    # e5: two stays in the same incubator overlapping 2025 (counted once); selected in 2024.
    TenancyFactory(incubator=a, enterprise=e[5], entered=D(2023, 2, 1), graduated=D(2025, 2, 1))
    TenancyFactory(incubator=a, enterprise=e[5], entered=D(2025, 9, 1))
    Registration.objects.create(enterprise=e[5], year=2025, number="R5")
    EnterpriseNominationFactory(enterprise=e[5], cycle=cycles[2024], state=NominationState.SELECTED)
    # e6 in b: registered for 2025, selected only in 2026 (later than the year counted).
    TenancyFactory(incubator=b, enterprise=e[6], entered=D(2025, 12, 31))
    Registration.objects.create(enterprise=e[6], year=2025, number="R6")
    EnterpriseNominationFactory(enterprise=e[6], cycle=cycles[2026], state=NominationState.SELECTED)
    IncubatorYearFactory(incubator=a, year=2025, other_tenants=10, other_graduated=3)
    return a, b, c


def test_counted_figures_from_a_known_data_set(data_set, django_assert_num_queries):
    a, b, c = data_set
    with django_assert_num_queries(1):
        counted = figures.counted_figures(incubator_ids=[a.pk, b.pk, c.pk], year=2025)
    # e5 graduated on 2025-02-01 from its first stay, so it counts as graduated in 2025 too.
    assert counted[a.pk] == figures.Counted(tenants=3, graduated=2, registered=2, selected=2)
    assert counted[b.pk] == figures.Counted(tenants=1, graduated=0, registered=1, selected=0)
    assert counted[c.pk] == figures.Counted()


def test_counted_figures_another_year(data_set):
    a, b, _ = data_set
    counted = figures.counted_figures(incubator_ids=[a.pk, b.pk], year=2026)
    # 2026: e1, e3, e5 (second stay) in a; nobody registered for 2026; e1, e5 selected by then.
    assert counted[a.pk] == figures.Counted(tenants=3, graduated=0, registered=0, selected=2)
    assert counted[b.pk] == figures.Counted(tenants=1, graduated=0, registered=0, selected=1)


def test_performance_adds_typed_figures_to_counted_ones(data_set):
    a, b, _ = data_set
    perf = figures.performance(incubator=a, year=2025)
    assert perf.tenants_total == 3 + 10 and perf.graduated_total == 2 + 3
    assert perf.typed.other_tenants_source == "declared"
    assert figures.performance(incubator=b, year=2025).tenants_total == 1  # nothing typed


def test_counted_figures_of_no_incubator_is_empty(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert figures.counted_figures(incubator_ids=[], year=2025) == {}
