"""Payments: four eyes, never above the grant, and both limits under two racing requests."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from funding.domain import grants, payments
from funding.models import Grant, Payment
from pojian.domain.errors import PermissionDenied, TransitionNotAllowed, ValidationError

from .factories import ApproverFactory, BudgetFactory, EnterpriseFactory, line

DAY = date(2026, 6, 1)


def _pay(grant, amount, by):
    return payments.record_payment(grant=grant, amount=Decimal(amount), paid_on=DAY, document_no="吉财〔2026〕8号",
                                   account="中国银行 6222 0000", by=by)


@pytest.mark.django_db
def test_payment_recorded_then_confirmed_by_approver(committed_grant, office, approver):
    p = _pay(committed_grant, "21000", office)
    committed_grant.refresh_from_db()
    assert committed_grant.paid_amount == 0  # recorded is not paid yet
    payments.confirm_payment(payment=p, by=approver)
    committed_grant.refresh_from_db()
    assert committed_grant.paid_amount == Decimal("21000")
    assert committed_grant.state == Grant.State.PARTLY_PAID
    p2 = _pay(committed_grant, "9000", office)
    payments.confirm_payment(payment=p2, by=approver)
    committed_grant.refresh_from_db()
    assert committed_grant.state == Grant.State.PAID


@pytest.mark.django_db
def test_payment_office_cannot_confirm(committed_grant, office, office2):
    p = _pay(committed_grant, "1000", office)
    with pytest.raises(PermissionDenied):
        payments.confirm_payment(payment=p, by=office2)
    assert Payment.objects.get().state == Payment.State.RECORDED


@pytest.mark.django_db
def test_payment_nobody_confirms_own_entry(committed_grant, approver):
    from django.db.models import Q

    # Even an account that may both record and confirm (the admin's superuser is office) may not confirm its own.
    p = Payment.objects.create(grant=committed_grant, paid_on=DAY, document_no="x", amount=Decimal("1"),
                               account="a", recorded_by=approver)
    with pytest.raises(PermissionDenied):
        payments.confirm_payment(payment=p, by=approver)
    assert Payment.objects.filter(Q(state="recorded")).count() == 1


@pytest.mark.django_db
def test_payment_own_confirmation_refused_by_database(committed_grant, approver):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(grant=committed_grant, paid_on=DAY, document_no="x", amount=Decimal("1"), account="a",
                               recorded_by=approver, confirmed_by=approver, state="confirmed")


@pytest.mark.django_db
def test_payment_above_grant_refused(committed_grant, office):
    _pay(committed_grant, "20000", office)
    with pytest.raises(ValidationError) as e:
        _pay(committed_grant, "10000.01", office)
    assert "over_grant" == e.value.error_dict["amount"][0].code
    assert Payment.objects.count() == 1


@pytest.mark.django_db
def test_payment_rejected_frees_the_amount(committed_grant, office, approver):
    p = _pay(committed_grant, "30000", office)
    payments.reject_payment(payment=p, by=approver, reason="账号有误")
    _pay(committed_grant, "30000", office)
    assert Payment.objects.filter(state="recorded").count() == 1


@pytest.mark.django_db
def test_payment_on_uncommitted_grant_refused(make_grant, office):
    g = make_grant()
    with pytest.raises(TransitionNotAllowed):
        _pay(g, "1", office)


@pytest.mark.django_db
def test_payment_missing_fields_listed(committed_grant, office):
    with pytest.raises(ValidationError) as e:
        payments.record_payment(grant=committed_grant, amount=Decimal("0"), paid_on=None, document_no="", account="",
                                by=office)
    assert set(e.value.error_dict) == {"amount", "paid_on", "document_no", "account"}


@pytest.mark.django_db
def test_payment_confirmed_twice_refused(committed_grant, office, approver):
    p = _pay(committed_grant, "1000", office)
    payments.confirm_payment(payment=p, by=approver)
    with pytest.raises(TransitionNotAllowed):
        payments.confirm_payment(payment=p, by=ApproverFactory())


# ------------------------------------------------------------------ races (real transactions, two threads)


def _race(*calls):
    """Run each call in its own thread and database connection, started together; return outcomes."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(i, fn):
        try:
            barrier.wait()
            fn()
            outcomes[i] = "ok"
        except ValidationError as e:
            outcomes[i] = e
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_race_two_payments_never_exceed_grant(transactional_db):
    from tests import factories as core
    from tests.enterprises.factories import ensure_regions

    ensure_regions()
    cycle = core.CycleFactory()
    office = core.OfficeFactory(username="office-race")
    approver = ApproverFactory(username="approver-race")
    budget = BudgetFactory(cycle=cycle, line=line("rd_post"), amount=Decimal("100000"))
    g = grants.propose_grant(cycle=cycle, line=budget.line, beneficiary=EnterpriseFactory(), amount=Decimal("30000"),
                             by=office)
    grants.approve_grant(grant=g, by=approver)
    grants.start_notice(grant=g, by=approver)
    grants.commit_grant(grant=g, by=approver)
    outcomes = _race(lambda: _pay(Grant.objects.get(pk=g.pk), "20000", office),
                     lambda: _pay(Grant.objects.get(pk=g.pk), "20000", office))
    assert sorted(o == "ok" for o in outcomes) == [False, True]
    assert Payment.objects.filter(grant=g).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_race_two_approvals_never_exceed_budget(transactional_db):
    from tests import factories as core
    from tests.enterprises.factories import ensure_regions

    ensure_regions()
    cycle = core.CycleFactory()
    office = core.OfficeFactory(username="office-race")
    approvers = [ApproverFactory(username="approver-race-1"), ApproverFactory(username="approver-race-2")]
    budget = BudgetFactory(cycle=cycle, line=line("rd_post"), amount=Decimal("100000"))
    a, b = (grants.propose_grant(cycle=cycle, line=budget.line, beneficiary=EnterpriseFactory(),
                                 amount=Decimal("60000"), by=office) for _ in range(2))
    outcomes = _race(lambda: grants.approve_grant(grant=Grant.objects.get(pk=a.pk), by=approvers[0]),
                     lambda: grants.approve_grant(grant=Grant.objects.get(pk=b.pk), by=approvers[1]))
    assert sorted(o == "ok" for o in outcomes) == [False, True]
    assert Grant.objects.filter(state="approved").count() == 1
