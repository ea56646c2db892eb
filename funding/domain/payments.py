"""Payments (拨付): recorded by one office user, confirmed by a second user with the approver role.

Payments never exceed the approved grant: recording locks the grant row (SELECT … FOR UPDATE)
and counts every payment not rejected, so two clerks recording at once are serialised and the
second sees the first. The database also refuses a paid total above the amount (a check constraint).
"""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pojian.domain.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from pojian.domain.notifications import notify
from pojian.models import User

from ..models import PAYABLE_STATES, ZERO, GrantState, Payment
from .grants import _locked, _money, _require, audit


def _outstanding(grant) -> Decimal:
    """What is paid or waiting for confirmation on this grant."""
    return grant.payments.exclude(state=Payment.State.REJECTED).aggregate(t=Coalesce(Sum("amount"), Value(ZERO)))["t"]


@transaction.atomic
def record_payment(*, grant, amount, paid_on: date, document_no, account, by, tranche=1):
    _require(by, "funding.record_payment", grant)
    amount = _money(amount)
    errors = {}
    if amount <= 0:
        errors["amount"] = _("The amount must be more than 0.")
    if not (document_no or "").strip():
        errors["document_no"] = _("Give the document number (文号).")
    if not (account or "").strip():
        errors["account"] = _("Give the account paid into.")
    if paid_on is None:
        errors["paid_on"] = _("Give the payment date.")
    if errors:
        raise ValidationError(errors, code="invalid")
    current = _locked(grant)
    if current.state not in PAYABLE_STATES:
        raise TransitionNotAllowed(_("A grant that is “%(state)s” cannot be paid.")
                                   % {"state": current.get_state_display()}, code="state")
    outstanding = _outstanding(current)
    if outstanding + amount > current.amount:
        raise ValidationError(
            {"amount": ValidationError(_("Payments would reach %(total)s yuan, more than the grant of %(grant)s yuan "
                         "(%(left)s yuan left to pay).")
             % {"total": f"{outstanding + amount:,.2f}", "grant": f"{current.amount:,.2f}",
                "left": f"{current.amount - outstanding:,.2f}"}, code="over_grant")},
        )
    from .projects import check_tranche

    check_tranche(grant=current, tranche=tranche, amount=amount)
    payment = Payment(grant=current, tranche=tranche, paid_on=paid_on, document_no=document_no.strip(),
                      amount=amount, account=account.strip(), recorded_by=by)
    audit(payment, by=by, reason="recorded")
    payment.save()
    notify(User.objects.filter(role=User.Role.APPROVER, is_active=True).exclude(pk=by.pk),
           subject=_("A payment of %(amount)s yuan to %(name)s waits for your confirmation")
           % {"amount": f"{amount:,.2f}", "name": current.beneficiary_name},
           body=_("Document %(doc)s, paid on %(day)s.") % {"doc": payment.document_no, "day": paid_on},
           url=reverse("funding:grant", args=[current.pk]), by=by,
           next_step=_("Confirm or reject it on the grant's page; you cannot confirm your own entry."))
    return payment


def _lock_payment(payment):
    # The grant first, then the payment: the same order as record_payment, so no deadlock.
    grant = _locked(payment.grant)
    return grant, Payment.objects.select_for_update().get(pk=payment.pk)


@transaction.atomic
def confirm_payment(*, payment, by):
    """The second pair of eyes: an approver, never the person who recorded it."""
    _require(by, "funding.confirm_payment", payment.grant)
    grant, current = _lock_payment(payment)
    if current.recorded_by_id == by.pk:
        raise PermissionDenied(_("Nobody confirms their own entry: a second person confirms this payment."))
    if current.state != Payment.State.RECORDED:
        raise TransitionNotAllowed(_("This payment was already decided."), code="decided")
    current.state, current.confirmed_by, current.confirmed_at = Payment.State.CONFIRMED, by, timezone.now()
    audit(current, by=by, reason="confirmed")
    current.save()
    grant.paid_amount += current.amount
    grant.state = GrantState.PAID if grant.paid_amount >= grant.amount else GrantState.PARTLY_PAID
    grant.version += 1
    audit(grant, by=by, reason=f"payment {current.pk} confirmed")
    grant.save()
    payment.state, payment.confirmed_by, payment.confirmed_at = current.state, by, current.confirmed_at
    return payment


@transaction.atomic
def reject_payment(*, payment, by, reason):
    _require(by, "funding.confirm_payment", payment.grant)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Please give a reason."), code="reason_required")
    _grant, current = _lock_payment(payment)
    if current.recorded_by_id == by.pk:
        raise PermissionDenied(_("Nobody confirms their own entry: a second person confirms this payment."))
    if current.state != Payment.State.RECORDED:
        raise TransitionNotAllowed(_("This payment was already decided."), code="decided")
    current.state, current.reject_reason = Payment.State.REJECTED, reason
    audit(current, by=by, reason=f"rejected: {reason}")
    current.save()
    notify([current.recorded_by], subject=_("A payment you recorded was rejected"), body=reason,
           url=reverse("funding:grant", args=[current.grant_id]), by=by)
    payment.state = current.state
    return payment
