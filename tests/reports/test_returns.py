"""Statistics returns (统计报表): defined by the office, filed by bureaus (and county bureaus),
reminded before the deadline, watched, exported, turned into a bulletin; refusals for the rest."""

import io
from datetime import date

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from pojian.domain.calendar import notice_end
from pojian.domain.errors import PermissionDenied, StaleEdit, ValidationError
from pojian.models import Notification, Region
from reports.domain import returns
from reports.models import ReturnBulletin, StatisticsReturn

FIELDS = [{"source": "nominations"}, {"label": "孵化企业数", "kind": "int"}, {"label": "研发投入", "kind": "decimal"},
          {"label": "说明", "kind": "text"}]


def define(office, **kw):
    args = dict(by=office, title="2026年第一季度统计", period="quarter", period_start=date(2026, 1, 1), fields=FIELDS,
                due_working_days=10, include_counties=True)
    args.update(kw)
    return returns.define_return(**args)


def values(**kw):
    v = {"nominations": "2", "f2": "5", "f3": "1,234.5", "f4": "无"}
    v.update(kw)
    return v


@pytest.mark.django_db
def test_define_counts_the_deadline_in_working_days(office):
    ret = define(office)
    assert ret.period_end == date(2026, 3, 31)
    assert ret.due_on == notice_end(date(2026, 4, 1), 10)
    assert ret.due_on > date(2026, 4, 14)  # 清明 (Apr 4–6) is not counted
    assert [f["key"] for f in ret.fields] == ["nominations", "f2", "f3", "f4"]
    assert ret.history.first().history_user == office


@pytest.mark.django_db
def test_define_refuses_bad_input_with_every_problem(office, bureau):
    with pytest.raises(ValidationError) as e:
        define(office, fields=[{"label": "", "kind": "int"}, {"label": "x", "kind": "float"}])
    assert len(e.value.messages) == 2
    with pytest.raises(ValidationError):
        define(office, period_start=date(2026, 2, 1))  # not the first day of a quarter
    with pytest.raises(ValidationError):
        define(office, period_start=date(2031, 1, 1))  # calendar not loaded: refused, not guessed
    with pytest.raises(PermissionDenied):
        define(bureau)


@pytest.mark.django_db
def test_open_notifies_city_and_county_bureaus(office, bureau, county):
    ret = returns.open_return(define(office), by=office)
    assert ret.status == StatisticsReturn.Status.OPEN
    assert Notification.objects.filter(user=bureau, subject__contains="2026年第一季度统计").exists()
    assert Notification.objects.filter(user=county).exists()


@pytest.mark.django_db
def test_bureau_files_and_corrects_with_optimistic_lock(office, bureau):
    ret = returns.open_return(define(office), by=office)
    with time_machine.travel(date(2026, 4, 2)):
        filing = returns.file_return(ret, by=bureau, values=values())
    assert filing.values == {"nominations": 2, "f2": 5, "f3": "1234.50", "f4": "无"} and not filing.late
    with pytest.raises(StaleEdit):
        returns.file_return(ret, by=bureau, values=values(), expected_version=None)  # a second first filing
    returns.file_return(ret, by=bureau, values=values(f2="6"), expected_version=filing.version)
    with pytest.raises(StaleEdit):
        returns.file_return(ret, by=bureau, values=values(f2="7"), expected_version=filing.version)
    with pytest.raises(ValidationError) as e:
        returns.file_return(ret, by=bureau, values=values(f2="1.5", f3="abc", nominations=""), expected_version=2)
    assert len(e.value.messages) == 3


@pytest.mark.django_db
def test_late_filing_is_marked_and_completeness_counts(office, bureau, county):
    ret = returns.open_return(define(office), by=office)
    with time_machine.travel(date(2026, 5, 20)):
        returns.file_return(ret, by=county, values=values())
        status = returns.completeness(ret)
    assert status["counts"]["late"] == 1
    assert status["expected"] == 13 + 59
    assert status["counts"]["overdue"] == 13 + 59 - 1
    total = {t["field"]["key"]: t for t in returns.totals(ret)}
    assert total["f2"]["counties"] == 5 and total["f2"]["cities"] == 0  # counties apart: no double count


@pytest.mark.django_db
def test_county_does_not_file_a_city_only_return(office, county):
    ret = returns.open_return(define(office, include_counties=False), by=office)
    with pytest.raises(PermissionDenied):
        returns.file_return(ret, by=county, values=values())


@pytest.mark.django_db
def test_reminders_before_deadline_and_when_overdue(office, bureau, county):
    ret = returns.open_return(define(office), by=office)
    Notification.objects.all().delete()
    returns.file_return(ret, by=county, values=values())
    from pojian.domain.calendar import working_days_before

    three_before = working_days_before(ret.due_on, 3)
    assert returns.send_reminders(today=working_days_before(ret.due_on, 2)) == 0
    assert returns.send_reminders(today=three_before) >= 1
    assert Notification.objects.filter(user=bureau, subject__contains="3").exists()
    assert not Notification.objects.filter(user=county).exists()  # it filed
    Notification.objects.all().delete()
    assert returns.send_reminders(today=date(2026, 6, 1)) >= 1  # a Monday after the deadline
    assert "逾期" in Notification.objects.get(user=bureau).subject


