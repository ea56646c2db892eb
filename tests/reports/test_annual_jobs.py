"""Annual reports as background jobs: once at a time, files kept, re-runnable; and the command."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from pojian.domain.errors import PermissionDenied, ValidationError
from pojian.domain.jobs import run_job
from pojian.models import Job
from reports.domain import annual
from reports.models import AnnualReport
from tests import factories as core
from tests import pdfcheck
from tests.reports.factories import known_year

pytestmark = pytest.mark.django_db


def files_under(root):
    return sorted(p.relative_to(root).as_posix() for p in Path(root).rglob("*") if p.is_file())


def test_request_report_twice_while_running_starts_one_job(cycle, office, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first, created1 = annual.request_report(year=cycle.year, by=office)
        second, created2 = annual.request_report(year=cycle.year, by=core.OfficeFactory())
    assert created1 and not created2 and first.pk == second.pk
    assert len(callbacks) == 1  # one task sent
    assert AnnualReport.objects.count() == 1 and Job.objects.filter(kind=annual.KIND).count() == 1
    # Another scope is another report.
    other, created3 = annual.request_report(year=cycle.year, region=core.region("220100"), by=office)
    assert created3 and other.pk != first.pk


def test_request_report_again_after_it_finished_starts_a_new_one(cycle, office, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    first, _ = annual.request_report(year=cycle.year, by=office)
    run_job(first.job_id, annual.run_report)
    second, created = annual.request_report(year=cycle.year, by=office)
    assert created and second.pk != first.pk


def test_request_report_refused_for_a_bureau_and_an_unknown_year(cycle, bureau, office):
    with pytest.raises(PermissionDenied):
        annual.request_report(year=cycle.year, region=bureau.region, by=bureau)
    with pytest.raises(ValidationError):
        annual.request_report(year=1999, by=office)


def test_run_report_keeps_both_files_with_requester_and_time(cycle, office, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    known_year(cycle)
    report, _ = annual.request_report(year=cycle.year, region=core.region("220100"), by=office)
    job = run_job(report.job_id, annual.run_report)
    report.refresh_from_db()
    assert job.status == Job.Status.DONE and job.percent == 100
    assert report.finished_at is not None and report.requested_by == office and report.pages >= 2
    assert files_under(tmp_path) == [f"reports/{cycle.year}/{report.pk}-220100.pdf", f"reports/{cycle.year}/{report.pk}-220100.xlsx"]
    with report.pdf.open("rb") as f:
        pdf = f.read()
    assert pdfcheck.has_embedded_cjk_font(pdf) and "长春市" in pdfcheck.text(pdf)
    assert job.result_file.name == report.pdf.name  # the shared job page offers the PDF


def test_run_report_failing_leaves_no_file_and_can_run_again(cycle, office, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    report, _ = annual.request_report(year=cycle.year, by=office)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(annual.render, "write_report_workbook", broken)
    with pytest.raises(RuntimeError):
        run_job(report.job_id, annual.run_report)
    report.refresh_from_db()
    assert report.job.status == Job.Status.FAILED and not report.pdf and files_under(tmp_path) == []
    assert annual.can_rerun(report)
    monkeypatch.undo()
    annual.rerun_report(report, by=office)
    job = run_job(report.job_id, annual.run_report)
    assert job.status == Job.Status.DONE and len(files_under(tmp_path)) == 2


def test_rerun_refused_while_running_and_once_done_allowed_when_stale(cycle, office, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report, _ = annual.request_report(year=cycle.year, by=office)
    Job.objects.filter(pk=report.job_id).update(status=Job.Status.RUNNING, started_at=timezone.now())
    AnnualReport.objects.filter(pk=report.pk).update(heartbeat_at=timezone.now())
    report = AnnualReport.objects.select_related("job").get(pk=report.pk)
    assert not annual.can_rerun(report)
    with pytest.raises(ValidationError):
        annual.rerun_report(report, by=office)
    # No sign of life for longer than STALE_AFTER: its worker died; the office may run it again.
    AnnualReport.objects.filter(pk=report.pk).update(heartbeat_at=timezone.now() - annual.STALE_AFTER - timedelta(minutes=1))
    report = AnnualReport.objects.select_related("job").get(pk=report.pk)
    assert annual.can_rerun(report)
    annual.rerun_report(report, by=office)
    assert Job.objects.get(pk=report.job_id).status == Job.Status.QUEUED
    run_job(report.job_id, annual.run_report)
    report = AnnualReport.objects.select_related("job").get(pk=report.pk)
    with pytest.raises(ValidationError):
        annual.rerun_report(report, by=office)


def test_run_report_removes_what_a_killed_run_left(cycle, office, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report, _ = annual.request_report(year=cycle.year, by=office)
    folder = tmp_path / "reports" / str(cycle.year)
    folder.mkdir(parents=True)
    (folder / f".partial-report-{report.pk}-abc.pdf").write_bytes(b"half")
    run_job(report.job_id, annual.run_report)
    assert not list(folder.glob(".partial-*")) and len(files_under(tmp_path)) == 2


# --- the command -------------------------------------------------------------------------------


def test_annual_report_command_writes_pdf_and_xlsx(cycle, tmp_path):
    known_year(cycle)
    out = tmp_path / "out"
    call_command("annual_report", year=cycle.year, region="220200", out=str(out))
    names = sorted(p.name for p in out.iterdir())
    assert [Path(n).suffix for n in names] == [".pdf", ".xlsx"]
    assert "吉林市" in pdfcheck.text(out / names[0])


@pytest.mark.parametrize("args, message", [
    ({"year": 1999}, "1999"),
    ({"region": "999999"}, "999999"),
])
def test_annual_report_command_refuses_unknown_year_or_region(cycle, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("annual_report", **{"year": cycle.year, "region": "", "out": str(tmp_path), **args})
    assert list(tmp_path.iterdir()) == []


def test_annual_report_command_refuses_unwritable_folder(cycle, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(CommandError) as e:
        call_command("annual_report", year=cycle.year, out=str(blocker / "sub"))
    assert str(blocker / "sub") in str(e.value)


def test_annual_report_command_exits_non_zero_with_a_message(tmp_path, test_database_url):
    # A real process on the test database: the exit status and the message a person sees.
    env = {**os.environ, "DATABASE_URL": test_database_url}
    result = subprocess.run([sys.executable, "manage.py", "annual_report", "--year", "1999", "--out", str(tmp_path)],
                            cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode != 0
    assert "1999" in result.stderr


# --- the pages -----------------------------------------------------------------------------------


def test_asking_twice_on_the_page_shows_the_running_report(client_for, office, cycle, django_capture_on_commit_callbacks):
    from django.urls import reverse

    client = client_for(office)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = client.post(reverse("reports:request"), {"year": cycle.year, "region": ""})
        second = client.post(reverse("reports:request"), {"year": cycle.year, "region": ""}, follow=True)
    job_id = AnnualReport.objects.get().job_id
    assert first["Location"] == reverse("job", args=[job_id])
    assert second.redirect_chain[-1][0] == reverse("job", args=[job_id])
    assert len(callbacks) == 1 and len(list(second.context["messages"])) == 1


def test_run_again_button_for_a_failed_report(client_for, office, cycle, django_capture_on_commit_callbacks):
    from django.urls import reverse

    report, _ = annual.request_report(year=cycle.year, by=office)
    Job.objects.filter(pk=report.job_id).update(status=Job.Status.FAILED, message="worker lost")
    client = client_for(office)
    listing = client.get(reverse("reports:reports")).content.decode()
    assert reverse("reports:rerun", args=[report.pk]) in listing
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("reports:rerun", args=[report.pk]))
    assert response["Location"] == reverse("job", args=[report.job_id])
    assert Job.objects.get(pk=report.job_id).status == Job.Status.QUEUED and len(callbacks) == 1
    # Running now (not stale): no button, and a second press is refused with a message.
    assert reverse("reports:rerun", args=[report.pk]) not in client.get(reverse("reports:reports")).content.decode()
    response = client.post(reverse("reports:rerun", args=[report.pk]), follow=True)
    assert [str(m) for m in response.context["messages"]]
