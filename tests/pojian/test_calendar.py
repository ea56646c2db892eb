"""The working-day calendar: the pinned API over the schedules loaded by the data migration."""

from datetime import date

import pytest

from pojian.domain import calendar
from pojian.domain.calendar import CalendarMissing, is_working_day, notice_end, working_days_before
from pojian.domain.errors import ValidationError
from pojian.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db


def test_calendar_years_2004_to_2026_are_loaded():
    assert set(CalendarYear.objects.values_list("year", flat=True)) >= set(range(2004, 2027))
    assert CalendarDay.objects.filter(day__year=2004).exists()


def test_national_day_2025_is_off_with_its_chinese_name():
    entry = CalendarDay.objects.get(day=date(2025, 10, 1))
    assert entry.kind == CalendarDay.Kind.OFF and entry.name == "国庆节"
    assert not is_working_day(date(2025, 10, 1))
    assert not is_working_day(date(2025, 10, 8))  # Wednesday, still off (中秋 + 国庆 8 days)
    assert is_working_day(date(2025, 10, 9))


def test_national_day_2025_make_up_days_are_working():
    # 2025-09-28 (Sunday) and 2025-10-11 (Saturday) are worked.
    assert date(2025, 9, 28).weekday() == 6 and is_working_day(date(2025, 9, 28))
    assert date(2025, 10, 11).weekday() == 5 and is_working_day(date(2025, 10, 11))
    assert not is_working_day(date(2025, 10, 12))  # an ordinary Sunday


def test_national_day_2026_is_off_and_its_make_up_days_work():
    assert all(not is_working_day(date(2026, 10, d)) for d in range(1, 8))
    assert date(2026, 9, 20).weekday() == 6 and is_working_day(date(2026, 9, 20))
    assert date(2026, 10, 10).weekday() == 5 and is_working_day(date(2026, 10, 10))


def test_spring_festival_2026_make_up_days():
    # 春节 2026: 2-15 to 2-23 off; Saturdays 2-14 and 2-28 worked.
    assert is_working_day(date(2026, 2, 14)) and is_working_day(date(2026, 2, 28))
    assert not is_working_day(date(2026, 2, 16)) and not is_working_day(date(2026, 2, 23))
    assert CalendarDay.objects.get(day=date(2026, 2, 14)).name == "春节"


def test_plain_weekdays_work_and_weekends_rest():
    assert is_working_day(date(2026, 11, 30))  # Monday
    assert not is_working_day(date(2026, 11, 28))  # Saturday


def test_notice_end_counts_five_working_days_in_a_plain_week():
    assert notice_end(date(2026, 11, 30), 5) == date(2026, 12, 4)
    assert notice_end(date(2026, 12, 2), 5) == date(2026, 12, 8)  # skips the weekend


def test_notice_end_crossing_national_day_2026():
    # Start Tuesday 9-29: 9-29, 9-30, then 10-1..10-7 off, 10-8, 10-9 → fourth; 10-10 (Sat, worked) is the fifth.
    assert notice_end(date(2026, 9, 29), 5) == date(2026, 10, 10)


def test_notice_end_crossing_national_day_2025():
    # 9-26 (Fri), 9-28 (Sun, worked), 9-29, 9-30, then off to 10-8, then 10-9 is the fifth.
    assert notice_end(date(2025, 9, 26), 5) == date(2025, 10, 9)


def test_notice_end_starting_on_a_holiday_begins_on_the_next_working_day():
    assert notice_end(date(2026, 10, 3), 1) == date(2026, 10, 8)
    assert notice_end(date(2026, 11, 28), 1) == date(2026, 11, 30)  # Saturday → Monday


def test_notice_end_spring_festival_make_up_saturday_counts():
    # 2026-02-13 (Fri) and 2-14 (Sat, worked), then off until 2-23; 2-24 is the third.
    assert notice_end(date(2026, 2, 13), 3) == date(2026, 2, 24)


def test_notice_end_needs_at_least_one_day():
    with pytest.raises(ValidationError):
        notice_end(date(2026, 3, 2), 0)


def test_calendar_missing_for_a_year_not_loaded():
    with pytest.raises(CalendarMissing) as info:
        is_working_day(date(2027, 3, 1))
    assert info.value.year == 2027


