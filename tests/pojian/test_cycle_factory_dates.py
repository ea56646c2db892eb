"""The cycle factories hold on the days where calendar bugs hide (no test may depend on today's date)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from pojian.models import Cycle
from tests import factories

DAYS = [datetime.date(2026, 12, 1), datetime.date(2026, 12, 31), datetime.date(2027, 1, 1), datetime.date(2028, 2, 29),
        datetime.date(2027, 6, 15)]


@pytest.mark.django_db
@pytest.mark.parametrize("day", DAYS, ids=str)
@pytest.mark.parametrize("hour", [0, 10, 23])
def test_cycle_factory_window_is_ordered_and_open_now(day, hour):
    with time_machine.travel(datetime.datetime(day.year, day.month, day.day, hour, 30, tzinfo=ZoneInfo("Asia/Shanghai")),
                             tick=False):
        cycle = factories.CycleFactory()
        assert cycle.year == day.year == timezone.localdate().year
        assert cycle.nomination_opens < timezone.now() < cycle.nomination_closes
        assert cycle.nomination_window_open()
        for other in (day.year - 1, day.year + 1, day.year - 4):
            c = factories.CycleFactory(year=other, is_current=False, status=Cycle.Status.CLOSED)
            assert c.nomination_opens < c.nomination_closes
            # The same window, moved by whole years: the same distance from its year's start, give or take a day.
            assert abs((c.nomination_opens - cycle.nomination_opens).days - 365.2425 * (other - day.year)) <= 1
            c.full_clean()
        cycle.full_clean()


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_factory_years_follow_the_clock(day):
    from tests.enterprises.factories import current_year
    from tests.incubators.factories import current_year as incubator_year

    with time_machine.travel(datetime.datetime(day.year, day.month, day.day, 0, 5, tzinfo=ZoneInfo("Asia/Shanghai")),
                             tick=False):
        assert current_year() == incubator_year() == day.year


def test_session_clock_follows_pojian_test_today():
    import os

    today = os.environ.get("POJIAN_TEST_TODAY")
    if not today:
        pytest.skip("POJIAN_TEST_TODAY not set: the clock is the real one")
    assert timezone.localdate() == datetime.date.fromisoformat(today)
