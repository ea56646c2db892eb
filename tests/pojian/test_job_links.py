"""Job pages say what the job was, lead back to where it started, link its files and offer the next step."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from pojian.domain import jobs
from pojian.models import Job


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.mark.django_db
def test_done_job_page_links_origin_files_and_next_step(office, client_for):
    job = Job.objects.create(
        kind="test", title="2025 年度报告", created_by=office, status=Job.Status.DONE,
        origin_url="/reports/annual/", origin_label="年度报告", next_url="/enterprises/office/nominations/",
        next_label="查看核验结果", outputs=[{"label": "下载 报告.xlsx", "url": "/reports/annual/1/xlsx/"}],
    )
    job.result_file.save("r.pdf", ContentFile(b"%PDF-1.4"), save=False)
    job.result_name = "报告.pdf"
    job.save()
    html = client_for(office).get(reverse("job", args=[job.pk])).content.decode()
    assert "2025 年度报告" in html
    assert 'href="/reports/annual/"' in html and "返回年度报告" in html
    assert reverse("job_download", args=[job.pk]) in html
    assert 'href="/reports/annual/1/xlsx/"' in html
    assert 'data-testid="job-next"' in html and "查看核验结果" in html


@pytest.mark.django_db
def test_running_job_offers_no_next_step_yet(office, client_for):
    job = Job.objects.create(kind="test", title="t", created_by=office, status=Job.Status.RUNNING,
                             next_url="/x/", next_label="查看核验结果")
    html = client_for(office).get(reverse("job", args=[job.pk])).content.decode()
    assert 'data-testid="job-next"' not in html


@pytest.mark.django_db
def test_failed_job_offers_to_try_again_where_it_started(office, client_for):
    job = Job.objects.create(kind="test", title="t", created_by=office, status=Job.Status.FAILED,
                             origin_url="/enterprises/bureau/import/", origin_label="推荐导入")
    html = client_for(office).get(reverse("job", args=[job.pk])).content.decode()
    assert 'data-testid="job-retry"' in html and 'href="/enterprises/bureau/import/"' in html


@pytest.mark.django_db
def test_job_without_origin_leads_home(office, client_for):
    job = Job.objects.create(kind="test", title="t", created_by=office)
    html = client_for(office).get(reverse("job", args=[job.pk])).content.decode()
    assert f'href="{reverse("home")}"' in html.split('data-testid="job-origin"')[1].split("</nav>")[0]


@pytest.mark.django_db
def test_year_check_job_leads_to_the_check_results(cycle, office, client_for):
    response = client_for(office).post(reverse("enterprises:office_checks"))
    job = Job.objects.get(kind="enterprises.check_year")
    assert response["Location"] == reverse("job", args=[job.pk])
    assert job.origin_url == reverse("enterprises:office_checks")
    assert job.next_url == reverse("enterprises:office_nominations") and job.next_label == "查看核验结果"


@pytest.mark.django_db
def test_propose_job_leads_to_the_assignment_plan(cycle, office):
    from reviews.domain.jobs import start_propose
    from tests.reviews.factories import RoundFactory

    round_ = RoundFactory(cycle=cycle)
    job, _created = start_propose(round_=round_, by=office)
    assert job.origin_url == reverse("reviews:office_round", args=[round_.pk])
    assert job.next_url == reverse("reviews:office_assignment", args=[round_.pk]) and job.next_label == "查看分配方案"


@pytest.mark.django_db
def test_add_outputs_records_the_files(office):
    job = Job.objects.create(kind="test", title="t", created_by=office)
    jobs.add_outputs(job, [("工作簿", "/a.xlsx")])
    job.refresh_from_db()
    assert job.outputs == [{"label": "工作簿", "url": "/a.xlsx"}]
