"""The contract subsidy's workflow: the rule (optimistic lock), the application window, applications,
receipts checked by the office, the computation with each option of the rule, the 公示 and the grants
in the ledger. Fixed dates only: the rule's year is 2025, applications in March 2026."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from funding.domain import grants as ledger
from funding.models import FundingLine, Grant
from pojian.domain.errors import PermissionDenied, StaleEdit, TransitionNotAllowed, ValidationError
from pojian.domain.pdf import minimal_pdf
from techtransfer.domain import subsidy_workflow as wf
from techtransfer.models import ContractPayment, ContractSubsidyRule, PaymentCheck, SubsidyApplication
from tests import factories as core
from tests.enterprises.factories import EnterpriseFactory
from tests.funding.factories import ApproverFactory, BudgetFactory, line

from .factories import InstitutionFactory, TechContractFactory, results_manager

pytestmark = pytest.mark.django_db
YEAR = 2025
OPENS, CLOSES = datetime.date(2026, 3, 2), datetime.date(2026, 3, 31)
IN_WINDOW, AFTER = datetime.date(2026, 3, 10), datetime.date(2026, 4, 1)
PDF = minimal_pdf("receipt")


def pay(contract, amount, *, on=datetime.date(YEAR, 6, 1), receipt=True):
    p = ContractPayment(contract=contract, paid_on=on, amount=Decimal(amount), created_by=contract.created_by,
                        invoice_number=f"FP{ContractPayment.objects.count() + 1}")
    if receipt:
        p.receipt = SimpleUploadedFile("r.pdf", PDF, content_type="application/pdf")
    p.save()
    return p


@pytest.fixture
def rule(office):
    r = wf.rule_for_year(year=YEAR, by=office)
    return wf.update_rule(rule=r, by=office, version=r.version, values={
        "kinds": ["development", "transfer"], "in_province_only": True, "needs_implementation": True,
        "min_paid": Decimal("10000"), "bands": [["100000", "0.05"], ["1000000", "0.02"], [None, "0.01"]],
        "cap": Decimal("50000"), "budget": Decimal("1000000"), "applications_open": OPENS,
        "applications_close": CLOSES, "notice_days": 5})


def firm(bureau, name="甲企业"):
    return EnterpriseFactory(region=bureau.region, name=name)


def contract(enterprise, **kw):
    return TechContractFactory(enterprise=enterprise, implementation=kw.pop("implementation", "已投产"), **kw)


def accept_all(office, *payments):
    for p in payments:
        wf.check_receipt(payment=p, accept=True, by=office)


def apply_for(rule, bureau, enterprise, *contracts):
    return wf.apply(rule=rule, enterprise=enterprise, contract_ids=[c.pk for c in contracts], by=bureau,
                    today=IN_WINDOW)


def computed(rule, office, application):
    wf.compute_amounts(rule=rule, by=office, today=AFTER)
    return SubsidyApplication.objects.get(pk=application.pk)


# --- the rule -------------------------------------------------------------------------------------------


def test_rule_is_copied_from_last_year_and_changes_only_with_the_current_version(office, rule):
    assert (rule.version, rule.state, rule.applications_open) == (2, "draft", OPENS)
    with pytest.raises(StaleEdit):
        wf.update_rule(rule=rule, values={"min_paid": Decimal("1")}, version=1, by=office)
    with pytest.raises(ValidationError) as e:
        wf.update_rule(rule=rule, values={"bands": [[None, "0.1"], ["5", "0.2"]]}, version=rule.version, by=office)
    assert "bands" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        wf.update_rule(rule=rule, values={"applications_open": CLOSES, "applications_close": OPENS},
                       version=rule.version, by=office)
    assert "applications_close" in e.value.message_dict
    with pytest.raises(ValidationError):
        wf.update_rule(rule=rule, values={"kinds": []}, version=rule.version, by=office)
    assert ContractSubsidyRule.objects.get(pk=rule.pk).version == rule.version
    nxt = wf.rule_for_year(year=YEAR + 1, by=office)
    assert nxt.applications_open == datetime.date(2027, 3, 2) and nxt.bands == rule.bands and nxt.cap == rule.cap
    assert [h.history_change_reason for h in rule.history.order_by("history_id")] == ["defaults", "edit"]


def test_rule_refused_to_others(bureau, expert, rule):
    for user in (bureau, expert, results_manager(InstitutionFactory(), "inst-r")):
        with pytest.raises(PermissionDenied):
            wf.update_rule(rule=rule, values={"min_paid": Decimal("1")}, version=rule.version, by=user)
        with pytest.raises(PermissionDenied):
            wf.compute_amounts(rule=rule, by=user, today=AFTER)


# --- applications ---------------------------------------------------------------------------------------


def test_application_only_inside_the_window_with_a_chinese_message(rule, bureau):
    from django.utils import translation

    enterprise = firm(bureau)
    c = contract(enterprise)
    pay(c, "50000")
    for day in (datetime.date(2026, 3, 1), AFTER):
        with translation.override("zh-hans"), pytest.raises(TransitionNotAllowed) as e:
            wf.apply(rule=rule, enterprise=enterprise, contract_ids=[c.pk], by=bureau, today=day)
        assert "不在申报时间内" in e.value.messages[0] and "2026年3月2日至2026年3月31日" in e.value.messages[0]
    assert not SubsidyApplication.objects.exists()
    a = wf.apply(rule=rule, enterprise=enterprise, contract_ids=[c.pk], by=bureau, today=CLOSES)
    assert list(a.contracts.all()) == [c] and a.region == bureau.region


def test_application_only_for_own_enterprises_and_their_eligible_contracts(rule, bureau, other_bureau, expert):
    enterprise = firm(bureau)
    mine = contract(enterprise)
    pay(mine, "50000")
    unpaid = contract(enterprise)
    other = contract(firm(bureau, "乙企业"))
    pay(other, "50000")
    sold = contract(enterprise, enterprise_role="seller")
    pay(sold, "50000")
    for user in (other_bureau, expert, results_manager(mine.institution, "inst-m")):
        with pytest.raises(PermissionDenied):
            wf.apply(rule=rule, enterprise=enterprise, contract_ids=[mine.pk], by=user, today=IN_WINDOW)
    for ids in ([unpaid.pk], [other.pk], [sold.pk], []):
        with pytest.raises(ValidationError):
            wf.apply(rule=rule, enterprise=enterprise, contract_ids=ids, by=bureau, today=IN_WINDOW)
    assert [c.pk for c in wf.eligible_contracts(rule, enterprise)] == [mine.pk]
    assert list(wf.applicable_enterprises(rule, bureau.region).values_list("name", flat=True)) == ["乙企业", "甲企业"]
    a = apply_for(rule, bureau, enterprise, mine)
    again = apply_for(rule, bureau, enterprise, mine)
    assert again.pk == a.pk and SubsidyApplication.objects.count() == 1
    with pytest.raises(PermissionDenied):
        wf.withdraw(application=a, by=other_bureau, today=IN_WINDOW)
    with pytest.raises(TransitionNotAllowed):
        wf.withdraw(application=a, by=bureau, today=AFTER)
    assert wf.withdraw(application=a, by=bureau, today=IN_WINDOW).state == "withdrawn"


# --- receipts -------------------------------------------------------------------------------------------


def test_only_payments_with_an_accepted_receipt_count(rule, office, bureau):
    enterprise = firm(bureau)
    c = contract(enterprise)
    accepted, rejected, unchecked = pay(c, "60000"), pay(c, "30000"), pay(c, "20000")
    no_receipt = pay(c, "10000", receipt=False)
    with pytest.raises(ValidationError):
        wf.check_receipt(payment=no_receipt, accept=True, by=office)
    with pytest.raises(ValidationError):
        wf.check_receipt(payment=rejected, accept=False, by=office, reason=" ")
    with pytest.raises(PermissionDenied):
        wf.check_receipt(payment=accepted, accept=True, by=bureau)
    wf.check_receipt(payment=accepted, accept=True, by=office)
    wf.check_receipt(payment=rejected, accept=False, by=office, reason="发票未注明合同登记号")
    assert PaymentCheck.objects.get(payment=rejected).reason == "发票未注明合同登记号"
    a = apply_for(rule, bureau, enterprise, c)
    every, checked = wf.preview(a)
    assert every.base == Decimal("120000") and checked.base == Decimal("60000")
    a = computed(rule, office, a)
    assert a.base == Decimal("60000") and a.granted == Decimal("3000")  # 5% of 60,000
    assert unchecked.pk  # counted in the preview, not in the computation
    # A check after the computation sends the rule back to draft: the amounts are stale.
    wf.check_receipt(payment=unchecked, accept=True, by=office)
    assert ContractSubsidyRule.objects.get(pk=rule.pk).state == "draft"


# --- the computation, option by option ------------------------------------------------------------------


def _one(rule, office, bureau, *, accept=True, **contract_kw):
    enterprise = firm(bureau, name=f"企业{SubsidyApplication.objects.count()}")
    amount = contract_kw.pop("paid", "300000")
    c = contract(enterprise, **contract_kw)
    p = pay(c, amount)
    if accept:
        accept_all(office, p)
    return apply_for(rule, bureau, enterprise, c)


def test_compute_types_province_implementation_and_minimum(rule, office, bureau):
    ok = _one(rule, office, bureau)
    licence = _one(rule, office, bureau, kind="licence")
    outside = _one(rule, office, bureau, institution=InstitutionFactory(in_province=False))
    unused = _one(rule, office, bureau, implementation="")
    small = _one(rule, office, bureau, paid="9999.99")
    with pytest.raises(TransitionNotAllowed):
        wf.compute_amounts(rule=rule, by=office, today=CLOSES)  # the window is still open
    summary = wf.compute_amounts(rule=rule, by=office, today=AFTER)
    got = {a.pk: a for a in SubsidyApplication.objects.all()}
    # 5% of 100,000 + 2% of 200,000
    assert got[ok.pk].granted == Decimal("9000") and summary["applications"] == 5
    for a in (licence, outside, unused, small):
        assert got[a.pk].granted == 0 and got[a.pk].base == 0
    assert any("类型" in s or "type" in s for s in got[licence.pk].explanation)
    # Each option off again: licences count, outside institutions count, no implementation needed, minimum 0.
    r = ContractSubsidyRule.objects.get(pk=rule.pk)
    wf.update_rule(rule=r, version=r.version, by=office, values={
        "kinds": ["development", "transfer", "licence"], "in_province_only": False, "needs_implementation": False,
        "min_paid": Decimal("0")})
    wf.compute_amounts(rule=r, by=office, today=AFTER)
    got = {a.pk: a.granted for a in SubsidyApplication.objects.all()}
    assert got[licence.pk] == got[outside.pk] == got[unused.pk] == Decimal("9000")
    assert got[small.pk] == Decimal("500")  # 5% of 9,999.99 = 499.9995, 500.00 by the bands (half up)


def test_compute_bands_cap_and_budget_scaling(rule, office, bureau):
    big = _one(rule, office, bureau, paid="5000000", contract_amount=Decimal("9000000"), tech_amount=Decimal("9000000"))
    small = _one(rule, office, bureau, paid="100000")
    a = computed(rule, office, big)
    # 5,000 + 18,000 + 40,000 = 63,000 by the bands, capped at 50,000
    assert a.banded == Decimal("63000.00") and a.granted == Decimal("50000")
    steps = " ".join(a.explanation)
    assert "5,000.00" in steps and "18,000.00" in steps and "40,000.00" in steps and "50,000.00" in steps
    assert len([s for s in a.explanation if "%" in s]) == 3  # one step per band reached
    last = a.history.order_by("-history_id").first()  # written in bulk, each with its history entry
    assert (last.history_change_reason, last.granted, last.history_user) == ("compute", Decimal("50000"), office)
    r = ContractSubsidyRule.objects.get(pk=rule.pk)
    assert not r.scaled
    wf.update_rule(rule=r, version=r.version, by=office, values={"budget": Decimal("30000")})
    wf.compute_amounts(rule=r, by=office, today=AFTER)
    got = {x.pk: x for x in SubsidyApplication.objects.all()}
    assert got[big.pk].granted + got[small.pk].granted == Decimal("30000")
    assert (got[big.pk].granted, got[small.pk].granted) == (Decimal("27273"), Decimal("2727"))
    assert ContractSubsidyRule.objects.get(pk=rule.pk).scaled
    assert any("30,000.00" in s for s in got[small.pk].explanation)


# --- the 公示 and the grants ---------------------------------------------------------------------------


def test_notice_then_grants_in_the_ledger(rule, office, bureau):
    cycle = core.CycleFactory(year=YEAR)
    BudgetFactory(cycle=cycle, line=line(FundingLine.TECH_CONTRACT), amount=Decimal("1000000"))
    paid = _one(rule, office, bureau)
    nothing = _one(rule, office, bureau, accept=False)
    with pytest.raises(TransitionNotAllowed):
        wf.publish_notice(rule=rule, by=office, starts=datetime.date(2026, 4, 7), today=AFTER)  # not computed
    wf.compute_amounts(rule=rule, by=office, today=AFTER)
    with pytest.raises(ValidationError):
        wf.publish_notice(rule=rule, by=office, starts=datetime.date(2026, 3, 30), today=AFTER)  # back-dated
    r = wf.publish_notice(rule=rule, by=office, starts=datetime.date(2026, 4, 3), today=AFTER)
    # 2026-04-03 is a Friday; 4–6 April are the 清明 holiday: five working days end on Friday 10 April.
    assert (r.notice_starts, r.notice_ends) == (datetime.date(2026, 4, 3), datetime.date(2026, 4, 10))
    assert list(wf.listed(r)) == [SubsidyApplication.objects.get(pk=paid.pk)]
    with pytest.raises(TransitionNotAllowed):
        wf.update_rule(rule=r, values={"min_paid": Decimal("1")}, version=r.version, by=office)
    with pytest.raises(TransitionNotAllowed):
        wf.check_receipt(payment=ContractPayment.objects.filter(contract__subsidy_applications=nothing).first(),
                         accept=True, by=office)
    with pytest.raises(TransitionNotAllowed):
        wf.propose_grants(rule=r, by=office, today=datetime.date(2026, 4, 10))
    assert wf.propose_grants(rule=r, by=office, today=datetime.date(2026, 4, 11)) == 1
    grant = Grant.objects.get()
    assert (grant.line.code, grant.amount, grant.state, grant.cycle.year) == ("tech_contract", Decimal("9000"),
                                                                             "proposed", YEAR)
    assert SubsidyApplication.objects.get(pk=paid.pk).grant == grant and grant.source.pk == paid.pk
    assert ContractSubsidyRule.objects.get(pk=rule.pk).state == "granted"
    # From here the ledger: approval by a second person, its 公示 state, commitment.
    approver = ApproverFactory(username="approver-s")
    ledger.approve_grant(grant=grant, by=approver)
    ledger.start_notice(grant=grant, by=approver)
    assert ledger.commit_grant(grant=grant, by=approver).state == "committed"
    with pytest.raises(TransitionNotAllowed):
        wf.propose_grants(rule=r, by=office, today=datetime.date(2026, 4, 13))


def test_the_demo_pays_last_years_contract_subsidy(tmp_path, settings, on_a_working_day):
    """On a day whose previous year has a holiday schedule (16 June 2026): the round's 公示 can be counted."""
    from django.core.management import call_command

    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo")
    rule = ContractSubsidyRule.objects.get(state="granted")
    paid = Grant.objects.filter(line__code="tech_contract", cycle__year=rule.year, state="paid")
    assert paid.count() == wf.listed(rule).count() > 3
    assert PaymentCheck.objects.filter(state="rejected").count() == 1
    assert sum(g.amount for g in paid) == sum(a.granted for a in wf.listed(rule)) <= rule.budget
    call_command("seed_demo")  # twice: nothing doubles
    assert Grant.objects.filter(line__code="tech_contract").count() == paid.count()


