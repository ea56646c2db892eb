"""Report schedules are django-celery-beat periodic tasks the office manages on the reports page."""

import json

import pytest
from django.urls import reverse
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from pojian.models import Region
from reports import tasks
from reports.domain import schedules
from reports.models import AnnualReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def digest_schedule():
    """The finance helper's schedule: ours must never list, change or delete it."""
    crontab = CrontabSchedule.objects.create(minute="0", hour="8", day_of_week="1")
    return PeriodicTask.objects.create(name="partner digest", task="finance.send_digests", crontab=crontab)


def test_office_creates_changes_and_deletes_a_schedule(client_for, office, cycle, digest_schedule):
    client = client_for(office)
    response = client.post(reverse("reports:schedule_create"), {
        "name": "每月全省报告", "frequency": "monthly", "hour": 3, "weekday": 1, "day_of_month": 5, "month": 1,
        "year": "current", "region": "", "enabled": "on"})
    assert response.status_code == 302
    task = PeriodicTask.objects.get(task=schedules.TASK)
    assert task.name == "每月全省报告" and task.enabled
    assert (task.crontab.minute, task.crontab.hour, task.crontab.day_of_month, task.crontab.day_of_week) == ("0", "3", "5", "*")
    assert json.loads(task.kwargs) == {"year": "current", "region": "", "requested_by": office.pk}
    listing = client.get(reverse("reports:reports")).content.decode()
    assert "每月全省报告" in listing and "partner digest" not in listing

    client.post(reverse("reports:schedule_edit", args=[task.pk]), {
        "name": "每周长春报告", "frequency": "weekly", "hour": 6, "weekday": 5, "day_of_month": 1, "month": 1,
        "year": "previous", "region": "220100", "edit_token": schedules.edit_token(task)})
    task.refresh_from_db()
    assert task.name == "每周长春报告" and not task.enabled
    assert (task.crontab.hour, task.crontab.day_of_week, task.crontab.day_of_month) == ("6", "5", "*")
    assert json.loads(task.kwargs)["region"] == "220100"

    client.post(reverse("reports:schedule_delete", args=[task.pk]))
    assert not PeriodicTask.objects.filter(task=schedules.TASK).exists()
    assert PeriodicTask.objects.filter(pk=digest_schedule.pk).exists()


def test_other_apps_schedules_cannot_be_reached_through_the_reports_pages(client_for, office, digest_schedule):
    client = client_for(office)
    assert client.get(reverse("reports:schedule_edit", args=[digest_schedule.pk])).status_code == 404
    assert client.post(reverse("reports:schedule_delete", args=[digest_schedule.pk])).status_code == 404
    digest_schedule.refresh_from_db()
    assert digest_schedule.task == "finance.send_digests" and digest_schedule.crontab.hour == "8"


def test_schedule_with_a_taken_name_is_refused(office, digest_schedule):
    from pojian.domain.errors import ValidationError

    with pytest.raises(ValidationError):
        schedules.save_schedule(by=office, name="partner digest", frequency="daily", hour=1)


