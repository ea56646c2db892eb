"""The office opens and edits the programme year in the portal: window, quotas, status, with history."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from pojian.models import Cycle

OPENS = datetime.datetime(2031, 3, 1, 9, 0)
CLOSES = datetime.datetime(2031, 4, 30, 17, 0)


def form(year=2031, opens=OPENS, closes=CLOSES, enterprises="60", incubators="10", status="planned"):
    return {"year": str(year), "nomination_opens": opens.strftime("%Y-%m-%dT%H:%M"),
            "nomination_closes": closes.strftime("%Y-%m-%dT%H:%M"), "enterprise_quota": enterprises,
            "incubator_quota": incubators, "status": status}


@pytest.mark.django_db
def test_office_opens_a_year_and_changes_its_quota_with_history(office, client_for):
    office.full_name = "王主任"
    office.save()
    client = client_for(office)
    response = client.post(reverse("cycle_create"), form())
    cycle = Cycle.objects.get(year=2031)
    assert response.status_code == 302 and response["Location"] == reverse("cycle_edit", args=[cycle.pk])
    assert timezone.localtime(cycle.nomination_opens).replace(tzinfo=None) == OPENS
    assert client.post(reverse("cycle_edit", args=[cycle.pk]), form(enterprises="65")).status_code == 302
    cycle.refresh_from_db()
    assert cycle.enterprise_quota == 65
    assert [h.history_change_reason for h in cycle.history.order_by("history_date")] == ["create", "edit"]
    page = client.get(reverse("cycle_edit", args=[cycle.pk])).content.decode()
    assert "王主任" in page and "已修改" in page and "已创建" in page and "65" in page
    assert str(cycle.year) in client.get(reverse("cycle_list")).content.decode()


@pytest.mark.django_db
def test_bad_window_and_quota_are_refused_in_chinese_and_nothing_changes(office, client_for, cycle):
    client = client_for(office)
    before = (cycle.nomination_opens, cycle.nomination_closes, cycle.enterprise_quota)
    response = client.post(reverse("cycle_edit", args=[cycle.pk]),
                           form(year=cycle.year, opens=CLOSES, closes=OPENS, enterprises="0"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "征集截止时间必须晚于开始时间" in html or "必须晚于" in html
    assert "名额至少为 1" in html
    cycle.refresh_from_db()
    assert (cycle.nomination_opens, cycle.nomination_closes, cycle.enterprise_quota) == before


@pytest.mark.django_db
def test_an_existing_year_cannot_be_opened_twice(office, client_for, cycle):
    response = client_for(office).post(reverse("cycle_create"), form(year=cycle.year))
    assert response.status_code == 200 and "已存在" in response.content.decode()
    assert Cycle.objects.filter(year=cycle.year).count() == 1


@pytest.mark.django_db
def test_a_closed_year_cannot_be_changed(office, client_for, cycle):
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.CLOSED)
    response = client_for(office).post(reverse("cycle_edit", args=[cycle.pk]), form(year=cycle.year, enterprises="99"))
    assert response.status_code == 200
    cycle.refresh_from_db()
    assert cycle.enterprise_quota != 99


@pytest.mark.django_db
def test_cycle_pages_refuse_bureaus_experts_and_anonymous(cycle, bureau, other_bureau, expert, client_for):
    for user in (bureau, other_bureau, expert):
        client = client_for(user)
        assert client.get(reverse("cycle_list")).status_code == 403
        assert client.post(reverse("cycle_edit", args=[cycle.pk]), form(year=cycle.year, enterprises="1")).status_code == 403
    anonymous = client_for(None).get(reverse("cycle_create"))
    assert anonymous.status_code == 302 and reverse("login") in anonymous["Location"]
    cycle.refresh_from_db()
    assert cycle.enterprise_quota != 1
