"""Who may use each page: the office everything; a bureau only its own region's reports; the rest nothing."""

import pytest
from django.urls import reverse

from reports.models import AnnualReport
from tests import factories as core
from tests.reports.factories import AnnualReportFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reports(cycle, office, settings, tmp_path):
    """A finished 长春 report, a 吉林 report and a province report, each with its two files."""
    settings.MEDIA_ROOT = tmp_path
    made = {}
    for key, code in (("cc", "220100"), ("jl", "220200"), ("province", None)):
        report = AnnualReportFactory(cycle=cycle, region=core.region(code) if code else None, requested_by=office)
        folder = tmp_path / "reports"
        folder.mkdir(exist_ok=True)
        (folder / f"{report.pk}.pdf").write_bytes(b"%PDF-1.7 " + key.encode())
        (folder / f"{report.pk}.xlsx").write_bytes(b"PK " + key.encode())
        AnnualReport.objects.filter(pk=report.pk).update(pdf=f"reports/{report.pk}.pdf", xlsx=f"reports/{report.pk}.xlsx")
        made[key] = AnnualReport.objects.get(pk=report.pk)
    return made


def status(client, method, url, **data):
    response = getattr(client, method)(url, data)
    if response.status_code == 302 and "login" in response["Location"]:
        return "login"
    return response.status_code


OFFICE_ONLY_GET = ["reports:dashboard", "reports:schedule_create"]


@pytest.mark.parametrize("name", OFFICE_ONLY_GET)
def test_office_pages_refuse_bureaus_experts_partners_and_anonymous(client_for, office, bureau, other_bureau, expert, partner, cycle, name):
    url = reverse(name)
    assert status(client_for(office), "get", url) == 200
    for user in (bureau, other_bureau, expert, partner):
        assert status(client_for(user), "get", url) == 403
    assert status(client_for(None), "get", url) == "login"


def test_dashboard_xlsx_only_for_the_office(client_for, office, bureau, other_bureau, expert, partner, cycle):
    url = reverse("reports:dashboard_xlsx", args=["states"])
    assert status(client_for(office), "get", url) == 200
    for user in (bureau, other_bureau, expert, partner):
        assert status(client_for(user), "get", url) == 403
    assert status(client_for(None), "get", url) == "login"


def test_report_list_bureau_sees_only_its_own_region(client_for, office, bureau, other_bureau, expert, partner, reports):
    url = reverse("reports:reports")
    page = client_for(bureau).get(url)
    assert page.status_code == 200
    listed = {r.pk for r in page.context["reports"]}
    assert listed == {reports["cc"].pk}
    assert "request-form" not in page.content.decode()
    assert {r.pk for r in client_for(other_bureau).get(url).context["reports"]} == {reports["jl"].pk}
    assert {r.pk for r in client_for(office).get(url).context["reports"]} == {r.pk for r in reports.values()}
    for user in (expert, partner):
        assert status(client_for(user), "get", url) == 403
    assert status(client_for(None), "get", url) == "login"


@pytest.mark.parametrize("kind", ["pdf", "xlsx"])
def test_download_changchun_report_refused_to_another_city_expert_partner_anonymous(
    client_for, office, bureau, other_bureau, expert, partner, reports, kind
):
    url = reverse(f"reports:download_{kind}", args=[reports["cc"].pk])
    for user in (office, bureau):
        response = client_for(user).get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content).endswith(b"cc")
    for user in (other_bureau, expert, partner):
        assert status(client_for(user), "get", url) == 403
    assert status(client_for(None), "get", url) == "login"


def test_province_report_refused_to_every_bureau(client_for, office, bureau, other_bureau, reports):
    url = reverse("reports:download_pdf", args=[reports["province"].pk])
    assert status(client_for(office), "get", url) == 200
    for user in (bureau, other_bureau):
        assert status(client_for(user), "get", url) == 403


def test_request_report_refused_to_all_but_the_office(client_for, office, bureau, other_bureau, expert, partner, cycle,
                                                      django_capture_on_commit_callbacks):
    url = reverse("reports:request")
    for user in (bureau, other_bureau, expert, partner):
        assert status(client_for(user), "post", url, year=cycle.year, region="220100") == 403
    assert status(client_for(None), "post", url, year=cycle.year) == "login"
    assert not AnnualReport.objects.exists()
    with django_capture_on_commit_callbacks(execute=False):
        response = client_for(office).post(url, {"year": cycle.year, "region": "220100"})
    report = AnnualReport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("job", args=[report.job_id])
    assert report.region.code == "220100" and report.requested_by == office


def test_rerun_and_schedule_changes_refused_to_all_but_the_office(client_for, office, bureau, other_bureau, expert, partner, reports):
    from reports.domain import schedules

    task = schedules.save_schedule(by=office, name="月报", frequency="monthly", hour=2, day_of_month=1)
    urls = [("post", reverse("reports:rerun", args=[reports["cc"].pk])),
            ("get", reverse("reports:schedule_edit", args=[task.pk])),
            ("post", reverse("reports:schedule_edit", args=[task.pk])),
            ("post", reverse("reports:schedule_delete", args=[task.pk])),
            ("post", reverse("reports:schedule_create")),
            ("post", reverse("reports:release_progress"))]
    for method, url in urls:
        for user in (bureau, other_bureau, expert, partner):
            assert status(client_for(user), method, url) == 403, url
        assert status(client_for(None), method, url) == "login", url
    assert schedules.schedules().count() == 1


def test_public_progress_open_to_everyone(client_for, office, bureau, expert, partner, cycle):
    url = reverse("reports:public_progress")
    for user in (None, office, bureau, expert, partner):
        assert status(client_for(user), "get", url) == 200


def test_nav_items_and_home_card_follow_the_role(office, bureau, expert, partner, cycle, client_for):
    from reports.panels import nav_items

    returns = [reverse("reports:returns"), reverse("reports:counties")]
    mine = reverse("reports:bureau_dashboard")  # the office opens any region's, a bureau its own
    assert [url for _label, url in nav_items(office)] == [reverse("reports:dashboard"), mine, reverse("reports:reports"),
                                                          *returns]
    assert [url for _label, url in nav_items(bureau)] == [mine, reverse("reports:reports"), *returns]
    assert nav_items(expert) == [] and nav_items(partner) == []
    home = client_for(office).get(reverse("home")).content.decode()
    assert 'data-testid="reports-panel"' in home and reverse("reports:dashboard") in home
    assert 'data-testid="reports-panel"' not in client_for(bureau).get(reverse("home")).content.decode()
