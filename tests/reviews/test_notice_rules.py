"""公示 rules: working days, no back-dating, correction notices, online objections, the public pages and PDF."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pojian.domain.calendar import CalendarMissing
from pojian.domain.errors import TransitionNotAllowed, ValidationError
from pojian.domain.pdf import minimal_pdf
from reviews.domain import notices
from reviews.models import NoticeCorrection, Objection, PublicNotice
from tests.pdfcheck import has_embedded_cjk_font, text

from .test_notices import selected_round  # noqa: F401 - fixture

# A notice published today runs today only on a working day (see `on_a_working_day`).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_a_working_day")]

TODAY = datetime.date(2026, 6, 1)
PDF_BYTES = minimal_pdf("test")


def test_publish_refuses_a_start_before_the_day_of_publication(selected_round, office):  # noqa: F811
    round_, _its = selected_round
    with pytest.raises(ValidationError) as info:
        notices.publish_notice(round_=round_, by=office, how_to_object="来信", starts=TODAY - datetime.timedelta(days=14),
                               today=TODAY)
    assert "倒签" in " ".join(info.value.messages)
    assert not PublicNotice.objects.exists()


def test_publish_across_national_day_stores_the_working_day_end(selected_round, office):  # noqa: F811
    round_, _its = selected_round
    start = datetime.date(2026, 9, 29)
    notice = notices.publish_notice(round_=round_, by=office, how_to_object="来信", starts=start, today=start)
    assert (notice.starts, notice.ends, notice.working_days) == (start, datetime.date(2026, 10, 10), 5)
    with pytest.raises(TransitionNotAllowed):
        notices.confirm_results(round_=round_, by=office, today=datetime.date(2026, 10, 10))


def test_publish_is_refused_when_the_calendar_is_missing(selected_round, office):  # noqa: F811
    round_, _its = selected_round
    start = datetime.date(2027, 3, 1)  # 2027 is not loaded in the migration
    from pojian.models import CalendarYear

    CalendarYear.objects.filter(year=2027).delete()
    with pytest.raises(CalendarMissing):
        notices.publish_notice(round_=round_, by=office, how_to_object="来信", starts=start, today=start)
    assert not PublicNotice.objects.exists()


def test_withdrawal_is_recorded_and_stops_the_notice(selected_round, office, expert):  # noqa: F811
    round_, its = selected_round
    notice = notices.publish_notice(round_=round_, by=office, how_to_object="来信", starts=TODAY, today=TODAY)
    with pytest.raises(ValidationError):
        notices.correct_notice(notice=notice, kind="withdrawal", text=" ", by=office)
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied
        notices.correct_notice(notice=notice, kind="withdrawal", text="撤回", by=expert)
    notices.correct_notice(notice=notice, kind="correction", text="第2名单位名称更正为……", by=office)
    notices.correct_notice(notice=notice, kind="withdrawal", text="因数据核查，撤回本公示", by=office)
    notice.refresh_from_db()
    assert notice.withdrawn_at is not None
    assert list(NoticeCorrection.objects.values_list("kind", flat=True)) == ["correction", "withdrawal"]
    with pytest.raises(TransitionNotAllowed):
        notices.confirm_results(round_=round_, by=office, today=notice.ends + datetime.timedelta(days=1))
    with pytest.raises(ValidationError):
        notices.submit_objection(notice=notice, item=its[0], objector="甲", unit="乙", phone="0431-88888888",
                                 content="丙", address="10.0.0.1", today=TODAY)


def _submit(notice, item, address="10.0.0.1", **kw):
    data = {"objector": "张三", "unit": "某公司", "phone": "0431-88888888", "content": "研发数据不实"}
    data.update(kw)
    return notices.submit_objection(notice=notice, item=item, address=address, today=TODAY, **data)


def test_online_objection_is_recorded_for_the_office(selected_round, office):  # noqa: F811
    round_, its = selected_round
    notice = notices.publish_notice(round_=round_, by=office, how_to_object="来信", starts=TODAY, today=TODAY)
    evidence = SimpleUploadedFile("证据.pdf", PDF_BYTES, content_type="application/pdf")
    objection = _submit(notice, its[0], evidence=evidence)
    assert objection.source == Objection.Source.ONLINE and objection.recorded_by is None
    assert objection.evidence.read().startswith(b"%PDF-")
    notices.decide_objection(objection=objection, outcome=Objection.Outcome.DISMISSED, reason="查无实据", by=office)


def test_online_objection_lists_every_problem(selected_round, office):  # noqa: F811
    round_, its = selected_round
    notice = notices.publish_notice(round_=round_, by=office, how_to_object="来信", starts=TODAY, today=TODAY)
    fake = SimpleUploadedFile("x.pdf", b"MZ not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError) as info:
        _submit(notice, its[2], objector=" ", phone="abc", evidence=fake)  # its[2] is not selected
    assert len(info.value.messages) == 4
    assert not Objection.objects.exists()


def test_online_objection_outside_the_period_is_refused(selected_round, office):  # noqa: F811
    round_, its = selected_round
    notice = notices.publish_notice(round_=round_, by=office, how_to_object="来信", starts=TODAY, today=TODAY)
    with pytest.raises(ValidationError):
        notices.submit_objection(notice=notice, item=its[0], objector="甲", unit="乙", phone="0431-88888888",
                                 content="丙", address="10.0.0.1", today=notice.ends + datetime.timedelta(days=1))


def test_online_objections_are_rate_limited_per_address(selected_round, office):  # noqa: F811
    round_, its = selected_round
    notice = notices.publish_notice(round_=round_, by=office, how_to_object="来信", starts=TODAY, today=TODAY)
    for _n in range(notices.OBJECTIONS_PER_ADDRESS_PER_DAY):
        _submit(notice, its[0])
    with pytest.raises(ValidationError) as info:
        _submit(notice, its[0])
    assert info.value.code == "rate_limited"
    _submit(notice, its[0], address="10.0.0.2")  # another address is not limited
    assert Objection.objects.count() == notices.OBJECTIONS_PER_ADDRESS_PER_DAY + 1


def _running_notice(round_, office):
    """A notice running today (pages use the real date)."""
    from django.utils import timezone

    today = timezone.localdate()
    return notices.publish_notice(round_=round_, by=office, how_to_object="来信寄至省科技厅", starts=today, today=today)


def test_public_page_objection_form_reaches_only_the_office(selected_round, office, client_for, other_bureau, expert):  # noqa: F811
    round_, its = selected_round
    notice = _running_notice(round_, office)
    url = reverse("reviews:public_notice", args=[notice.pk])
    anonymous = client_for(None)
    page = anonymous.get(url).content.decode()
    assert 'data-testid="objection-form"' in page and "企业名称" in page and "排名" in page
    assert "2026 企业" not in page and str(round_) not in page
    response = anonymous.post(url, {"objection-item": its[0].pk, "objection-objector": "张三", "objection-unit": "某单位",
                                    "objection-phone": "13900000000", "objection-content": "知识产权存在争议"})
    assert response.status_code == 302
    objection = Objection.objects.get()
    assert objection.submitted_from == "127.0.0.1"
    for user in (None, other_bureau, expert):
        assert "知识产权存在争议" not in client_for(user).get(url).content.decode()
    office_page = client_for(office).get(reverse("reviews:office_notice", args=[round_.pk])).content.decode()
    assert "知识产权存在争议" in office_page and "网上提交" in office_page
    assert 'disabled aria-disabled="true"' in office_page  # confirming before the end is disabled


def test_public_page_bad_objection_changes_nothing(selected_round, office, client_for):  # noqa: F811
    round_, its = selected_round
    notice = _running_notice(round_, office)
    url = reverse("reviews:public_notice", args=[notice.pk])
    response = client_for(None).post(url, {"objection-item": its[0].pk, "objection-objector": "张三"})
    assert response.status_code == 400 and not Objection.objects.exists()


def test_objection_evidence_opens_for_the_office_only(selected_round, office, client_for, other_bureau, expert):  # noqa: F811
    round_, its = selected_round
    notice = _running_notice(round_, office)
    from django.utils import timezone

    objection = notices.submit_objection(
        notice=notice, item=its[0], objector="甲", unit="乙", phone="0431-88888888", content="丙", address="10.0.0.9",
        evidence=SimpleUploadedFile("e.pdf", PDF_BYTES), today=timezone.localdate(),
    )
    url = reverse("reviews:office_objection_evidence", args=[objection.pk])
    assert client_for(office).get(url).status_code == 200
    for user in (other_bureau, expert):
        assert client_for(user).get(url).status_code == 403
    assert client_for(None).get(url).status_code == 302


def test_public_page_after_the_period_counts_objections(selected_round, office, client_for):  # noqa: F811
    round_, its = selected_round
    notice = notices.publish_notice(round_=round_, by=office, how_to_object="来信", starts=TODAY, today=TODAY)
    a = _submit(notice, its[0])
    _submit(notice, its[1], address="10.0.0.3")
    notices.decide_objection(objection=a, outcome=Objection.Outcome.DISMISSED, reason="查无实据", by=office)
    page = client_for(None).get(reverse("reviews:public_notice", args=[notice.pk])).content.decode()
    assert 'data-testid="objection-count"' in page and "共收到异议2件，已处理1件" in page
    assert 'data-testid="objection-form"' not in page


def test_public_page_shows_the_correction_notice(selected_round, office, client_for):  # noqa: F811
    round_, _its = selected_round
    notice = _running_notice(round_, office)
    notices.correct_notice(notice=notice, kind="withdrawal", text="因材料核查撤回本公示", by=office)
    page = client_for(None).get(reverse("reviews:public_notice", args=[notice.pk])).content.decode()
    assert "更正公告" in page and "因材料核查撤回本公示" in page and 'data-testid="objection-form"' not in page
    listing = client_for(None).get(reverse("reviews:public_notices")).content.decode()
    assert "已撤回" in listing or "撤回" in listing


def test_public_pdf_has_the_list_the_period_and_a_cjk_font(selected_round, office, client_for):  # noqa: F811
    round_, its = selected_round
    notice = notices.publish_notice(round_=round_, by=office, how_to_object="书面异议寄至长春市省科技厅", starts=TODAY,
                                    today=TODAY)
    response = client_for(None).get(reverse("reviews:public_notice_pdf", args=[notice.pk]))
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert has_embedded_cjk_font(pdf)
    body = text(pdf)
    assert "吉林省科学技术厅" in body and its[0].nominee_name in body and its[2].nominee_name not in body
    assert "2026年6月1日" in body and "2026年6月5日" in body and "书面异议寄至长春市省科技厅" in body


def test_public_index_links_the_landing_and_shows_years(selected_round, office, client_for):  # noqa: F811
    round_, _its = selected_round
    notice = notices.publish_notice(round_=round_, by=office, how_to_object="来信", starts=TODAY, today=TODAY)
    landing = client_for(None).get(reverse("landing")).content.decode()
    assert reverse("reviews:public_notices") in landing
    listing = client_for(None).get(reverse("reviews:public_notices")).content.decode()
    assert f'data-testid="year-{round_.cycle.year}"' in listing and reverse("reviews:public_notice", args=[notice.pk]) in listing
    assert "拟支持名单公示" in listing


def test_public_confirmed_list_of_an_unknown_kind_is_404(client_for, cycle):
    assert client_for(None).get(reverse("reviews:public_confirmed", args=[cycle.year, "nothing"])).status_code == 404
