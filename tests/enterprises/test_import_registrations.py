"""The province's registration list (入库登记): good files, bad rows, revocations, the page and the worker."""

import io
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from enterprises import tasks
from enterprises.domain import checks
from enterprises.domain import import_registrations as reglist
from enterprises.models import Enterprise, Registration
from pojian.domain.jobs import JobFailed, start_job
from pojian.domain.uscc import numbered
from pojian.models import Job, Notification
from pojian.models import NominationState as S
from tests import factories as core
from tests.enterprises.factories import (
    EnterpriseNominationFactory,
    RegistrationFactory,
    eligible_enterprise,
    ensure_regions,
)

HEADER = ["企业名称", "统一社会信用代码", "登记编号", "年度", "状态", "日期"]


def xlsx(rows, header=HEADER):
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def csv_bytes(rows, encoding="utf-8-sig"):
    lines = [",".join(HEADER)] + [",".join(str(c) for c in r) for r in rows]
    return ("\n".join(lines) + "\n").encode(encoding)


def number(year, n):
    return f"{year}220101A{n:07d}"


@pytest.mark.django_db
def test_good_file_lists_flags_and_creates(cycle, office):
    year = cycle.year
    same = eligible_enterprise(year=year)  # its typed number is the list's
    typed = Registration.objects.get(enterprise=same, year=year).number
    differs = eligible_enterprise(year=year)
    new_code = numbered("91220201", 777)  # a 吉林市 (2202xx) enterprise the portal does not know
    meihekou = numbered("91220581", 778)  # 梅河口市 has a region of its own
    result = reglist.import_file(xlsx([
        [same.name, same.uscc, typed, year, "入库", "2026-03-15"],
        [differs.name, differs.uscc, number(year, 9999), year, "入库", "2026/04/01"],
        ["吉林新上科技有限公司", new_code, number(year, 1), str(year), "入库", "2026年5月6日"],
        ["梅河口新材料有限公司", meihekou, number(year, 2), year, "入库", "2026-05-07"],
    ]), by=office)
    assert (result.rows, result.created, result.updated, result.enterprises_created, result.disagreeing) == (4, 2, 2, 2, 1)
    reg = Registration.objects.get(enterprise=same, year=year)
    assert reg.listed_number == typed and not reg.number_disagrees and reg.status == Registration.Status.REGISTERED
    flagged = Registration.objects.get(enterprise=differs, year=year)
    assert flagged.number != flagged.listed_number == number(year, 9999) and flagged.number_disagrees
    new = Enterprise.objects.get(uscc=new_code)
    assert new.region.code == "220200" and new.name == "吉林新上科技有限公司"
    assert Registration.objects.get(enterprise=new).number == number(year, 1)
    assert Enterprise.objects.get(uscc=meihekou).region.code == "220581"
    assert new.history.first().history_user == office


@pytest.mark.django_db
def test_csv_in_gbk_is_read(cycle, office):
    code = numbered("91220301", 5)
    reglist.import_file(io.BytesIO(csv_bytes([["四平测试有限公司", code, number(cycle.year, 3), cycle.year, "入库",
                                              "2026-03-01"]], encoding="gb18030")), by=office)
    assert Enterprise.objects.get(uscc=code).region.code == "220300"


