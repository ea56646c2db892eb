"""The funding demo: budgets for both years, last year's selected enterprises with projects in
several states, payments confirmed by a second person; running it twice adds nothing."""

import datetime
from collections import Counter

import pytest
from django.utils import timezone

from funding import demo
from funding.models import Budget, Grant, Payment, Project
from pojian.models import Cycle, NominationState
from tests import factories as core
from tests.enterprises.factories import EnterpriseFactory, EnterpriseNominationFactory
from tests.reviews.factories import ExpertFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def last_year(cycle, office):
    office.username = "office"
    office.save()
    tz = timezone.get_current_timezone()
    earlier = core.CycleFactory(year=cycle.year - 1, is_current=False, status=Cycle.Status.CLOSED,
                                nomination_opens=datetime.datetime(cycle.year - 1, 3, 1, tzinfo=tz),
                                nomination_closes=datetime.datetime(cycle.year - 1, 5, 31, tzinfo=tz))
    bureau = core.BureauFactory(username="bureau-220100")
    for _ in range(10):
        EnterpriseNominationFactory(enterprise=EnterpriseFactory(), cycle=earlier, state=NominationState.SELECTED,
                                    created_by=bureau)
    EnterpriseNominationFactory(enterprise=EnterpriseFactory(), cycle=earlier, state=NominationState.NOT_SELECTED,
                                created_by=bureau)
    ExpertFactory()
    return earlier


def test_demo_projects_in_various_states(cycle, last_year):
    demo.seed(cycle=cycle)
    assert Budget.objects.filter(cycle=cycle).count() == 4 and Budget.objects.filter(cycle=last_year).count() == 4
    states = Counter(Project.objects.filter(cycle=last_year).values_list("state", flat=True))
    assert sum(states.values()) == 10
    assert {"drafting", "issued", "signed", "midterm_filed", "acceptance_filed", "accepted", "failed"} <= set(states)
    assert Grant.objects.filter(state="recovered").count() == 1
    confirmed = Payment.objects.filter(state="confirmed")
    assert confirmed.exists()
    assert all(p.confirmed_by_id != p.recorded_by_id and p.confirmed_by.role == "approver" for p in confirmed)


def test_demo_twice_adds_nothing(cycle, last_year):
    demo.seed(cycle=cycle)
    counts = (Project.objects.count(), Payment.objects.count(), Budget.objects.count())
    demo.seed(cycle=cycle)
    assert (Project.objects.count(), Payment.objects.count(), Budget.objects.count()) == counts
