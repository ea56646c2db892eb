"""The high-tech, 专精特新 and 小巨人 lists: good files (xlsx, GBK CSV), every bad row listed, nothing changed on error,
the recognitions recorded with their evidence and the tiers moved; the page is the office's only."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from enterprises import tasks
from enterprises.domain import import_recognitions as reclist
from enterprises.domain import pool
from enterprises.domain.listfile import header_keys
from enterprises.models import Enterprise, PoolEntry, Recognition, TierStanding
from pojian.domain.jobs import JobFailed
from pojian.domain.uscc import numbered
from pojian.models import Job
from tests import factories as core
from tests.enterprises.factories import EnterpriseFactory, RegistrationFactory

Y = 2025  # fixed years: nothing here depends on today's date
HIGH_TECH = ["企业名称", "统一社会信用代码", "证书编号", "发证日期", "批次"]
SPECIALISED = ["企业名称", "统一社会信用代码", "年度", "批次", "文号"]


@pytest.fixture(autouse=True)
def _pool_refresh_in_process(monkeypatch):
    monkeypatch.setattr(tasks.refresh_pool, "delay", lambda *args: tasks.refresh_pool.apply(args=args))


def xlsx(header, rows):
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def csv_file(header, rows, encoding):
    lines = [",".join(header)] + [",".join(str(c) for c in r) for r in rows]
    return io.BytesIO(("\n".join(lines) + "\n").encode(encoding))


def registered(region_code="220100", n=1):
    enterprise = EnterpriseFactory(region=core.region(region_code), uscc=numbered(f"91{region_code}", 500 + n))
    RegistrationFactory(enterprise=enterprise, year=Y)
    return enterprise


def tier(enterprise, year=Y):
    s = TierStanding.objects.filter(enterprise=enterprise, year=year).first()
    return s.code if s else None


def snapshot():
    return (Enterprise.objects.count(), PoolEntry.objects.count(),
            list(Recognition.objects.values_list("pk", "enterprise_id", "kind", "year", "reference", "batch")),
            list(TierStanding.objects.values_list("enterprise_id", "year", "code")))


@pytest.mark.django_db
def test_header_keys_maps_both_languages_and_aliases():
    keys = header_keys([("reference", "证书编号", "certificate number")], {"证书号": "reference"})
    assert keys == {"证书编号": "reference", "certificatenumber": "reference", "证书号": "reference"}


@pytest.mark.django_db
def test_high_tech_list_records_certificates_and_raises_the_tier(office, django_capture_on_commit_callbacks):
    known = registered()
    pool.backfill()
    assert tier(known) == "tech-sme"
    new_code = numbered("91220201", 777)  # 吉林市: not in the portal yet
    with django_capture_on_commit_callbacks(execute=True):
        result = reclist.import_file(xlsx(HIGH_TECH, [
            [known.name, known.uscc, f"GR{Y}22000123", f"{Y}-11-20", "第一批"],
            ["吉林新高科技有限公司", new_code, f"gr{Y}22000124", f"{Y}/12/01", ""],
        ]), kind="high_tech", by=office, filename="高企名单.xlsx")
    assert (result.rows, result.created, result.updated, result.enterprises_created) == (2, 2, 0, 1)
    rec = Recognition.objects.get(enterprise=known, kind="high_tech")
    assert (rec.year, rec.reference, rec.batch, str(rec.recognised_on)) == (Y, f"GR{Y}22000123", "第一批", f"{Y}-11-20")
    assert "高企名单.xlsx" in rec.evidence and "2" in rec.evidence
    assert rec.history.first().history_user == office
    assert tier(known) == "high-tech" and PoolEntry.objects.get(enterprise=known).tier_code == "high-tech"
    reasons = TierStanding.objects.get(enterprise=known, year=Y).reasons
    assert reasons == [{"kind": "high_tech", "year": Y, "ref": f"GR{Y}22000123", "batch": "第一批"}]
    new = Enterprise.objects.get(uscc=new_code)
    assert new.region.code == "220200"
    entry = PoolEntry.objects.get(enterprise=new)
    assert entry.entered_via == PoolEntry.Via.RECOGNITION and entry.tier_code == "high-tech"
    # The same list again changes nothing but the evidence: updated, not doubled.
    with django_capture_on_commit_callbacks(execute=True):
        again = reclist.import_file(xlsx(HIGH_TECH, [[known.name, known.uscc, f"GR{Y}22000123", f"{Y}-11-20", "第二批"]]),
                                    kind="high_tech", by=office)
    assert (again.created, again.updated) == (0, 1)
    assert Recognition.objects.get(enterprise=known, kind="high_tech").batch == "第二批"


@pytest.mark.django_db
@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig"])
def test_a_specialised_list_in_csv_gbk_or_utf8_moves_the_tier_up_for_three_years(
        office, encoding, django_capture_on_commit_callbacks):
    enterprise = registered()
    RegistrationFactory(enterprise=enterprise, year=Y + 1)
    with django_capture_on_commit_callbacks(execute=True):
        reclist.import_file(csv_file(SPECIALISED, [[enterprise.name, enterprise.uscc, Y, "2025年第二批", "吉工信〔2025〕8号"]],
                                     encoding), kind="specialised", by=office)
    rec = Recognition.objects.get(enterprise=enterprise)
    assert (rec.kind, rec.batch, rec.reference) == ("specialised", "2025年第二批", "吉工信〔2025〕8号")
    assert tier(enterprise, Y) == tier(enterprise, Y + 1) == "specialised"
    with django_capture_on_commit_callbacks(execute=True):
        reclist.import_file(xlsx(SPECIALISED, [[enterprise.name, enterprise.uscc, Y + 1, "第六批", ""]]),
                            kind="little_giant", by=office)
    assert tier(enterprise, Y) == "specialised" and tier(enterprise, Y + 1) == "little-giant"
    assert PoolEntry.objects.get(enterprise=enterprise).tier_code == "little-giant"


@pytest.mark.django_db
def test_every_bad_row_is_listed_in_chinese_and_nothing_changes(office, django_capture_on_commit_callbacks):
    known = registered()
    pool.backfill()
    before = snapshot()
    rows = [
        [known.name, known.uscc, f"GR{Y}22000200", f"{Y}-11-20", ""],                            # 2: fine
        ["坏代码", "91220101MA0000000X", f"GR{Y}22000201", f"{Y}-11-20", ""],                     # 3: check character
        ["年份不符", numbered("91220101", 901), f"GR{Y - 1}22000202", f"{Y}-11-20", ""],          # 4: certificate year
        ["格式不对", numbered("91220101", 902), "高企123", f"{Y}-11-20", ""],                      # 5: not a certificate
        ["日期不对", numbered("91220101", 903), f"GR{Y}22000204", "十一月", ""],                   # 6: date
        ["外省企业", numbered("91110105", 904), f"GR{Y}22000205", f"{Y}-11-20", ""],              # 7: no region
        [known.name, known.uscc, f"GR{Y}22000206", f"{Y}-12-01", ""],                            # 8: twice for the year
        ["", numbered("91220101", 905), "", f"{Y}-11-20", ""],                                   # 9: name, number missing
        ["重复证书", numbered("91220101", 906), f"GR{Y}22000200", f"{Y}-11-20", ""],              # 10: certificate twice
    ]
    with translation.override("zh-hans"), pytest.raises(JobFailed) as e, \
            django_capture_on_commit_callbacks(execute=True) as callbacks:
        reclist.import_file(xlsx(HIGH_TECH, rows), kind="high_tech", by=office)
    by_row = {}
    for err in e.value.errors:
        by_row.setdefault(err["row"], []).append(err)
    assert sorted(by_row) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert by_row[4][0]["column"] == "证书编号" and str(Y - 1) in by_row[4][0]["message"]
    assert by_row[7][0]["column"] == "统一社会信用代码" and "110105" in by_row[7][0]["message"]
    assert len(by_row[9]) == 2 and by_row[10][0]["column"] == "证书编号" and "2" in by_row[10][0]["message"]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in err["message"]) for err in e.value.errors)
    assert "没有导入" in e.value.message or "未导入" in e.value.message
    assert not callbacks  # no refresh of the pool was sent
    assert snapshot() == before


@pytest.mark.django_db
def test_missing_columns_of_a_specialised_list_are_named(office):
    with translation.override("zh-hans"), pytest.raises(JobFailed) as e:
        reclist.import_file(xlsx(["企业名称", "统一社会信用代码", "文号"], [["a", "b", "c"]]), kind="specialised", by=office)
    assert {err["column"] for err in e.value.errors} == {"年度", "批次"}


@pytest.mark.django_db
def test_the_office_imports_through_the_page_as_a_job(client_for, office, django_capture_on_commit_callbacks,
                                                      settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    enterprise = registered()
    content = xlsx(SPECIALISED, [[enterprise.name, enterprise.uscc, Y, "第一批", ""]]).getvalue()
    c = client_for(office)
    url = reverse("enterprises:office_recognition_import", args=["little-giant"])
    page = c.get(url)
    assert page.status_code == 200 and "批次" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(url, {"file": SimpleUploadedFile("小巨人.xlsx", content)})
    job = Job.objects.get()
    assert response.status_code == 302 and job.kind == "enterprises.import_recognitions.little_giant"
    with django_capture_on_commit_callbacks(execute=True):
        tasks.import_recognitions(job.pk)  # what the worker runs
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    assert job.percent == 100
    assert Recognition.objects.get(enterprise=enterprise).kind == "little_giant"
    assert tier(enterprise) == "little-giant"
    assert c.get(reverse("enterprises:office_recognition_import", args=["nonsense"])).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["bureau", "other_bureau", "expert", None])
def test_the_import_page_refuses_bureaus_experts_and_visitors(client_for, request, who):
    user = request.getfixturevalue(who) if who else None
    client = client_for(user)
    for slug in ("high-tech", "specialised"):
        url = reverse("enterprises:office_recognition_import", args=[slug])
        upload = SimpleUploadedFile("l.xlsx", xlsx(HIGH_TECH, []).getvalue())
        for response in (client.get(url), client.post(url, {"file": upload})):
            assert response.status_code == (302 if user is None else 403)
    assert not Job.objects.exists()


# --- the pool list: a constant number of queries --------------------------------------------------


def _queries(client, params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("enterprises:pool"), params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_the_pool_list_takes_the_same_queries_for_3_or_40_entries(client_for, office):
    changchun = core.region("220100")
    for n in range(3):
        registered(n=n)
    pool.backfill()
    c = client_for(office)
    cases = [{}, {"region": changchun.pk, "tier": "tech-sme"}, {"q": "有限公司"}, {"region": changchun.pk, "q": "公司"}]
    few = [_queries(c, params) for params in cases]
    for n in range(3, 40):
        registered(n=n)
    pool.backfill()
    assert PoolEntry.objects.count() == 40
    many = [_queries(c, params) for params in cases]
    assert many == few
