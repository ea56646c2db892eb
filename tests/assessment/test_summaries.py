"""The bureau's summary: one per region and year, edits with version locking, the shared life cycle
(draft → submitted → returned → resubmitted → accepted), upload checks, and the pages."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from assessment.demo import tiny_pdf
from assessment.domain import summaries
from assessment.models import BureauSummary, LocalPolicy
from pojian.domain.errors import StaleEdit
from pojian.models import NominationState as S
from pojian.models import Notification
from tests.assessment.factories import PolicyFactory, SummaryFactory, docx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def summary(cycle, bureau):
    return SummaryFactory(cycle=cycle, region=bureau.region, created_by=bureau)


def test_start_summary_creates_one_draft_per_region_and_year(cycle, bureau):
    summary = summaries.start_summary(cycle=cycle, region=bureau.region, by=bureau)
    assert summary.state == S.DRAFT and summary.region == bureau.region
    with pytest.raises(ValidationError):
        summaries.start_summary(cycle=cycle, region=bureau.region, by=bureau)
    assert BureauSummary.objects.count() == 1


def test_start_summary_for_another_region_is_refused(cycle, bureau, other_bureau):
    with pytest.raises(PermissionDenied):
        summaries.start_summary(cycle=cycle, region=bureau.region, by=other_bureau)


def test_save_with_a_stale_version_is_refused_and_overwrites_nothing(summary, bureau):
    first = BureauSummary.objects.get(pk=summary.pk)
    second = BureauSummary.objects.get(pk=summary.pk)
    first.work_done = "第一位同事的修改"
    summaries.save_summary(first, by=bureau, expected_version=first.version)
    second.work_done = "第二位同事的修改"
    with pytest.raises(StaleEdit):
        summaries.save_summary(second, by=bureau, expected_version=second.version)
    assert BureauSummary.objects.get(pk=summary.pk).work_done == "第一位同事的修改"


def test_submit_needs_the_work_described_and_the_report(cycle, bureau):
    summary = SummaryFactory(cycle=cycle, region=bureau.region, created_by=bureau, work_done="", report=None)
    with pytest.raises(ValidationError) as e:
        summaries.take_action(summary, "submit", by=bureau)
    assert len(summaries.missing_for_submission(summary)) == 2
    assert "report" in str(e.value).lower() or "报告" in str(e.value)
    assert BureauSummary.objects.get(pk=summary.pk).state == S.DRAFT


def test_return_and_resubmit_show_as_resubmitted_in_history(summary, bureau, office):
    summaries.take_action(summary, "submit", by=bureau)
    summaries.take_action(summary, "return", by=office, reason="请补充政策文号")
    summary.refresh_from_db()
    assert summary.state == S.RETURNED and summary.state_reason == "请补充政策文号"
    summaries.take_action(summary, "submit", by=bureau)
    summaries.take_action(summary, "accept", by=office)

    events = [e["event"] for e in summaries.timeline(summary)]
    assert events == ["created", "submitted", "returned", "resubmitted", "accepted"]
    returned = next(e for e in summaries.timeline(summary) if e["event"] == "returned")
    assert returned["reason"] == "请补充政策文号" and returned["who"] == office


def test_a_resubmitted_summary_displays_as_resubmitted(summary, bureau, office):
    summaries.take_action(summary, "submit", by=bureau)
    assert not BureauSummary.objects.with_was_returned().get(pk=summary.pk).is_resubmission
    summaries.take_action(summary, "return", by=office, reason="补充")
    summaries.take_action(summary, "submit", by=bureau)
    annotated = BureauSummary.objects.with_was_returned().get(pk=summary.pk)
    assert annotated.state == S.SUBMITTED and annotated.is_resubmission
    assert str(annotated.get_display_state()) in ("Resubmitted", "已重新提交")


def test_submission_and_resubmission_notify_the_office_return_notifies_the_bureau(summary, bureau, office):
    summaries.take_action(summary, "submit", by=bureau)
    summaries.take_action(summary, "return", by=office, reason="补充")
    summaries.take_action(summary, "submit", by=bureau)
    office_subjects = list(Notification.objects.filter(user=office).values_list("subject", flat=True))
    assert len(office_subjects) == 2
    assert Notification.objects.filter(user=bureau).count() == 1  # the return, with its reason
    assert "理由：补充" in Notification.objects.get(user=bureau).body


def test_bureau_cannot_edit_after_submission_or_decide(summary, bureau, office):
    summaries.take_action(summary, "submit", by=bureau)
    summary.refresh_from_db()
    assert not bureau.has_perm("assessment.change_summary", summary)
    with pytest.raises(PermissionDenied):
        summaries.take_action(summary, "accept", by=bureau)
    with pytest.raises(PermissionDenied):
        summaries.save_summary(summary, by=bureau, expected_version=summary.version)


def test_submit_after_the_window_closes_is_refused(summary, bureau, cycle):
    cycle.nomination_closes = timezone.now() - timedelta(days=1)
    cycle.nomination_opens = timezone.now() - timedelta(days=60)
    cycle.save()
    summary.refresh_from_db()
    with pytest.raises(ValidationError):
        summaries.take_action(summary, "submit", by=bureau)


def test_policy_needs_a_link_or_a_file(summary):
    policy = LocalPolicy(summary=summary, title="政策", number="长科发〔2025〕1号", issued_on="2025-01-01")
    with pytest.raises(ValidationError):
        policy.full_clean()


# --- pages --------------------------------------------------------------------------------------


def form_data(summary, **extra):
    data = {
        "version": summary.version, "work_done": "宣讲10场", "experience": "经验", "problems": "问题",
        "policies-TOTAL_FORMS": "1", "policies-INITIAL_FORMS": "0", "policies-MIN_NUM_FORMS": "0",
        "policies-MAX_NUM_FORMS": "1000",
        "policies-0-title": "长春市支持科技型中小企业发展若干措施", "policies-0-number": "长府发〔2025〕3号",
        "policies-0-issued_on": "2025-04-01", "policies-0-link": "https://www.changchun.gov.cn/zw/3.html",
    }
    data.update(extra)
    return data


def test_bureau_starts_edits_and_submits_through_the_pages(client_for, cycle, bureau, office):
    client = client_for(bureau)
    response = client.post(reverse("assessment:my_summary"))
    summary = BureauSummary.objects.get(region=bureau.region, cycle=cycle)
    assert response.status_code == 302 and response["Location"] == reverse("assessment:summary_edit", args=[summary.pk])
    report = SimpleUploadedFile("总结报告.pdf", tiny_pdf("r"), content_type="application/pdf")
    response = client.post(reverse("assessment:summary_edit", args=[summary.pk]),
                           form_data(summary, report=report, submit="1"))
    assert response.status_code == 302
    summary.refresh_from_db()
    assert summary.state == S.SUBMITTED and summary.work_done == "宣讲10场"
    assert summary.policies.get().number == "长府发〔2025〕3号"
    page = client_for(office).get(reverse("assessment:summary", args=[summary.pk])).content.decode()
    assert "长府发〔2025〕3号" in page and 'data-testid="action-accept"' in page


def test_edit_page_refuses_a_stale_form(client_for, summary, bureau):
    stale = summary.version
    BureauSummary.objects.filter(pk=summary.pk).update(version=stale + 1, work_done="别人的修改")
    response = client_for(bureau).post(reverse("assessment:summary_edit", args=[summary.pk]), form_data(summary, version=stale))
    assert response.status_code == 409
    assert BureauSummary.objects.get(pk=summary.pk).work_done == "别人的修改"


@pytest.mark.parametrize("name,content,ok", [
    ("report.pdf", tiny_pdf("x"), True),
    ("report.docx", docx_bytes(), True),
    ("report.pdf", b"just some text pretending to be a PDF", False),
    ("report.docx", b"PK\x03\x04 not really a zip", False),
])
def test_report_upload_is_checked_by_content(client_for, cycle, bureau, name, content, ok):
    summary = SummaryFactory(cycle=cycle, region=bureau.region, created_by=bureau, report=None)
    upload = SimpleUploadedFile(name, content)
    response = client_for(bureau).post(reverse("assessment:summary_edit", args=[summary.pk]), form_data(summary, report=upload))
    summary.refresh_from_db()
    assert (response.status_code == 302) is ok
    assert bool(summary.report) is ok


def test_report_upload_over_the_size_limit_is_refused(client_for, cycle, bureau, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    summary = SummaryFactory(cycle=cycle, region=bureau.region, created_by=bureau, report=None)
    upload = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * 2000)
    response = client_for(bureau).post(reverse("assessment:summary_edit", args=[summary.pk]), form_data(summary, report=upload))
    assert response.status_code == 400
    summary.refresh_from_db()
    assert not summary.report


def test_office_returns_with_a_reason_and_the_bureau_sees_it(client_for, summary, bureau, office):
    summaries.take_action(summary, "submit", by=bureau)
    summary.refresh_from_db()
    url = reverse("assessment:summary_action", args=[summary.pk])
    client_for(office).post(url, {"action": "return", "reason": "报告未盖章", "version": summary.version})
    summary.refresh_from_db()
    assert summary.state == S.RETURNED
    page = client_for(bureau).get(reverse("assessment:summary", args=[summary.pk])).content.decode()
    assert "报告未盖章" in page and 'data-testid="edit-summary"' in page


def test_action_without_a_reason_to_return_changes_nothing(client_for, summary, bureau, office):
    summaries.take_action(summary, "submit", by=bureau)
    summary.refresh_from_db()
    client_for(office).post(reverse("assessment:summary_action", args=[summary.pk]),
                            {"action": "return", "reason": "", "version": summary.version})
    summary.refresh_from_db()
    assert summary.state == S.SUBMITTED


def test_summary_list_office_sees_every_region_bureau_only_its_own(client_for, cycle, bureau, other_bureau, office):
    SummaryFactory(cycle=cycle, region=bureau.region, created_by=bureau)
    SummaryFactory(cycle=cycle, region=other_bureau.region, created_by=other_bureau)
    office_page = client_for(office).get(reverse("assessment:summary_list")).content.decode()
    assert "长春市" in office_page and "吉林市" in office_page
    own = client_for(other_bureau).get(reverse("assessment:summary_list")).content.decode()
    assert "吉林市" in own and "长春市" not in own


def test_policy_file_is_served_only_to_its_region_and_the_office(client_for, summary, bureau, other_bureau, office):
    policy = PolicyFactory(summary=summary, link="", file=SimpleUploadedFile("p.pdf", tiny_pdf("p")))
    url = reverse("assessment:policy_file", args=[policy.pk])
    assert client_for(bureau).get(url).status_code == 200
    assert client_for(office).get(url).status_code == 200
    assert client_for(other_bureau).get(url).status_code == 403