@pytest.mark.django_db
def test_bad_rows_are_all_listed_and_nothing_changes(cycle, office):
    year = cycle.year
    known = eligible_enterprise(year=year)
    before = (Enterprise.objects.count(), list(Registration.all_objects.values_list("pk", "number", "status", "listed_number")))
    good = [known.name, known.uscc, number(year, 5), year, "撤销", "2026-06-01"]
    rows = [
        good,                                                                             # row 2: fine
        ["坏代码", "91220101MA0000000X", number(year, 6), year, "入库", "2026-06-01"],     # 3: check character
        ["年份不符", numbered("91220101", 901), f"{year - 1}220101A0000007", year, "入库", "2026-06-01"],  # 4: prefix
        ["状态不对", numbered("91220101", 902), number(year, 8), year, "暂停", "2026-06-01"],  # 5: status
        ["日期不对", numbered("91220101", 903), number(year, 9), year, "入库", "六月"],        # 6: date
        ["外省企业", numbered("91110105", 904), number(year, 10), year, "入库", "2026-06-01"],  # 7: no region
        [known.name, known.uscc, number(year, 11), year, "入库", "2026-06-01"],            # 8: twice for the year
        ["", numbered("91220101", 905), "", year, "入库", "2026-06-01"],                   # 9: name and number missing
    ]
    with translation.override("zh-hans"), pytest.raises(JobFailed) as e:
        reglist.import_file(xlsx(rows), by=office)
    by_row = {}
    for err in e.value.errors:
        by_row.setdefault(err["row"], []).append(err)
    assert sorted(by_row) == [3, 4, 5, 6, 7, 8, 9]
    assert by_row[4][0]["column"] == "登记编号" and str(year) in by_row[4][0]["message"]
    assert by_row[7][0]["column"] == "统一社会信用代码" and "110105" in by_row[7][0]["message"]
    assert len(by_row[9]) == 2
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in err["message"]) for err in e.value.errors)  # in Chinese
    assert "没有导入" in e.value.message or "未导入" in e.value.message
    after = (Enterprise.objects.count(), list(Registration.all_objects.values_list("pk", "number", "status", "listed_number")))
    assert after == before


@pytest.mark.django_db
def test_missing_columns_are_named(office):
    with translation.override("zh-hans"), pytest.raises(JobFailed) as e:
        reglist.import_file(xlsx([["a", "b"]], header=["企业名称", "统一社会信用代码"]), by=office)
    assert {err["column"] for err in e.value.errors} == {"登记编号", "年度", "状态", "日期"}


@pytest.mark.django_db
def test_revocation_rechecks_and_notifies_the_bureau(cycle, office, bureau, other_bureau, django_capture_on_commit_callbacks):
    enterprise = eligible_enterprise(year=cycle.year, region=bureau.region)
    n = EnterpriseNominationFactory(enterprise=enterprise, cycle=cycle, state=S.SUBMITTED, created_by=bureau)
    assert checks.check_nomination(n).eligible
    typed = Registration.objects.get(enterprise=enterprise).number
    with django_capture_on_commit_callbacks(execute=False):
        result = reglist.import_file(xlsx([[enterprise.name, enterprise.uscc, typed, cycle.year, "撤销", "2026-07-01"]]),
                                     by=office)
    assert result.revoked == 1 and result.rechecked == 1
    n.refresh_from_db()
    assert not n.verdict.eligible and n.verdict.failed == ["registered"]
    assert not Registration.objects.filter(enterprise=enterprise).exists()  # it no longer counts
    assert Registration.all_objects.get(enterprise=enterprise).is_revoked
    mine = Notification.objects.filter(user=bureau)
    assert mine.count() == 1 and enterprise.name in mine.get().subject
    assert not Notification.objects.filter(user=other_bureau).exists()
    # Listed again: it counts again.
    with django_capture_on_commit_callbacks(execute=False):
        reglist.import_file(xlsx([[enterprise.name, enterprise.uscc, typed, cycle.year, "入库", "2026-08-01"]]), by=office)
    n.refresh_from_db()
    assert n.verdict.eligible


@pytest.mark.django_db
def test_nomination_page_flags_a_disagreeing_and_a_revoked_number(client_for, cycle, office):
    enterprise = eligible_enterprise(year=cycle.year)
    n = EnterpriseNominationFactory(enterprise=enterprise, cycle=cycle, state=S.SUBMITTED)
    Registration.objects.filter(enterprise=enterprise).update(listed_number=number(cycle.year, 4242))
    html = client_for(office).get(reverse("enterprises:office_nomination", args=[n.pk])).content.decode()
    assert 'data-testid="registration-disagrees"' in html and number(cycle.year, 4242) in html
    Registration.all_objects.filter(enterprise=enterprise).update(status=Registration.Status.REVOKED)
    html = client_for(office).get(reverse("enterprises:office_nomination", args=[n.pk])).content.decode()
    assert 'data-testid="registration-revoked"' in html


