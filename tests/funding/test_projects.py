"""立项支持: projects opened from a confirmed selection, 任务书 PDF, tranches, mid-term, acceptance, reminders."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from funding.domain import grants, payments, projects
from funding.models import Grant, Project
from pojian.domain.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from pojian.domain.pdf import minimal_pdf
from pojian.models import Notification
from reviews.models import Conflict
from tests import pdfcheck
from tests.reviews.factories import ExpertFactory, ReviewItemFactory, RoundFactory

from .factories import BudgetFactory, line

pytestmark = pytest.mark.django_db

START, END = date(2026, 7, 1), date(2027, 6, 30)


def pdf_file(name="x.pdf"):
    return SimpleUploadedFile(name, minimal_pdf("test"), content_type="application/pdf")


@pytest.fixture
def selection(cycle):
    r = RoundFactory(cycle=cycle, results_confirmed_at=timezone.now())
    items = [ReviewItemFactory(round=r, selected=True, rank=i) for i in (1, 2)]
    ReviewItemFactory(round=r, selected=False, rank=3)
    return r, items


@pytest.fixture
def project(selection, office, approver):
    r, _items = selection
    BudgetFactory(cycle=r.cycle, line=line("project_support"), amount=Decimal("2000000"), tranche_split=[70, 30])
    p = projects.open_projects(round_=r, by=office, amount=Decimal("500000"), starts_on=START, ends_on=END)[0]
    projects.update_project(project=p, by=office, goals="研制新一代传感器",
                            indicators=[{"name": "发明专利申请", "target": "3", "unit": "件"},
                                        {"name": "新增销售收入", "target": "500", "unit": "万元"}])
    grants.approve_grant(grant=p.grant, by=approver)
    grants.commit_grant(grant=p.grant, by=approver)
    return p


def test_open_projects_one_per_selected_enterprise(selection, office):
    r, items = selection
    made = projects.open_projects(round_=r, by=office, amount=Decimal("500000"), starts_on=START, ends_on=END)
    assert len(made) == 2
    assert {p.grant.source_id for p in made} == {i.pk for i in items}
    assert all(p.grant.state == Grant.State.PROPOSED and p.grant.line.code == "project_support" for p in made)
    # Twice: nothing new.
    assert projects.open_projects(round_=r, by=office, amount=Decimal("500000"), starts_on=START, ends_on=END) == []


def test_open_projects_refused_before_confirmation(cycle, office):
    r = RoundFactory(cycle=cycle)
    with pytest.raises(ValidationError):
        projects.open_projects(round_=r, by=office, amount=Decimal("1"), starts_on=START, ends_on=END)


def test_open_projects_bureau_refused(selection, bureau):
    with pytest.raises(PermissionDenied):
        projects.open_projects(round_=selection[0], by=bureau, amount=Decimal("1"), starts_on=START, ends_on=END)


def test_update_project_indicator_needs_target(project, office):
    # project fixture already issued nothing: still drafting
    with pytest.raises(ValidationError):
        projects.update_project(project=project, by=office, indicators=[{"name": "专利", "target": ""}])


def test_tranche_plan_follows_year_split(project):
    plan = projects.tranche_plan(project)
    assert [(t["amount"], t["condition"]) for t in plan] == [(Decimal("350000"), "signing"),
                                                             (Decimal("150000"), "acceptance")]


def test_agreement_pdf_has_cjk_font_and_data(project, office):
    projects.issue_agreement(project=project, by=office)
    project.refresh_from_db()
    assert project.state == Project.State.ISSUED
    data = project.agreement.read()
    assert pdfcheck.has_embedded_cjk_font(data)
    text = pdfcheck.text(data)
    assert project.number in text and "发明专利申请" in text and "350,000.00" in text, text


def test_issued_agreement_not_edited(project, office):
    projects.issue_agreement(project=project, by=office)
    with pytest.raises(TransitionNotAllowed):
        projects.update_project(project=project, by=office, title="改")


def test_signed_upload_must_be_pdf(project, office, bureau):
    projects.issue_agreement(project=project, by=office)
    with pytest.raises(ValidationError):
        projects.upload_signed_agreement(project=project, file=SimpleUploadedFile("a.pdf", b"not a pdf"), by=bureau)
    project.refresh_from_db()
    assert project.state == Project.State.ISSUED


def test_other_bureau_cannot_file(project, office, other_bureau):
    projects.issue_agreement(project=project, by=office)
    with pytest.raises(PermissionDenied):
        projects.upload_signed_agreement(project=project, file=pdf_file(), by=other_bureau)


def _to_signed(project, office, bureau):
    projects.issue_agreement(project=project, by=office)
    projects.upload_signed_agreement(project=project, file=pdf_file(), by=bureau)


def test_tranches_gated_by_project_state(project, office, bureau, approver):
    pay = dict(paid_on=date(2026, 8, 1), document_no="吉财〔2026〕9号", account="6222", by=office)
    with pytest.raises(ValidationError):  # not signed yet
        payments.record_payment(grant=project.grant, amount=Decimal("350000"), tranche=1, **pay)
    _to_signed(project, office, bureau)
    with pytest.raises(ValidationError):  # more than the first tranche
        payments.record_payment(grant=project.grant, amount=Decimal("350001"), tranche=1, **pay)
    p1 = payments.record_payment(grant=project.grant, amount=Decimal("350000"), tranche=1, **pay)
    payments.confirm_payment(payment=p1, by=approver)
    with pytest.raises(ValidationError):  # the last tranche waits for acceptance
        payments.record_payment(grant=project.grant, amount=Decimal("150000"), tranche=2, **pay)


def test_project_full_path_to_accepted(project, office, bureau, approver):
    _to_signed(project, office, bureau)
    projects.file_midterm(project=project, file=pdf_file(), by=bureau)
    with pytest.raises(ValidationError):  # every indicator needs a value
        projects.file_acceptance(project=project, file=pdf_file(), reached={"发明专利申请": "4"}, by=bureau)
    projects.file_acceptance(project=project, file=pdf_file(), reached={"发明专利申请": "4", "新增销售收入": "620"},
                             by=bureau)
    experts = [ExpertFactory(), ExpertFactory(), ExpertFactory()]
    projects.decide_acceptance(project=project, outcome="rectified", experts=experts, note="补充财务报告后通过", by=office)
    project.refresh_from_db()
    assert project.state == Project.State.ACCEPTED and project.outcome == "rectified"
    assert project.indicators[1]["reached"] == "620"
    assert project.acceptance_experts.count() == 3
    states = list(project.history.order_by("history_date").values_list("state", flat=True))
    assert states[-4:] == ["signed", "midterm_filed", "acceptance_filed", "accepted"]


def test_acceptance_conflicted_expert_refused(project, office, bureau):
    _to_signed(project, office, bureau)
    projects.file_acceptance(project=project, file=pdf_file(), reached={"发明专利申请": "1", "新增销售收入": "1"}, by=bureau)
    expert = ExpertFactory()
    Conflict.objects.create(expert=expert, kind=Conflict.Kind.values[0], source=Conflict.Source.values[0],
                            status=Conflict.Status.CONFIRMED, nominee_uscc=project.enterprise.uscc,
                            nominee_name=project.enterprise.name)
    with pytest.raises(ValidationError):
        projects.decide_acceptance(project=project, outcome="passed", experts=[expert], by=office)


def test_failed_acceptance_recovers_paid_money(project, office, bureau, approver):
    _to_signed(project, office, bureau)
    p1 = payments.record_payment(grant=project.grant, amount=Decimal("350000"), tranche=1, paid_on=date(2026, 8, 1),
                                 document_no="吉财〔2026〕9号", account="6222", by=office)
    payments.confirm_payment(payment=p1, by=approver)
    projects.file_acceptance(project=project, file=pdf_file(), reached={"发明专利申请": "0", "新增销售收入": "0"}, by=bureau)
    with pytest.raises(ValidationError):  # 不通过 needs the opinion
        projects.decide_acceptance(project=project, outcome="failed", experts=[ExpertFactory()], by=office)
    projects.decide_acceptance(project=project, outcome="failed", experts=[ExpertFactory()], note="主要指标未完成",
                               by=office)
    g = Grant.objects.get(pk=project.grant_id)
    assert g.state == Grant.State.RECOVERED and g.recovered_amount == Decimal("350000")


def test_overdue_flagged_relative_to_due_dates(project, office, bureau):
    _to_signed(project, office, bureau)
    project.refresh_from_db()
    assert projects.overdue_projects(today=project.midterm_due) == []
    late = projects.overdue_projects(today=project.midterm_due + timedelta(days=1))
    assert late == [(project, ["midterm"])]


def test_reminders_at_30_and_7_days_once(project, office, bureau):
    _to_signed(project, office, bureau)
    project.refresh_from_db()
    Notification.objects.all().delete()
    assert projects.send_due_reminders(today=project.midterm_due - timedelta(days=31)) == 0
    assert projects.send_due_reminders(today=project.midterm_due - timedelta(days=30)) == 1
    assert projects.send_due_reminders(today=project.midterm_due - timedelta(days=30)) == 0  # once
    assert projects.send_due_reminders(today=project.midterm_due - timedelta(days=7)) == 1
    assert Notification.objects.filter(user=bureau).count() == 2


def test_reminder_task_runs_on_worker(celery_worker_on_broker):
    from funding import tasks

    assert tasks.send_due_reminders.delay().get(timeout=30) == 0
