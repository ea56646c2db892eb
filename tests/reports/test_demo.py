"""The reports demo releases this year's and last year's progress, once, and leaves a disabled schedule."""

import pytest

from pojian.models import Cycle
from reports import demo
from reports.domain import schedules
from reports.models import ProgressRelease
from tests import factories as core

pytestmark = pytest.mark.django_db


def test_demo_releases_this_and_last_year_once(cycle):
    core.OfficeFactory(username="office")
    last = core.CycleFactory(year=cycle.year - 1, is_current=False, status=Cycle.Status.CLOSED)
    demo.seed(cycle=cycle)
    demo.seed(cycle=cycle)
    assert sorted(ProgressRelease.objects.values_list("cycle__year", flat=True)) == [last.year, cycle.year]
    assert schedules.schedules().filter(name=demo.SCHEDULE_NAME, enabled=False).count() == 1
