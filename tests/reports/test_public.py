"""The public progress page shows only what has been released: counts the office released, the
公示 lists while they run, confirmed lists, the assessment once published; never personal data."""

import datetime

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from pojian.models import NominationState as S
from reports.domain import public
from tests import factories as core
from tests.reports.factories import known_year, nominate, other_apps_year

pytestmark = pytest.mark.django_db
URL = reverse("reports:public_progress")


def page(client):
    response = client.get(URL)
    assert response.status_code == 200
    return response, response.content.decode()


def region_row(block, name):
    return next(r for r in block["regions"] if r["name"] == name)


def test_public_page_shows_no_figures_before_the_office_releases_them(client, cycle, office):
    n = known_year(cycle)
    other_apps_year(cycle, office=office, nominations=n)
    response, html = page(client)
    assert response.context["release"] is None and response.context["enterprises"] is None
    assert response.context["assessment"] is None  # computed, not published
    assert "88.50" not in html and n["cc_selected"][0].enterprise.name not in html  # review ranked, no notice yet


def test_public_page_shows_the_released_snapshot_not_live_figures(client, client_for, cycle, office):
    known_year(cycle)
    response = client_for(office).post(reverse("reports:release_progress"), {"note": "截至9月"})
    assert response.status_code == 302
    # A nomination accepted after the release does not change the public figures.
    nominate(cycle=cycle, region=core.region("220100"), state=S.ACCEPTED, failed=())
    response, html = page(client)
    cc = region_row(response.context["enterprises"], "长春市")
    assert (cc["nominated"], cc["accepted"], cc["selected"]) == (4, 3, None)  # selected: not before the 公示
    assert response.context["enterprises"]["total"] == {"nominated": 7, "accepted": 4, "selected": None}
    assert "截至9月" in html


def test_public_page_selected_counts_released_with_the_notice(client, cycle, office):
    n = known_year(cycle)
    made = other_apps_year(cycle, office=office, nominations=n)
    PublicNotice = apps.get_model("reviews.PublicNotice")
    today = timezone.localdate()
    PublicNotice.objects.create(round=made["round"], title="2026年度入选企业公示", starts=today, ends=today + datetime.timedelta(days=5),
                                how_to_object="书面提出异议", published_by=office, show_uscc=False, show_score=True)
    public.release_progress(cycle=cycle, by=office)
    response, html = page(client)
    assert region_row(response.context["enterprises"], "长春市")["selected"] == 2
    assert region_row(response.context["incubators"], "吉林市")["accepted"] == 1
    # The 公示 list runs: names, regions, scores (asked for), no credit codes (not asked for).
    [notice] = response.context["notices"]
    assert [r["name"] for r in notice["rows"]] == [n["cc_selected"][1].enterprise.name, n["cc_selected"][0].enterprise.name,
                                                   n["jl_selected"].enterprise.name]
    assert "93.40" in html and n["cc_selected"][0].enterprise.uscc not in html


def test_public_page_ended_notice_hidden_until_results_confirmed(client, cycle, office):
    n = known_year(cycle)
    made = other_apps_year(cycle, office=office, nominations=n)
    PublicNotice = apps.get_model("reviews.PublicNotice")
    today = timezone.localdate()
    PublicNotice.objects.create(round=made["round"], title="公示", starts=today - datetime.timedelta(days=10),
                                ends=today - datetime.timedelta(days=5), how_to_object="-", published_by=office)
    name = n["jl_selected"].enterprise.name
    assert name not in page(client)[1]
    made["round"].results_confirmed_at = timezone.now()
    made["round"].save()
    response, html = page(client)
    assert [r["name"] for r in response.context["confirmed"][0]["rows"]][-1] == name and name in html


def test_public_page_shows_the_assessment_once_published(client, cycle, office):
    n = known_year(cycle)
    made = other_apps_year(cycle, office=office, nominations=n)
    made["assessment"].published_at = timezone.now()
    made["assessment"].save()
    response, html = page(client)
    assert [(r["rank"], r["region"]) for r in response.context["assessment"]["rows"]] == [(1, "吉林市"), (2, "长春市")]
    assert "88.50" in html and "成绩突出" in html


def test_public_page_never_shows_personal_data(client, cycle, office):
    n = known_year(cycle)
    made = other_apps_year(cycle, office=office, nominations=n)
    PublicNotice = apps.get_model("reviews.PublicNotice")
    today = timezone.localdate()
    PublicNotice.objects.create(round=made["round"], title="公示", starts=today, ends=today, how_to_object="-",
                                published_by=office, show_uscc=True, show_score=True)
    made["round"].results_confirmed_at = timezone.now()
    made["round"].save()
    made["assessment"].published_at = timezone.now()
    made["assessment"].save()
    public.release_progress(cycle=cycle, by=office)
    html = page(client)[1]
    assert n["jl_selected"].enterprise.name in html  # the lists are there…
    for private in ("张三", "0431-80000000", "专家甲", "专家乙", office.username, "测试路"):  # …but no person, phone, expert, address
        assert private not in html


def test_public_page_chart_is_drawn_from_the_release_only(client, cycle, office):
    import xml.etree.ElementTree as ET

    known_year(cycle)
    response, html = page(client)
    assert response.context["progress_chart"] is None and 'data-testid="progress-chart"' not in html
    public.release_progress(cycle=cycle, by=office)
    nominate(cycle=cycle, region=core.region("220100"), state=S.ACCEPTED, failed=())  # after the release: not shown
    response, html = page(client)
    assert 'data-testid="progress-chart"' in html
    svg = ET.fromstring(str(response.context["progress_chart"]))
    ns = "{http://www.w3.org/2000/svg}"
    texts = [t.text for t in svg.iter(f"{ns}text")]
    # Two series (nominated, accepted; selected is not public before the 公示), values as released: 长春 4 and 3.
    legend = [t for t in texts if t in ("推荐", "已受理", "已入选")]
    assert legend == ["推荐", "已受理"]
    assert texts[texts.index("长春市") + 1:texts.index("长春市") + 3] == ["4", "3"]
