"""Demo data for funding: budgets per line for last year and this year; last year's selected
enterprises (about 60) with 立项支持 projects in various states; payments recorded by the office
and confirmed by an approver. Everything goes through the domain functions. Safe to run twice."""

from datetime import date
from decimal import Decimal

from django.core.files.base import ContentFile

from enterprises.models import EnterpriseNomination
from pojian.demo import _user
from pojian.models import Cycle, NominationState, User

from .domain import grants, payments, projects
from .models import Budget, FundingLine, Project

PROJECT_AMOUNT = Decimal("500000")
BUDGETS = {  # yuan, per line
    FundingLine.PROJECT_SUPPORT: Decimal("30000000"),
    FundingLine.TECH_CONTRACT: Decimal("5000000"),
    FundingLine.RD_POST: Decimal("20000000"),
    FundingLine.INCUBATOR_POST: Decimal("5000000"),
}
INDICATORS = [
    {"name": "发明专利申请", "target": "3", "unit": "件"},
    {"name": "新产品（新技术）", "target": "2", "unit": "项"},
    {"name": "新增销售收入", "target": "800", "unit": "万元"},
]
# Where each project of last year stands (cycled over the projects).
STAGES = ["accepted", "accepted", "acceptance_filed", "midterm_filed", "signed", "signed", "issued", "drafting",
          "accepted", "midterm_filed"]


def _budgets(cycle):
    for n, line in enumerate(FundingLine.objects.filter(code__in=BUDGETS), start=1):
        Budget.objects.get_or_create(cycle=cycle, line=line, defaults={
            "amount": BUDGETS[line.code], "document_no": f"吉财教指〔{cycle.year}〕{n}号", "tranche_split": [70, 30]})


def _pdf(project):
    """The stamped copies the bureau uploads: the issued agreement stands in for them (rendered once)."""
    with project.agreement.open("rb") as f:
        return ContentFile(f.read(), name=f"{project.number}.pdf")


def _pay(project, tranche, amount, *, office, approver, on):
    p = payments.record_payment(grant=project.grant, amount=amount, paid_on=on, tranche=tranche,
                                document_no=f"吉财拨〔{on.year}〕{project.pk:03d}-{tranche}号",
                                account=f"{project.enterprise.name} 基本户 0701 {project.pk:06d}", by=office)
    payments.confirm_payment(payment=p, by=approver)


def _advance(project, stage, *, office, approver, bureau, experts, i):
    year = project.cycle.year
    projects.update_project(project=project, by=office, goals="围绕企业核心产品开展关键技术攻关，形成自主知识产权并实现产业化。",
                            indicators=INDICATORS, self_funding=Decimal("300000"))
    grants.approve_grant(grant=project.grant, by=approver)
    grants.commit_grant(grant=project.grant, by=approver)
    if stage == "drafting":
        return
    projects.issue_agreement(project=project, by=office)
    if stage == "issued":
        return
    projects.upload_signed_agreement(project=project, file=_pdf(project), by=bureau)
    plan = projects.tranche_plan(project)
    _pay(project, 1, plan[0]["amount"], office=office, approver=approver, on=date(year, 8, 20))
    if stage == "signed":
        return
    projects.file_midterm(project=project, file=_pdf(project), by=bureau)
    if stage == "midterm_filed":
        return
    reached = {ind["name"]: str(int(ind["target"]) + 1) for ind in INDICATORS}
    projects.file_acceptance(project=project, file=_pdf(project), reached=reached, by=bureau)
    if stage == "acceptance_filed":
        return
    failed = i == 8  # one in ten fails, so recovery shows too, so recovery shows too
    outcome = Project.Outcome.FAILED if failed else (Project.Outcome.PASSED_AFTER_RECTIFICATION if i % 4 == 0
                                                     else Project.Outcome.PASSED)
    note = "主要考核指标未完成" if failed else ("补充经费使用明细后通过" if outcome != Project.Outcome.PASSED else "")
    projects.decide_acceptance(project=project, outcome=outcome, experts=experts, note=note, by=office)
    if not failed:
        _pay(project, 2, plan[1]["amount"], office=office, approver=approver, on=date(year + 1, 10, 15))


def seed(*, cycle, stdout=None):
    # The lines come from a data migration; a test database that was flushed has lost them.
    from importlib import import_module

    from django.apps import apps

    import_module("funding.migrations.0002_lines").add_lines(apps, None)
    from reviews.models import Expert

    office = User.objects.filter(username="office").first() or User.objects.filter(role=User.Role.OFFICE).first()
    if office is None:
        return
    office2 = _user("office-2", role=User.Role.OFFICE, full_name="省科技厅办公室（复核）")
    approver = _user("approver", role=User.Role.APPROVER, full_name="处长（审批）")
    previous = Cycle.objects.filter(year=cycle.year - 1).first()
    for c in (previous, cycle):
        if c is not None:
            _budgets(c)
    if previous is None:
        return
    experts = list(Expert.objects.filter(active=True).order_by("pk")[:3])
    done = set(Project.objects.filter(cycle=previous).values_list("enterprise_id", flat=True))
    selected = (EnterpriseNomination.objects.filter(cycle=previous, state=NominationState.SELECTED)
                .select_related("enterprise", "enterprise__region").order_by("pk")[:previous.enterprise_quota])
    bureaus = {}
    for u in User.objects.filter(role=User.Role.BUREAU).order_by("pk"):
        bureaus.setdefault(u.region_id, u)
    made = 0
    for i, nomination in enumerate(selected):
        enterprise = nomination.enterprise
        bureau = bureaus.get(enterprise.region_id)
        if enterprise.pk in done or bureau is None:
            continue
        project = projects.open_project(
            cycle=previous, enterprise=enterprise, by=office2, amount=PROJECT_AMOUNT,
            starts_on=date(previous.year, 7, 1), ends_on=date(previous.year + 1, 6, 30),
            midterm_due=date(previous.year + 1, 1, 15), acceptance_due=date(previous.year + 1, 9, 30),
            source=nomination, source_label=f"{previous.year}年度遴选")
        stage = STAGES[i % len(STAGES)]
        if not experts and stage == "accepted":
            stage = "acceptance_filed"  # no expert pool to decide with
        _advance(project, stage, office=office, approver=approver, bureau=bureau, experts=experts, i=i % len(STAGES))
        made += 1
    from . import rd_demo

    rd_demo.seed(previous=previous, cycle=cycle, office=office, approver=approver, bureaus=bureaus, stdout=stdout)
    if stdout:
        stdout.write(f"funding: budgets for {cycle.year - 1} and {cycle.year}, {made} projects of {previous.year}")
