"""Grants: each state, the budget limit and its override, the second person for amount changes."""

from datetime import date
from decimal import Decimal

import pytest

from funding.domain import grants
from funding.models import AmountChange, Grant
from pojian.domain.errors import PermissionDenied, TransitionNotAllowed, ValidationError

from .factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


def test_grant_walks_proposed_to_committed_with_history(make_grant, approver):
    g = make_grant("30000")
    assert g.state == Grant.State.PROPOSED
    grants.approve_grant(grant=g, by=approver)
    assert g.state == Grant.State.APPROVED and g.approved_by_id == approver.pk
    grants.start_notice(grant=g, by=approver)
    assert g.state == Grant.State.IN_NOTICE
    grants.commit_grant(grant=g, by=approver)
    g.refresh_from_db()
    assert g.state == Grant.State.COMMITTED
    states = list(g.history.order_by("history_date").values_list("state", flat=True))
    assert states == ["proposed", "approved", "in_notice", "committed"]
    assert g.history.latest().history_user_id == approver.pk


def test_grant_line_with_notice_cannot_skip_it(make_grant, approver):
    g = make_grant()
    grants.approve_grant(grant=g, by=approver)
    with pytest.raises(TransitionNotAllowed):
        grants.commit_grant(grant=g, by=approver)


def test_grant_line_without_notice_commits_from_approved(cycle, office, approver):
    from .factories import BudgetFactory, line

    BudgetFactory(cycle=cycle, line=line("project_support"))
    g = grants.propose_grant(cycle=cycle, line=line("project_support"), beneficiary=EnterpriseFactory(),
                             amount=Decimal("500000"), by=office)
    grants.approve_grant(grant=g, by=approver)
    with pytest.raises(TransitionNotAllowed):
        grants.start_notice(grant=g, by=approver)
    grants.commit_grant(grant=g, by=approver)
    assert g.state == Grant.State.COMMITTED


def test_grant_proposer_cannot_approve_own(make_grant, office):
    g = make_grant()
    with pytest.raises(PermissionDenied):
        grants.approve_grant(grant=g, by=office)
    g.refresh_from_db()
    assert g.state == Grant.State.PROPOSED


def test_grant_one_per_beneficiary_line_year(make_grant):
    e = EnterpriseFactory()
    make_grant(enterprise=e)
    with pytest.raises(ValidationError):
        make_grant(enterprise=e)


def test_grant_negative_amount_refused(make_grant):
    with pytest.raises(ValidationError):
        make_grant("-1")


def test_grant_over_budget_refused(make_grant, approver, office2):
    a, b = make_grant("60000"), make_grant("50000")
    grants.approve_grant(grant=a, by=office2)
    with pytest.raises(ValidationError) as e:
        grants.approve_grant(grant=b, by=office2)
    assert e.value.code == "over_budget"
    b.refresh_from_db()
    assert b.state == Grant.State.PROPOSED


def test_grant_over_budget_office_cannot_override(make_grant, office2):
    a, b = make_grant("60000"), make_grant("50000")
    grants.approve_grant(grant=a, by=office2)
    with pytest.raises(ValidationError):
        grants.approve_grant(grant=b, by=office2, override_reason="urgent")


def test_grant_over_budget_approver_overrides_with_reason(make_grant, approver):
    a, b = make_grant("60000"), make_grant("50000")
    grants.approve_grant(grant=a, by=approver)
    with pytest.raises(ValidationError):
        grants.approve_grant(grant=b, by=approver)  # no reason
    grants.approve_grant(grant=b, by=approver, override_reason="追加预算已批")
    b.refresh_from_db()
    assert b.state == Grant.State.APPROVED and b.override_by_id == approver.pk and b.override_reason