def test_the_demo_skips_the_notice_of_a_year_without_a_holiday_schedule(office, bureau):
    """The rule's year has no holiday schedule: the demo computes the round, stops before its 公示 (never a
    guessed calendar), says why and pays nothing; run again, the same."""
    import io

    from pojian.models import CalendarDay, CalendarYear
    from techtransfer import demo_subsidy

    CalendarDay.objects.filter(day__year=YEAR).delete()
    CalendarYear.objects.filter(year=YEAR).delete()
    core.CycleFactory(year=YEAR, is_current=False)
    cycle = core.CycleFactory(year=YEAR + 1)
    ApproverFactory(username="approver-d")
    pay(contract(firm(bureau)), "200000")
    for _ in range(2):
        out = io.StringIO()
        demo_subsidy.seed(cycle=cycle, office=office, stdout=out)
        rule = ContractSubsidyRule.objects.get(year=YEAR)
        assert (rule.state, rule.notice_starts) == (wf.COMPUTED, None)
        assert [a.granted for a in wf.listed(rule)] == [Decimal("10000")]  # 5 % of 200,000
        assert f"contract subsidy {YEAR}: 公示 skipped, nothing paid" in out.getvalue()
        assert f"{YEAR}年节假日安排尚未录入" in out.getvalue()
        assert not Grant.objects.exists()
