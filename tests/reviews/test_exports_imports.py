"""Exports (ranked results .xlsx, confirmed list PDF) and the expert pool import."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from pojian.domain.errors import TransitionNotAllowed
from pojian.domain.jobs import JobFailed, run_job
from pojian.domain.xlsx import write_workbook
from pojian.models import Job, User
from reviews.domain import experts_import, exports, notices, ranking, scoring
from reviews.models import Conflict, Expert, Round
from reviews.tasks import import_experts as import_experts_task
from tests import pdfcheck
from tests.enterprises import factories as ent

from .factories import ExpertFactory, scoring_round

pytestmark = pytest.mark.django_db


def closed_ranked_round(cycle, office):
    round_, crits, its, exps, assignments = scoring_round(cycle=cycle, items=2, experts=2, criteria=1)
    for a, value in zip(assignments, ("40", "30", "=1+1", "20"), strict=True):
        v = "25" if value.startswith("=") else value
        scoring.save_review(assignment=a, by=a.expert.user, scores={crits[0].pk: v}, recommendation="recommend",
                            comment=value)
        scoring.submit_review(assignment=a, by=a.expert.user)
    Round.objects.filter(pk=round_.pk).update(phase=Round.Phase.CLOSED)
    round_.refresh_from_db()
    ranking.rank_round(round_=round_, by=office)
    ranking.select(round_=round_, by=office, quota=1)
    return round_, its


def test_results_workbook_lists_every_experts_total_and_the_rank(cycle, office, tmp_path):
    round_, its = closed_ranked_round(cycle, office)
    path = tmp_path / "r.xlsx"
    exports.write_results(path, round_)
    wb = load_workbook(path)
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    header = rows[0]
    assert rows[1][0] == 1 and rows[1][1] == its[0].nominee_name
    totals = sorted(v for v in rows[1][5:7])
    assert totals == [30, 40]
    assert rows[1][header.index(header[7])] == 35  # aggregate (mean of 40 and 30)
    # comments starting with "=" stay text, never formulas
    review_cells = [c for row in wb.worksheets[1].iter_rows() for c in row]
    assert all(c.data_type != "f" for c in review_cells)
    assert any(c.value == "=1+1" for c in review_cells)
    assert str(ranking.TIE_RULE) in [r[0] for r in wb.worksheets[2].iter_rows(values_only=True)]


def test_results_export_refused_before_the_round_closes(cycle):
    round_, *_ = scoring_round(cycle=cycle, items=1, experts=1)
    with pytest.raises(TransitionNotAllowed):
        exports.write_results("/tmp/never.xlsx", round_)


def test_results_job_saves_the_file(cycle, office):
    round_, _its = closed_ranked_round(cycle, office)
    job = Job.objects.create(kind="reviews.results", title="t", created_by=office, params={"round_id": round_.pk})
    job = run_job(job.pk, exports.results_job)
    assert job.status == Job.Status.DONE and job.result_name.endswith(".xlsx")


def test_confirmed_list_pdf_in_chinese(cycle, office):
    round_, its = closed_ranked_round(cycle, office)
    notice = notices.publish_notice(round_=round_, by=office, how_to_object="来信", starts=datetime.date(2026, 1, 5), today=datetime.date(2026, 1, 5))
    with pytest.raises(TransitionNotAllowed):
        exports.confirmed_pdf(round_)
    notices.confirm_results(round_=round_, by=office, today=notice.ends + datetime.timedelta(days=1))
    pdf = exports.confirmed_pdf(round_)
    assert pdfcheck.has_embedded_cjk_font(pdf)
    text = pdfcheck.text(pdf)
    assert its[0].nominee_name in text and its[1].nominee_name not in text


def workbook(rows, headers=None):
    buf = io.BytesIO()
    write_workbook(buf, [("专家库", headers or experts_import.HEADERS, rows, None)])
    buf.seek(0)
    return buf


def row(name="王教授", unit="吉林大学", uscc="", fields="软件和信息技术服务、biomedicine", region="长春市",
        phone="0431-1", email="w@example.edu.cn", username="", active="是"):
    return [name, unit, uscc, "教授", fields, region, phone, email, username, active]


def test_import_creates_and_updates_experts(office):
    existing = ExpertFactory(name="李研究员", unit_name="长春光机所", user=None)
    created, updated = experts_import.import_experts(
        workbook([row(), row(name="李研究员", unit="长春光机所", fields="", region="220200", username="li-expert")]), by=office,
    )
    assert (created, updated) == (1, 1)
    wang = Expert.objects.get(name="王教授")
    assert wang.expertise == ["software", "biomedicine"] and wang.region.name == "长春市"
    existing.refresh_from_db()
    assert existing.user.username == "li-expert" and existing.user.role == User.Role.EXPERT
    assert not existing.user.has_usable_password()


def test_import_is_all_or_nothing_and_lists_every_bad_row(office):
    bad = workbook([
        row(),
        row(name="", uscc="123", fields="量子玄学", region="火星", email="not-an-email", active="也许"),
        row(name="王教授"),  # duplicate of row 2
    ])
    with pytest.raises(JobFailed) as err:
        experts_import.import_experts(bad, by=office)
    columns = {(e["row"], e["column"]) for e in err.value.errors}
    assert {(3, "姓名"), (3, "单位统一社会信用代码"), (3, "专业领域"), (3, "所在地区"), (3, "电子邮箱"), (3, "是否在库"), (4, "姓名")} <= columns
    assert not Expert.objects.exists()


def test_import_refuses_a_non_expert_account(office, bureau):
    with pytest.raises(JobFailed) as err:
        experts_import.import_experts(workbook([row(username=bureau.username)]), by=office)
    assert err.value.errors[0]["column"] == "登录账号"


def test_import_detects_conflicts_of_new_experts(cycle, office):
    from .factories import ReviewItemFactory, RoundFactory

    item = ReviewItemFactory(round=RoundFactory(cycle=cycle))
    experts_import.import_experts(workbook([row(uscc=item.nominee_uscc)]), by=office)
    assert Conflict.objects.filter(expert__name="王教授", nominee_uscc=item.nominee_uscc).exists()


def test_import_job_through_start_job(office, django_capture_on_commit_callbacks):
    from reviews.domain.jobs import start_expert_import

    upload = SimpleUploadedFile("experts.xlsx", workbook([row(uscc=ent.make_uscc(5))]).getvalue())
    with django_capture_on_commit_callbacks() as callbacks:
        job, _ = start_expert_import(upload=upload, by=office)
    assert len(callbacks) == 1  # the task is sent on commit
    import_experts_task(job.pk)  # what the worker runs
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    assert Expert.objects.filter(name="王教授").exists()


def test_import_job_failure_changes_nothing(office):
    from reviews.domain.jobs import start_expert_import

    upload = SimpleUploadedFile("experts.xlsx", workbook([row(), row(name="")]).getvalue())
    job, _ = start_expert_import(upload=upload, by=office)
    import_experts_task(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.errors
    assert not Expert.objects.exists()


def test_import_refuses_a_file_that_is_not_xlsx(office):
    from django.core.exceptions import ValidationError

    from reviews.domain.jobs import start_expert_import

    with pytest.raises(ValidationError):
        start_expert_import(upload=SimpleUploadedFile("x.xlsx", b"%PDF-1.4 not a workbook"), by=office)
