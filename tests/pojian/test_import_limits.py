"""Imports refuse a workbook too big before parsing its rows: a zip bomb, too many rows; headers first."""

import io
import zipfile

import pytest
from django.core.files.base import ContentFile
from openpyxl import Workbook

from enterprises.domain import import_nominations, import_tax
from finance.domain import investments
from pojian.domain import xlsx
from pojian.domain.jobs import JobFailed
from pojian.models import Job
from reviews.domain import experts_import


def workbook(headers, rows=0, *, pad_bytes=0):
    """An .xlsx (openpyxl: with its <dimension>) of `rows` rows; pad_bytes of zeros in an extra member.

    With padding it is a small decompression bomb: a few kilobytes that unpack to pad_bytes.
    """
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for i in range(rows):
        ws.append([f"v{i}"] * len(headers))
    out = io.BytesIO()
    wb.save(out)
    if pad_bytes:
        with zipfile.ZipFile(out, "a", compression=zipfile.ZIP_DEFLATED) as z:
            z.writestr("xl/media/pad.bin", b"\0" * pad_bytes)
    out.seek(0)
    return out


@pytest.fixture
def small_limits(settings):
    settings.IMPORT_MAX_UNPACKED_BYTES = 1024 * 1024
    settings.IMPORT_MAX_ROWS = 100


@pytest.fixture
def never_parsed(monkeypatch):
    """Fail the test if openpyxl is asked to open the workbook at all."""
    def refuse(*args, **kwargs):
        raise AssertionError("the workbook was parsed")

    monkeypatch.setattr(xlsx, "load_workbook", refuse)
    monkeypatch.setattr(xlsx, "open_read_only", refuse)
    monkeypatch.setattr(import_tax, "open_read_only", refuse)


def test_a_bomb_is_refused_before_it_is_parsed(small_limits, never_parsed):
    bomb = workbook(["a"], pad_bytes=20 * 1024 * 1024)
    assert len(bomb.getvalue()) < 100 * 1024  # small packed
    with pytest.raises(JobFailed) as e:
        list(xlsx.read_rows(bomb))
    assert "解压后" in e.value.message and "20.0\xa0MB" in e.value.message


def test_a_sheet_declaring_too_many_rows_is_refused_before_it_is_parsed(small_limits, never_parsed):
    with pytest.raises(JobFailed) as e:
        list(xlsx.read_rows(workbook(["a"], rows=101)))
    assert "101" in e.value.message and "100" in e.value.message


def test_a_sheet_without_dimension_stops_at_the_row_limit(small_limits, tmp_path):
    path = tmp_path / "nodim.xlsx"
    xlsx.write_workbook(path, [("s", ["a"], [[i] for i in range(150)], [10])])
    rows = xlsx.read_rows(path)
    with pytest.raises(JobFailed):
        for _ in rows:
            pass
    assert len(list(xlsx.read_rows(workbook(["a"], rows=100)))) == 100  # the limit itself is allowed


def test_the_header_is_checked_before_any_row_is_read(small_limits):
    seen = []

    def check(headers):
        seen.append(headers)
        raise JobFailed("缺少列")

    rows = xlsx.read_rows(workbook(["wrong"], rows=50), check_headers=check)
    with pytest.raises(JobFailed):
        next(rows)
    assert seen == [["wrong"]]


def test_a_file_that_is_no_zip_is_refused_plainly():
    with pytest.raises(JobFailed) as e:
        xlsx.check_import_limits(io.BytesIO(b"not a workbook"))
    assert "Excel" in e.value.message


@pytest.mark.django_db
def test_tax_import_refuses_a_bomb(small_limits, never_parsed):
    with pytest.raises(JobFailed) as e:
        import_tax.parse(workbook(["a"], pad_bytes=2 * 1024 * 1024), year=2025)
    assert "解压后" in e.value.message


@pytest.mark.django_db
def test_nomination_import_refuses_too_many_rows(small_limits, never_parsed, cycle, bureau):
    with pytest.raises(JobFailed) as e:
        import_nominations.import_nominations(workbook(["a"], rows=500), region=bureau.region, cycle=cycle, by=bureau)
    assert "500" in e.value.message


@pytest.mark.django_db
def test_nomination_import_names_missing_columns_from_the_header(cycle, bureau):
    with pytest.raises(JobFailed) as e:
        import_nominations.import_nominations(workbook(["名称"], rows=5), region=bureau.region, cycle=cycle, by=bureau)
    assert e.value.errors and all(err["row"] == 1 for err in e.value.errors)


@pytest.mark.django_db
def test_expert_import_refuses_a_bomb(small_limits, never_parsed, office):
    with pytest.raises(JobFailed) as e:
        experts_import.import_experts(workbook(["姓名"], pad_bytes=2 * 1024 * 1024), by=office)
    assert "解压后" in e.value.message


@pytest.mark.django_db
def test_investment_import_refuses_too_many_rows(small_limits, never_parsed, office):
    job = Job.objects.create(kind="finance.import_investments", title="导入", created_by=office)
    job.input_file.save("big.xlsx", ContentFile(workbook(["a"], rows=300).getvalue()))
    with pytest.raises(JobFailed) as e:
        investments.import_investments(job, lambda *a, **k: None)
    assert "300" in e.value.message