@pytest.mark.django_db
def test_bureau_can_retype_a_revoked_registration_without_a_crash(cycle, bureau):
    from enterprises.domain.nominations import _save_registration

    reg = RegistrationFactory(year=cycle.year, status=Registration.Status.REVOKED)
    _save_registration(reg.enterprise, cycle.year, number(cycle.year, 55), by=bureau, reason="edit")
    reg.refresh_from_db()
    assert reg.number == number(cycle.year, 55) and reg.is_revoked  # the list's word stands


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["bureau", "other_bureau", "expert", None])
def test_import_page_refuses_others(client_for, request, who):
    user = request.getfixturevalue(who) if who else None
    client = client_for(user)
    url = reverse("enterprises:office_registration_import")
    for response in (client.get(url), client.post(url, {"file": SimpleUploadedFile("l.csv", csv_bytes([]))})):
        assert response.status_code == (302 if user is None else 403)
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_import_page_refuses_a_binary_file(client_for, office):
    response = client_for(office).post(reverse("enterprises:office_registration_import"),
                                       {"file": SimpleUploadedFile("l.csv", b"\x00\x01\x02garbage")})
    assert response.status_code == 200 and response.context["form"].errors
    assert not Job.objects.exists()


@pytest.fixture
def regions(transactional_db):
    ensure_regions()


def _wait(job):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if not job.is_active:
            return job
        time.sleep(0.1)
    raise AssertionError("the import job did not finish")


@pytest.mark.worker
def test_import_task_through_the_worker(celery_worker_on_broker, regions, cycle, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    office = core.OfficeFactory(username="office-reg")
    code = numbered("91220401", 31)
    content = xlsx([["辽源测试有限公司", code, number(cycle.year, 31), cycle.year, "入库", "2026-03-01"]]).getvalue()
    job, _ = start_job(kind="enterprises.import_registrations", title="list", by=office, task=tasks.import_registrations,
                       params={"language": "zh-hans"}, input_file=ContentFile(content, name="list.xlsx"),
                       dedupe_key=reglist.import_dedupe_key())
    job = _wait(job)
    assert job.status == Job.Status.DONE, job.message
    assert job.percent == 100
    assert Enterprise.objects.get(uscc=code).region.code == "220400"
    bad = xlsx([["辽源测试有限公司", code, number(cycle.year - 1, 31), cycle.year, "入库", "2026-03-01"]]).getvalue()
    job, _ = start_job(kind="enterprises.import_registrations", title="list", by=office, task=tasks.import_registrations,
                       params={"language": "zh-hans"}, input_file=ContentFile(bad, name="list.xlsx"),
                       dedupe_key=reglist.import_dedupe_key())
    job = _wait(job)
    assert job.status == Job.Status.FAILED and [e["row"] for e in job.errors] == [2]
    assert Registration.all_objects.get(enterprise__uscc=code).number == number(cycle.year, 31)


@pytest.mark.django_db
def test_bureau_page_shows_the_lists_word(client_for, cycle, bureau):
    enterprise = eligible_enterprise(year=cycle.year, region=bureau.region)
    n = EnterpriseNominationFactory(enterprise=enterprise, cycle=cycle, state=S.SUBMITTED, created_by=bureau)
    Registration.objects.filter(enterprise=enterprise).update(listed_number=number(cycle.year, 4343),
                                                               status=Registration.Status.REVOKED)
    html = client_for(bureau).get(reverse("enterprises:bureau_nomination", args=[n.pk])).content.decode()
    assert 'data-testid="registration-disagrees"' in html and 'data-testid="registration-revoked"' in html
