"""Exporting the office's filtered nomination list to .xlsx (a background job)."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from enterprises import tasks
from enterprises.domain import checks, export
from enterprises.models import EnterpriseNomination, EnterpriseYear
from pojian.models import Job, NominationState
from tests import factories as core
from tests.enterprises.factories import EnterpriseFactory, EnterpriseNominationFactory, eligible_enterprise


def zh(text):
    with translation.override("zh-hans"):
        translated = translation.gettext(text)
    assert translated != text, f"no Chinese for {text!r}"
    return translated


def read(path):
    ws = load_workbook(path).worksheets[0]
    return [list(r) for r in ws.iter_rows()]


@pytest.mark.django_db
def test_write_nominations_numbers_stay_numbers_and_formulas_are_neutralised(cycle, tmp_path):
    evil = eligible_enterprise(year=cycle.year)
    evil.name = '=HYPERLINK("http://evil.example","点我")'
    evil.save()
    EnterpriseYear.objects.filter(enterprise=evil).update(revenue_tax=Decimal("1234567.89"))
    n = EnterpriseNominationFactory(enterprise=evil, cycle=cycle, state=NominationState.SUBMITTED,
                                    recommendation="+1 推荐")
    checks.check_nomination(n)
    path = tmp_path / "out.xlsx"
    with translation.override("zh-hans"):
        count = export.write_nominations(path, EnterpriseNomination.objects.all(), year=cycle.year)
    assert count == 1
    header, row = read(path)
    headers = [c.value for c in header]
    assert headers[2] == zh("Enterprise name") and zh("Sales revenue (yuan)") in headers
    name = row[2]
    assert name.value == evil.name and name.data_type == "s" and name.quotePrefix
    revenue = row[headers.index(zh("Sales revenue (yuan)"))]
    assert revenue.data_type == "n" and Decimal(str(revenue.value)) == Decimal("1234567.89")  # tax figure used
    employees = row[headers.index(zh("Number of employees"))]
    assert employees.data_type == "n" and employees.value == 100
    assert row[headers.index(zh("四科 check"))].value == zh("Meets")
    assert row[0].value == cycle.year and row[0].data_type == "n"
    # The figures are the figures year's, said the same way as everywhere else.
    assert row[-1].value == f"{cycle.year - 1}年度财务数据（{cycle.year}年度推荐）"


@pytest.mark.django_db
def test_write_nominations_lists_failed_criteria(cycle, tmp_path):
    n = EnterpriseNominationFactory(enterprise=eligible_enterprise(year=cycle.year, employees=600, tech_staff=100),
                                    cycle=cycle)
    checks.check_nomination(n)
    unchecked = EnterpriseNominationFactory(cycle=cycle)
    path = tmp_path / "out.xlsx"
    with translation.override("zh-hans"):
        export.write_nominations(path, EnterpriseNomination.objects.order_by("pk"), year=cycle.year)
    header, first, second = read(path)
    headers = [c.value for c in header]
    assert first[headers.index(zh("四科 check"))].value == zh("Does not meet")
    assert first[headers.index(zh("Criteria not met"))].value == "、".join([zh("Employees"), zh("S&T staff share")])
    assert second[headers.index(zh("四科 check"))].value == zh("Not checked")
    assert second[headers.index(zh("Enterprise name"))].value == unchecked.enterprise.name


@pytest.mark.django_db
def test_export_view_starts_a_job_with_the_filters_and_the_task_writes_them(
    client_for, office, cycle, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    changchun = EnterpriseNominationFactory(cycle=cycle, enterprise=EnterpriseFactory(region=core.region("220100")))
    EnterpriseNominationFactory(cycle=cycle, enterprise=EnterpriseFactory(region=core.region("220200")))
    client = client_for(office)
    url = reverse("enterprises:office_nominations_export") + f"?region={core.region('220100').pk}&state=draft"
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(url)
    job = Job.objects.get()
    assert response["Location"] == reverse("job", args=[job.pk])
    assert job.params["filters"] == {"region": [str(core.region("220100").pk)], "state": ["draft"]}
    tasks.export_nominations(job.pk)  # in-process here (a worker runs it in production)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.result_file
    rows = read(job.result_file.path)
    assert len(rows) == 2 and rows[1][2].value == changchun.enterprise.name
    download = client.get(reverse("job_download", args=[job.pk]))
    assert download.status_code == 200


@pytest.mark.django_db
def test_export_job_is_not_visible_to_a_bureau(client_for, office, bureau, cycle, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        client_for(office).post(reverse("enterprises:office_nominations_export"))
    job = Job.objects.get()
    assert client_for(bureau).get(reverse("job", args=[job.pk])).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["=1+2", "+8613800000000", "-2+3", "@SUM(A1:A9)", "\t=cmd|' /C calc'!A0"])
def test_write_nominations_neutralises_every_formula_start(cycle, tmp_path, name):
    EnterpriseNominationFactory(cycle=cycle, enterprise=EnterpriseFactory(name=name))
    path = tmp_path / "out.xlsx"
    export.write_nominations(path, EnterpriseNomination.objects.all(), year=cycle.year)
    _header, row = read(path)
    assert row[2].value == name and row[2].data_type == "s" and row[2].quotePrefix
    import zipfile

    with zipfile.ZipFile(path) as z:
        assert "<f>" not in z.read("xl/worksheets/sheet1.xml").decode()


@pytest.mark.django_db
def test_export_job_follows_the_verdict_failed_criterion_and_high_tech_filters(cycle, office, tmp_path, settings):
    from pojian.domain.jobs import start_job

    settings.MEDIA_ROOT = tmp_path
    good = EnterpriseNominationFactory(cycle=cycle, enterprise=eligible_enterprise(year=cycle.year))
    low_rd = EnterpriseNominationFactory(cycle=cycle, enterprise=eligible_enterprise(year=cycle.year, rd_expense=Decimal("1")))
    unchecked_high_tech = EnterpriseNominationFactory(cycle=cycle, enterprise=EnterpriseFactory(is_high_tech=True))
    for n in (good, low_rd):
        checks.check_nomination(n)

    def exported(filters):
        job, _ = start_job(kind="enterprises.export_nominations", title="t", by=office, task=tasks.export_nominations,
                           params={"year": cycle.year, "filters": filters, "language": "zh-hans"})
        tasks.export_nominations(job.pk)
        job.refresh_from_db()
        assert job.status == Job.Status.DONE, job.message
        return {r[2].value for r in read(job.result_file.path)[1:]}

    assert exported({}) == {good.enterprise.name, low_rd.enterprise.name, unchecked_high_tech.enterprise.name}
    assert exported({"verdict": ["yes"]}) == {good.enterprise.name}
    assert exported({"verdict": ["none"]}) == {unchecked_high_tech.enterprise.name}
    assert exported({"failed": ["rd_intensity"]}) == {low_rd.enterprise.name}
    assert exported({"failed": ["revenue"]}) == set()
    assert exported({"high_tech": ["yes"]}) == {unchecked_high_tech.enterprise.name}
