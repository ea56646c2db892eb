"""Small mendings of issue 13: favicon, post-subsidy text, summary file link, policy count, form validation."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_favicon_redirects_to_the_static_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")
    html = client.get(reverse("landing")).content.decode()
    assert 'rel="icon"' in html and "favicon.svg" in html


def test_charts_are_not_held_wider_than_a_phone():
    from pathlib import Path

    from reports.domain import charts

    css = (Path(__file__).resolve().parents[2] / "static/css/portal.css").read_text()
    assert "min-width: 520px" not in css and ".chart-box svg.chart { width: 100%; }" in css
    svg = str(charts.bar_chart(["长春市", "吉林市"], [("推荐", [3, 4])], title="t"))
    assert 'viewBox="0 0 ' in svg


@pytest.mark.django_db
def test_post_subsidy_page_no_longer_says_review_is_not_in_the_portal(office, client_for):
    html = client_for(office).get(reverse("incubators:post_subsidies")).content.decode()
    assert "尚未接入平台" not in html


@pytest.mark.django_db
def test_finance_institution_form_shows_server_errors_for_a_bad_email(bureau, client_for):
    client = client_for(bureau)
    url = reverse("finance:institution_create")
    assert "novalidate" in client.get(url).content.decode()
    response = client.post(url, {"name": "长春天使投资有限公司", "uscc": "91220101MA84F3QK2P", "kind": "vc",
                                 "region": bureau.region_id, "contact_email": "not-an-email"})
    assert response.status_code == 200
    html = response.content.decode()
    import re

    errors = re.findall(r'invalid-feedback[^>]*>(.*?)</', html, re.S)
    assert any("邮" in e or "mail" in e.lower() for e in errors), errors


@pytest.mark.django_db
def test_bureau_summary_shows_the_policy_count_and_no_storage_path(cycle, bureau, client_for, settings, tmp_path):
    from tests.assessment.factories import PolicyFactory, SummaryFactory

    settings.MEDIA_ROOT = str(tmp_path)
    summary = SummaryFactory(cycle=cycle, region=bureau.region, created_by=bureau)
    PolicyFactory(summary=summary)
    PolicyFactory(summary=summary)
    client = client_for(bureau)
    detail = client.get(reverse("assessment:summary", args=[summary.pk])).content.decode()
    assert 'data-testid="policy-count">2 项<' in detail
    assert "地方配套政策数量" not in detail
    edit = client.get(reverse("assessment:summary_edit", args=[summary.pk])).content.decode()
    stored = summary.report.name
    assert "/" in stored and stored not in edit and f"/media/{stored}" not in edit
    assert reverse("assessment:summary_report", args=[summary.pk]) in edit
