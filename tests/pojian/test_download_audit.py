"""The download audit: every fetch through the one download helper is written down; the office reads it."""

import datetime
import io

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from pojian.domain import jobs
from pojian.domain.pdf import minimal_pdf
from pojian.domain.xlsx import write_workbook
from pojian.models import Download, Job
from tests.enterprises.test_office_pages import submitted

DAY = datetime.datetime(2026, 3, 10, 9, 30, tzinfo=datetime.UTC)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def make(user, *, days=0, category=Download.Category.FILE, subject="企业推荐：推荐函", file_name="letter.pdf"):
    d = Download.objects.create(user=user, username=user.username, category=category, subject=subject,
                                file_name=file_name, path="/x/")
    Download.objects.filter(pk=d.pk).update(at=DAY + datetime.timedelta(days=days))
    return d


@pytest.mark.django_db
def test_letter_and_job_result_downloads_are_recorded(client_for, office, bureau, cycle, media):
    n = submitted(cycle, letter=ContentFile(minimal_pdf("x"), name="letter.pdf"))
    client_for(office).get(reverse("enterprises:office_nomination_letter", args=[n.pk]))
    job = Job.objects.create(kind="test.export", title="导出企业推荐", created_by=bureau)
    jobs.save_result(job, "export.xlsx", lambda p: write_workbook(p, [("s", ["a"], [[1]], None)]))
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE)
    client_for(bureau).get(reverse("job_download", args=[job.pk]))
    letter, export = Download.objects.order_by("pk")
    assert (letter.user, letter.category, letter.object_type, letter.object_id) == (
        office, Download.Category.FILE, "enterprises.enterprisenomination", n.pk)
    assert letter.file_name.endswith(".pdf") and n.enterprise.name in letter.subject
    assert (export.user, export.category, export.subject, export.file_name) == (
        bureau, Download.Category.EXPORT, "导出企业推荐", "export.xlsx")
    assert export.path == reverse("job_download", args=[job.pk])


@pytest.mark.django_db
def test_refused_download_is_not_recorded(client_for, other_bureau, cycle, media):
    n = submitted(cycle, letter=ContentFile(minimal_pdf("x"), name="letter.pdf"))
    assert client_for(other_bureau).get(reverse("enterprises:office_nomination_letter", args=[n.pk])).status_code == 403
    assert not Download.objects.exists()


@pytest.mark.django_db
def test_office_filters_the_audit(client_for, office, bureau, other_bureau):
    make(bureau, days=0)
    make(other_bureau, days=5, category=Download.Category.EXPORT, subject="企业推荐名单", file_name="list.xlsx")
    make(office, days=9, subject="总结报告")
    client = client_for(office)

    def shown(**params):
        response = client.get(reverse("download_audit"), params)
        assert response.status_code == 200
        return sorted(r.record.username for r in response.context["table"].page.object_list)

    assert shown() == sorted([bureau.username, other_bureau.username, office.username])
    assert shown(category="export") == [other_bureau.username]
    assert shown(q=bureau.username) == [bureau.username]
    assert shown(q="总结") == [office.username]
    local = timezone.localtime(DAY).date()
    assert shown(since=(local + datetime.timedelta(days=1)).isoformat(),
                 until=(local + datetime.timedelta(days=6)).isoformat()) == [other_bureau.username]


@pytest.mark.django_db
def test_office_exports_the_filtered_audit_and_the_export_is_audited(client_for, office, bureau):
    make(bureau, subject="=HYPERLINK(\"http://evil\")")
    make(bureau, category=Download.Category.EXPORT, subject="企业推荐名单")
    response = client_for(office).get(reverse("download_audit_export"), {"category": "file"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith("attachment")
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [r[3] for r in rows] == ["=HYPERLINK(\"http://evil\")"]
    assert ws["D2"].data_type == "s"  # text, not a formula
    assert Download.objects.filter(user=office, category=Download.Category.EXPORT).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["download_audit", "download_audit_export"])
def test_audit_refused_to_everyone_but_the_office(client_for, bureau, other_bureau, expert, partner, url_name):
    make(bureau)
    url = reverse(url_name)
    for user in (bureau, other_bureau, expert, partner):
        assert client_for(user).get(url).status_code == 403
    response = client_for(None).get(url)
    assert response.status_code == 302 and reverse("login") in response["Location"]