@pytest.mark.django_db
def test_reminder_task_is_scheduled_with_a_chinese_label():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="reports.send_return_reminders")
    assert task.name == "统计报表：催报提醒" and task.enabled


@pytest.mark.django_db
def test_pages_office_defines_opens_exports(client_for, office, bureau):
    c = client_for(office)
    response = c.post(reverse("reports:return_define"), {
        "title": "月报", "period": "month", "period_start": "2026-03-01", "due_working_days": "5",
        "sources": ["contracts"], "other_fields": "走访企业数, int\n=1+1, text",
    })
    ret = StatisticsReturn.objects.get(title="月报")
    assert response.status_code == 302 and len(ret.fields) == 3
    assert c.post(reverse("reports:return_open", args=[ret.pk])).status_code == 302
    ret.refresh_from_db()
    assert ret.status == "open"
    b = client_for(bureau)
    page = b.get(reverse("reports:return_file", args=[ret.pk]))
    assert page.status_code == 200
    assert b.post(reverse("reports:return_file", args=[ret.pk]),
                  {"contracts": "0", "f2": "3", "f3": "=HYPERLINK(1)", "version": ""}).status_code == 302
    assert c.get(reverse("reports:return_detail", args=[ret.pk])).status_code == 200
    export = c.get(reverse("reports:return_export", args=[ret.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content) if export.streaming else export.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert "长春市" in [cell.value for cell in cells]
    formulas = [cell for cell in cells if isinstance(cell.value, str) and cell.value.startswith("=")]
    assert formulas and all(cell.data_type == "s" and cell.quotePrefix for cell in formulas)  # text, not formulas


@pytest.mark.django_db
def test_bad_filing_on_the_page_is_a_message_not_a_500(client_for, office, bureau):
    ret = returns.open_return(define(office), by=office)
    response = client_for(bureau).post(reverse("reports:return_file", args=[ret.pk]),
                                       {"nominations": "x", "f2": "", "f3": "1", "f4": "", "version": ""})
    assert response.status_code == 400


@pytest.mark.django_db
def test_bulletin_drafted_edited_published(client_for, office, bureau):
    ret = returns.open_return(define(office, include_counties=False), by=office)
    returns.file_return(ret, by=bureau, values=values())
    bulletin = returns.draft_bulletin(ret, by=office)
    assert "1" in bulletin.body and "13" in bulletin.body
    assert client_for(None).get(reverse("reports:public_bulletins")).content.decode().count(bulletin.title) == 0
    returns.edit_bulletin(bulletin, by=office, title="一季度进展", body="正文", expected_version=bulletin.version,
                          publish=True)
    assert "一季度进展" in client_for(None).get(reverse("reports:public_bulletins")).content.decode()
    with pytest.raises(ValidationError):
        returns.draft_bulletin(ret, by=office)
    assert ReturnBulletin.objects.get().published_by == office


@pytest.mark.django_db
def test_refusals(client_for, office, bureau, other_bureau, county, other_county, expert):
    ret = returns.open_return(define(office), by=office)
    nanguan = Region.objects.get(code="220102")
    office_pages = [reverse("reports:return_detail", args=[ret.pk]), reverse("reports:return_export", args=[ret.pk])]
    for user in (bureau, county, expert, None):
        for url in office_pages:
            status = client_for(user).get(url).status_code
            assert status in (302, 403) if user is None else status == 403, (user, url)
    assert client_for(bureau).post(reverse("reports:return_open", args=[ret.pk])).status_code == 403
    county_page = reverse("reports:county", args=[nanguan.code])
    assert client_for(county).get(county_page).status_code == 200
    assert client_for(bureau).get(county_page).status_code == 200
    assert client_for(office).get(county_page).status_code == 200
    assert client_for(other_bureau).get(county_page).status_code == 403  # another city's bureau
    assert client_for(other_county).get(county_page).status_code == 403  # a county of another city
    assert client_for(expert).get(county_page).status_code == 403  # an unassigned expert
    assert client_for(None).get(county_page).status_code == 302  # anonymous: to the login page
    assert client_for(expert).get(reverse("reports:return_file", args=[ret.pk])).status_code == 403
    assert client_for(None).get(reverse("reports:returns")).status_code == 302


@pytest.mark.django_db
def test_county_sees_its_figures_beside_its_city(client_for, office, bureau, county):
    ret = returns.open_return(define(office), by=office)
    returns.file_return(ret, by=bureau, values=values(f2="40"))
    returns.file_return(ret, by=county, values=values(f2="7"))
    page = client_for(county).get(reverse("reports:county", args=["220102"])).content.decode()
    assert "40" in page and "7" in page
    listing = client_for(bureau).get(reverse("reports:counties")).content.decode()
    assert "南关区" in listing and "昌邑区" not in listing
    assert client_for(county).get(reverse("reports:counties")).status_code == 302
