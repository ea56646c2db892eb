"""Demo data of the contract subsidy: last year's round paid. The bureaus applied in November for their
enterprises' contracts, the office checked the receipts (one rejected), computed, published the 公示 in
December and the grants went through the ledger, paid in one tranche. Through the domain functions;
safe to run twice."""

import datetime

from django.core.files.base import ContentFile

from funding.domain import grants, payments
from funding.models import Grant
from pojian.domain.calendar import CalendarMissing
from pojian.domain.pdf import minimal_pdf
from pojian.models import Cycle, User

from .domain import subsidy_workflow as wf
from .models import ContractPayment, SubsidyApplication, TechContract


def _receipts(year):
    """The demo payments of the year get a receipt (a small PDF), and most contracts an account of their use."""
    for p in ContractPayment.objects.filter(paid_on__year=year, receipt="").order_by("pk"):
        p.receipt.save(f"{p.invoice_number}.pdf", ContentFile(minimal_pdf(p.invoice_number)), save=True)
    for i, c in enumerate(TechContract.objects.filter(implementation="").order_by("pk")):
        if i % 5 != 4:  # every fifth stays without one: not counted where the rule asks for it
            TechContract.objects.filter(pk=c.pk).update(implementation="已实施转化，形成新产品并投产。")


def _apply(rule, year):
    opened = datetime.date(year, 11, 10)
    for bureau in User.objects.filter(role=User.Role.BUREAU, is_active=True).order_by("pk"):
        for enterprise in wf.applicable_enterprises(rule, bureau.region):
            if not SubsidyApplication.objects.filter(rule=rule, enterprise=enterprise).exists():
                ids = [c.pk for c in wf.eligible_contracts(rule, enterprise)]
                wf.apply(rule=rule, enterprise=enterprise, contract_ids=ids, by=bureau, today=opened)


def _check(rule, office):
    claimed = ContractPayment.objects.filter(contract__subsidy_applications__rule=rule, paid_on__year=rule.year,
                                             receipt_check__isnull=True).distinct().order_by("pk")
    for i, p in enumerate(claimed):
        if i == 2:
            wf.check_receipt(payment=p, accept=False, by=office, reason="发票备注栏未注明技术合同登记号")
        else:
            wf.check_receipt(payment=p, accept=True, by=office)


def seed(*, cycle, office, stdout=None):
    previous = Cycle.objects.filter(year=cycle.year - 1).first()
    approver = User.objects.filter(role=User.Role.APPROVER, is_active=True).order_by("pk").first()
    if previous is None or approver is None:
        return
    year = previous.year
    rule = wf.rule_for_year(year=year, by=office)
    try:
        if rule.computed_at is None and rule.notice_starts is None:
            _receipts(year)
            rule = wf.update_rule(rule=rule, version=rule.version, by=office, values={
                "applications_open": datetime.date(year, 11, 1), "applications_close": datetime.date(year, 11, 30)})
            _apply(rule, year)
            _check(rule, office)
            wf.compute_amounts(rule=rule, by=office, today=datetime.date(year, 12, 1))
            rule = wf.rule_for_year(year=year, by=office)
        # Published on a later run too, once that year's holiday schedule is loaded.
        if rule.state == wf.COMPUTED and rule.notice_starts is None and wf.listed(rule).exists():
            rule = wf.publish_notice(rule=rule, by=office, starts=datetime.date(year, 12, 2),
                                     today=datetime.date(year, 12, 1))
        if rule.state == wf.COMPUTED and rule.notice_ends is not None:
            wf.propose_grants(rule=rule, by=office, today=rule.notice_ends + datetime.timedelta(days=1))
    except CalendarMissing as e:
        # The 公示 is counted in working days and the demo never guesses a holiday schedule: the round stays
        # before its 公示 (nothing to pay) until the office loads that year's calendar and the demo runs again.
        if stdout:
            stdout.write(f"contract subsidy {year}: 公示 skipped, nothing paid: {e.messages[0]}")
        rule = wf.rule_for_year(year=year, by=office)
    for grant in Grant.objects.filter(contract_subsidy_application__rule=rule, state=Grant.State.PROPOSED).order_by("pk"):
        grants.approve_grant(grant=grant, by=approver)
        grants.start_notice(grant=grant, by=approver)
        grants.commit_grant(grant=grant, by=approver)
        p = payments.record_payment(grant=grant, amount=grant.amount, paid_on=datetime.date(year, 12, 28), tranche=1,
                                    document_no=f"吉财拨〔{year}〕技{grant.pk:04d}号",
                                    account=f"{grant.beneficiary_name} 基本户", by=office)
        payments.confirm_payment(payment=p, by=approver)
    if stdout:
        n = SubsidyApplication.objects.filter(rule=rule, grant__isnull=False).count()
        stdout.write(f"contract subsidy {year}: {rule.applications.count()} applications, {n} grants paid")