def test_scheduled_task_requests_province_and_every_region_once(office, cycle, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        started = tasks.scheduled_annual_report(year="current", region=schedules.ALL_REGIONS, requested_by=office.pk)
        again = tasks.scheduled_annual_report(year="current", region=schedules.ALL_REGIONS, requested_by=office.pk)
    assert len(started) == 1 + Region.objects.nominating().filter(active=True).count() == 14
    assert sorted(again) == sorted(started)  # still running: joined, not doubled
    assert len(callbacks) == 14
    assert AnnualReport.objects.filter(scheduled=True, cycle=cycle, requested_by=office).count() == 14


def test_scheduled_task_skips_when_its_user_may_no_longer_request(bureau, cycle):
    assert tasks.scheduled_annual_report(year="current", region="", requested_by=bureau.pk) == []
    assert tasks.scheduled_annual_report(year="current", region="", requested_by=None) == []
    assert not AnnualReport.objects.exists()


def test_scheduled_task_for_a_year_without_programme_does_nothing(office, cycle):
    assert tasks.scheduled_annual_report(year="previous", region="", requested_by=office.pk) == []


def digest_block(html):
    start = html.index('data-testid="digest-schedule"')
    return html[start:html.index("</div>", start)]


def test_reports_page_shows_the_partner_digest_schedule_set_on_its_settings_page(client_for, office, bureau, cycle):
    from django.utils import translation

    client = client_for(office)
    # Not scheduled yet: the page says so and links to where it is set.
    page = client.get(reverse("reports:reports"))
    assert page.context["digest"] is None
    block = digest_block(page.content.decode())
    assert reverse("finance:digest_settings") in block and "08:00" not in block
    # The office schedules the digest weekly on Wednesdays at 08:00 on the finance page the link leads to.
    response = client.post(reverse("finance:digest_settings"), {
        "fields": ["name"], "frequency": "weekly", "weekday": 3, "day_of_month": 1, "hour": 8})
    assert response.status_code == 302
    page = client.get(reverse("reports:reports"))
    digest = page.context["digest"]
    assert digest["enabled"] and digest["task"].crontab.day_of_week == "3"
    with translation.override("zh-hans"):
        expected = translation.gettext("every %(w)s at %(h)02d:00") % {"w": translation.gettext("Wednesday"), "h": 8}
    assert digest["when"] == expected and expected in digest_block(page.content.decode())
    # Switched off there, it shows as off here; the report schedules are untouched by it.
    client.post(reverse("finance:digest_settings"), {"fields": ["name"], "frequency": "off", "weekday": 1,
                                                      "day_of_month": 1, "hour": 8})
    page = client.get(reverse("reports:reports"))
    assert not page.context["digest"]["enabled"] and expected not in digest_block(page.content.decode())
    assert not schedules.schedules().exists()
    # A bureau sees neither the schedules nor the digest's.
    assert 'data-testid="digest-schedule"' not in client_for(bureau).get(reverse("reports:reports")).content.decode()


# --- two people edit the same schedule: the stale save changes nothing and says what changed ----


def schedule_form(page):
    import re
    from html import unescape

    data = {m.group(1): unescape(m.group(2)) for m in re.finditer(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page)}
    for m in re.finditer(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', m.group(2))
        data[m.group(1)] = chosen.group(1) if chosen else ""
    data.pop("csrfmiddlewaretoken", None)
    return data


def test_a_stale_save_of_a_schedule_changes_nothing_and_says_who_changed_what(client_for, office, cycle):
    from tests import factories as core

    other = core.OfficeFactory(username="office-2", full_name="李四")
    task = schedules.save_schedule(by=office, name="每月全省报告", frequency="monthly", hour=3, day_of_month=5)
    url = reverse("reports:schedule_edit", args=[task.pk])
    first, second = client_for(office), client_for(other)
    form_1 = schedule_form(first.get(url).content.decode())
    form_2 = schedule_form(second.get(url).content.decode())
    assert form_1["edit_token"]

    assert second.post(url, {**form_2, "hour": "6", "enabled": "on"}).status_code == 302
    stale = first.post(url, {**form_1, "name": "每周报告", "frequency": "weekly", "enabled": "on"})

    assert stale.status_code == 200
    task.refresh_from_db()
    assert task.name == "每月全省报告" and task.crontab.hour == "6" and task.crontab.day_of_month == "5"
    assert json.loads(task.kwargs)["requested_by"] == other.pk
    text = stale.content.decode()
    assert "没有保存" in text
    assert "李四修改了" in text and "“03:00”→“06:00”" in text

    fresh = schedule_form(first.get(url).content.decode())  # after a reload the edit goes through
    assert first.post(url, {**fresh, "name": "每周报告", "frequency": "weekly", "enabled": "on"}).status_code == 302
    task.refresh_from_db()
    assert task.name == "每周报告"


@pytest.mark.parametrize("token", [None, "", "not json", "[1]", '{"name": "x"}'])
def test_a_schedule_save_without_a_good_token_is_refused(office, token):
    from pojian.domain.errors import StaleEdit

    task = schedules.save_schedule(by=office, name="每月全省报告", frequency="monthly", hour=3)
    with pytest.raises(StaleEdit):
        schedules.save_schedule(by=office, task=task, based_on=token, name="改名", frequency="daily", hour=1)
    task.refresh_from_db()
    assert task.name == "每月全省报告"
    schedules.save_schedule(by=office, task=task, based_on=schedules.edit_token(task), name="改名", frequency="daily",
                            hour=1)
    task.refresh_from_db()
    assert task.name == "改名"
