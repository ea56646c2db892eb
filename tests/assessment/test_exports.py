"""The assessment table as .xlsx (formulas neutralised) and one PDF page per region (CJK font embedded)."""

from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from assessment.domain import compute, exports, results
from pojian.domain.errors import PermissionDenied
from pojian.models import Job, Region
from tests import factories as core
from tests import pdfcheck
from tests.assessment.factories import IndicatorFactory, OfficeEntryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed(cycle, office):
    Region.objects.exclude(code__in=["220100", "220200", "220300"]).update(active=False)
    opinion = IndicatorFactory(cycle=cycle, code="opinion", name="=HYPERLINK(\"http://x\")处室意见", weight=Decimal(2))
    policies = IndicatorFactory(cycle=cycle, code="policies", name="地方配套政策", source="computed",
                                computation="local_policies", weight=Decimal(1))
    for code, value in (("220100", "91.5"), ("220200", "64"), ("220300", "78.25")):
        OfficeEntryFactory(indicator=opinion, region=core.region(code), value=Decimal(value), entered_by=office)
    assessment = compute.compute_assessment(cycle=cycle, by=office)
    return {"assessment": assessment, "opinion": opinion, "policies": policies}


def run_export(client, url):
    response = client.post(url)
    assert response.status_code == 302
    job = Job.objects.latest("created_at")
    if job.is_active:  # a broker is configured: run the job's work here, as the worker would
        from assessment.domain.exports import run_pdf_job, run_xlsx_job

        (run_xlsx_job if job.kind.endswith("xlsx") else run_pdf_job)(job.pk)
        job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    return job


def test_xlsx_export_has_the_table_with_numbers_and_no_formulas(client_for, office, computed, cycle):
    job = run_export(client_for(office), reverse("assessment:export", args=[cycle.year, "xlsx"]))
    wb = load_workbook(job.result_file.path)
    table = wb.worksheets[0]
    rows = list(table.iter_rows(values_only=True))
    header = rows[0]
    assert header[2].startswith("=HYPERLINK")  # shown as text …
    assert table.cell(row=1, column=3).data_type == "s"  # … never a formula
    by_region = {r[1]: r for r in rows[1:]}
    assert set(by_region) == {"长春市", "吉林市", "四平市"}
    cc = by_region["长春市"]
    assert cc[0] == 1 and cc[2] == 91.5 and cc[3] == 100  # rank, value, score: numbers stay numbers
    # 长春: opinion 100 × 2/3 = 66.67, policies 0 → 66.67
    assert Decimal(str(cc[6])) == Decimal("66.67")
    assert wb.worksheets[1].cell(row=2, column=1).data_type == "s"


def test_xlsx_indicators_sheet_leads_with_chinese_names_and_keeps_the_code_last(client_for, office, computed, cycle):
    job = run_export(client_for(office), reverse("assessment:export", args=[cycle.year, "xlsx"]))
    rows = list(load_workbook(job.result_file.path).worksheets[1].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert header[0] == "名称" and header[-1] == "指标代码（供系统对接）"
    assert {r[0] for r in body} == {"=HYPERLINK(\"http://x\")处室意见", "地方配套政策"}
    assert {r[-1] for r in body} == {"opinion", "policies"}
    assert not any(cell in ("opinion", "policies") for r in body for cell in r[:-1])  # the code only in the last column


def test_pdf_export_has_a_page_per_region_with_the_figures_and_the_cjk_font(client_for, office, computed, cycle):
    job = run_export(client_for(office), reverse("assessment:export", args=[cycle.year, "pdf"]))
    pdf = open(job.result_file.path, "rb").read()
    assert pdfcheck.page_count(pdf) == 3
    assert pdfcheck.has_embedded_cjk_font(pdf)
    text = pdfcheck.text(pdf)
    for expected in ("长春市", "吉林市", "四平市", "91.5", "78.25", "66.67", "地方配套政策"):
        assert expected in text, expected


def test_bureau_exports_only_its_own_regions_pdf(client_for, bureau, other_bureau, computed, cycle):
    job = run_export(client_for(bureau), reverse("assessment:region_pdf", args=[cycle.year, "220100"]))
    pdf = open(job.result_file.path, "rb").read()
    assert pdfcheck.page_count(pdf) == 1
    text = pdfcheck.text(pdf)
    assert "长春市" in text and "91.5" in text and "吉林市" not in text
    assert client_for(other_bureau).post(reverse("assessment:region_pdf", args=[cycle.year, "220100"])).status_code == 403
    with pytest.raises(PermissionDenied):
        exports.request_export(cycle=cycle, by=bureau, kind="xlsx")


def test_export_before_computing_is_refused_with_a_message(client_for, office, cycle):
    response = client_for(office).post(reverse("assessment:export", args=[cycle.year, "xlsx"]), follow=True)
    assert Job.objects.count() == 0
    assert list(response.context["messages"])


def test_bureau_pdf_shows_the_rank_only_after_publication(computed, cycle, office):
    region = core.region("220100")
    hidden = pdfcheck.text(exports.region_pdf(computed["assessment"], [region], show_rank=False))
    results.publish(computed["assessment"], by=office)
    shown = pdfcheck.text(exports.region_pdf(computed["assessment"], [region], show_rank=True))
    from django.utils import translation

    with translation.override("zh-hans"):
        label = translation.gettext("Rank")
    assert label not in hidden and label in shown


def test_region_pages_are_numbered_through_the_whole_pdf(computed):
    """Chunks joined into one PDF: page k of N on every page, not “1 / 1” on each (read by pdftotext)."""
    import re

    regions = [core.region(code) for code in ("220100", "220200", "220300")]
    pdf = exports.region_pdf(computed["assessment"], regions, show_rank=False)
    total = pdfcheck.page_count(pdf)
    assert total >= 3
    numbers = re.findall(r"^\s*(\d+)\s*/\s*(\d+)\s*$", pdfcheck.text(pdf).replace("\f", "\n"), re.M)
    assert numbers == [(str(k), str(total)) for k in range(1, total + 1)]