def test_notice_end_refuses_to_run_into_a_year_not_loaded():
    with pytest.raises(CalendarMissing):
        notice_end(date(2026, 12, 28), 10)
    assert notice_end(date(2026, 12, 28), 4) == date(2026, 12, 31)


def test_working_days_before_skips_holidays():
    assert working_days_before(date(2026, 10, 9), 1) == date(2026, 10, 8)
    assert working_days_before(date(2026, 10, 8), 1) == date(2026, 9, 30)
    assert working_days_before(date(2026, 10, 8), 3) == date(2026, 9, 28)


def test_add_year_makes_the_year_countable(office):
    days = [(date(2027, 1, 1), "off", "元旦"), (date(2027, 1, 4), "off", "元旦"), (date(2027, 1, 9), "working", "春节")]
    calendar.add_year(year=2027, days=days, by=office, source="国办发明电")
    assert not is_working_day(date(2027, 1, 4))
    assert is_working_day(date(2027, 1, 9))
    assert is_working_day(date(2027, 1, 5))


def test_add_year_lists_every_bad_row_and_changes_nothing(office):
    days = [(date(2026, 1, 1), "off", "元旦"), (date(2027, 1, 5), "working", "春节"), (date(2027, 2, 1), "off", "")]
    with pytest.raises(ValidationError) as info:
        calendar.add_year(year=2027, days=days, by=office)
    text = " ".join(info.value.messages)
    assert "1" in text and "2" in text and "3" in text
    assert len(info.value.messages) == 3
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert not CalendarDay.objects.filter(day__year=2027).exists()


def test_add_year_refuses_a_bureau(bureau):
    with pytest.raises(ValidationError):
        calendar.add_year(year=2027, days=[(date(2027, 1, 1), "off", "元旦")], by=bureau)
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_set_day_changes_the_count(office):
    assert is_working_day(date(2026, 12, 31))
    calendar.set_day(day=date(2026, 12, 31), kind="off", name="测试假日", by=office)
    assert not is_working_day(date(2026, 12, 31))
    calendar.clear_day(day=date(2026, 12, 31), by=office)
    assert is_working_day(date(2026, 12, 31))


def test_set_day_in_a_year_not_loaded_is_refused(office):
    with pytest.raises(CalendarMissing):
        calendar.set_day(day=date(2028, 1, 1), kind="off", name="元旦", by=office)


def test_calendar_page_shows_days_and_says_how_to_add_a_missing_year(client_for, office):
    c = client_for(office)
    page = c.get("/calendar/?year=2026").content.decode()
    assert "国庆节" in page and "2026-10-01" in page
    page = c.get("/calendar/?year=2027").content.decode()
    assert 'id="calendar-missing"' in page and "2027" in page and "工作日日历" in page


def test_calendar_page_adds_a_year(client_for, office):
    c = client_for(office)
    r = c.post("/calendar/", {"action": "add_year", "year": "2027", "source": "国办",
                              "days": "2027-10-01 off 国庆节\n2027-09-26 working 国庆节"})
    assert r.status_code == 302
    assert CalendarDay.objects.get(day=date(2027, 9, 26)).kind == "working"
    assert is_working_day(date(2027, 9, 26))


def test_calendar_page_bad_line_changes_nothing(client_for, office):
    c = client_for(office)
    r = c.post("/calendar/", {"action": "add_year", "year": "2027", "days": "2027-10-01 off 国庆节\n2027-13-01 off 错"})
    assert r.status_code == 200
    assert "2027-13-01" in r.content.decode()
    assert not CalendarYear.objects.filter(year=2027).exists()


@pytest.mark.parametrize("who", ["other_bureau", "expert", "partner"])
def test_calendar_page_refuses_other_roles(client_for, request, who):
    user = request.getfixturevalue(who)
    c = client_for(user)
    assert c.get("/calendar/").status_code == 403
    assert c.post("/calendar/", {"action": "set_day", "day": "2026-12-31", "kind": "off", "name": "x"}).status_code == 403
    assert is_working_day(date(2026, 12, 31))


def test_calendar_page_sends_anonymous_to_login(client):
    r = client.get("/calendar/")
    assert r.status_code == 302 and "login" in r["Location"]