def test_grant_without_budget_refused(cycle, office, approver):
    from .factories import line

    g = grants.propose_grant(cycle=cycle, line=line("tech_contract"), beneficiary=EnterpriseFactory(),
                             amount=Decimal("1"), by=office)
    with pytest.raises(ValidationError) as e:
        grants.approve_grant(grant=g, by=approver)
    assert e.value.code == "no_budget"


def test_grant_withdrawn_frees_budget(make_grant, approver):
    a, b = make_grant("60000"), make_grant("50000")
    grants.approve_grant(grant=a, by=approver)
    grants.withdraw_grant(grant=a, by=approver, reason="企业放弃")
    assert a.state == Grant.State.WITHDRAWN
    grants.approve_grant(grant=b, by=approver)
    assert b.state == Grant.State.APPROVED


def test_grant_withdraw_needs_reason(make_grant, approver):
    g = make_grant()
    with pytest.raises(ValidationError):
        grants.withdraw_grant(grant=g, by=approver, reason=" ")


def test_grant_bureau_cannot_propose(cycle, bureau):
    from .factories import line

    with pytest.raises(PermissionDenied):
        grants.propose_grant(cycle=cycle, line=line(), beneficiary=EnterpriseFactory(), amount=Decimal("1"), by=bureau)


def test_amount_change_needs_second_person(committed_grant, office, office2):
    change = grants.request_amount_change(grant=committed_grant, new_amount=Decimal("25000"), reason="核减", by=office)
    with pytest.raises(PermissionDenied):
        grants.confirm_amount_change(change=change, by=office)
    committed_grant.refresh_from_db()
    assert committed_grant.amount == Decimal("30000")
    grants.confirm_amount_change(change=change, by=office2)
    committed_grant.refresh_from_db()
    assert committed_grant.amount == Decimal("25000")
    assert AmountChange.objects.get().state == AmountChange.State.CONFIRMED


def test_amount_change_needs_reason(committed_grant, office):
    with pytest.raises(ValidationError):
        grants.request_amount_change(grant=committed_grant, new_amount=Decimal("25000"), reason="", by=office)


def test_amount_change_before_approval_refused(make_grant, office):
    g = make_grant()
    with pytest.raises(TransitionNotAllowed):
        grants.request_amount_change(grant=g, new_amount=Decimal("1"), reason="x", by=office)


def test_amount_change_over_budget_refused(committed_grant, office, office2):
    change = grants.request_amount_change(grant=committed_grant, new_amount=Decimal("100001"), reason="追加", by=office)
    with pytest.raises(ValidationError):
        grants.confirm_amount_change(change=change, by=office2)
    committed_grant.refresh_from_db()
    assert committed_grant.amount == Decimal("30000")


def test_amount_change_rejected_keeps_amount(committed_grant, office, approver):
    change = grants.request_amount_change(grant=committed_grant, new_amount=Decimal("20000"), reason="核减", by=office)
    grants.reject_amount_change(change=change, by=approver)
    committed_grant.refresh_from_db()
    assert committed_grant.amount == Decimal("30000")


def test_recovery_records_amount_and_reason(committed_grant, office, approver):
    from funding.domain import payments

    p = payments.record_payment(grant=committed_grant, amount=Decimal("30000"), paid_on=date(2026, 6, 1),
                                document_no="吉财〔2026〕8号", account="6222…", by=office)
    payments.confirm_payment(payment=p, by=approver)
    with pytest.raises(ValidationError):
        grants.recover_grant(grant=committed_grant, by=office, amount=Decimal("30001"), reason="不通过")
    grants.recover_grant(grant=committed_grant, by=office, amount=Decimal("30000"), reason="验收不通过")
    committed_grant.refresh_from_db()
    assert committed_grant.state == Grant.State.RECOVERED
    assert committed_grant.recovered_amount == Decimal("30000")
    assert committed_grant.committed_amount == Decimal("0")


def test_close_only_when_paid(committed_grant, approver):
    with pytest.raises(TransitionNotAllowed):
        grants.close_grant(grant=committed_grant, by=approver)
