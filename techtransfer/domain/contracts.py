"""Technology contracts and the amounts actually paid on them (实际发生交易额)."""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from pojian.domain.errors import PermissionDenied, ValidationError

from ..models import ContractPayment, TechContract


def register_contract(*, by, **fields):
    """Record a registered contract for an enterprise (its bureau, or the office)."""
    contract = TechContract(created_by=by, **fields)
    if not by.has_perm("techtransfer.record_contract") or not (
        by.has_perm("techtransfer.see_contract", contract)
    ):
        raise PermissionDenied(_("You may record contracts only for enterprises of your region."))
    contract.full_clean()
    try:
        with transaction.atomic():
            contract._history_user = by
            contract.save()
    except IntegrityError:
        raise ValidationError(_("A contract with this registration number is already recorded.")) from None
    return contract


def paid_total(contract):
    return contract.payments.aggregate(total=Sum("amount"))["total"] or Decimal("0")


def add_payment(contract, *, by, paid_on, amount, invoice_number, receipt=None):
    """Record an amount paid; the payments never add up to more than the contract's value."""
    if not by.has_perm("techtransfer.see_contract", contract) or not by.has_perm("techtransfer.record_contract"):
        raise PermissionDenied(_("You may not record payments on this contract."))
    with transaction.atomic():
        contract = TechContract.objects.select_for_update().get(pk=contract.pk)  # one payment at a time
        if contract.is_cancelled:
            raise ValidationError(_("The contract is cancelled; no payment is recorded on it."))
        if paid_total(contract) + amount > contract.contract_amount:
            raise ValidationError(_("The payments would exceed the contract's value (%(value)s 元).") % {
                "value": f"{contract.contract_amount:,.2f}"})
        payment = ContractPayment(contract=contract, paid_on=paid_on, amount=amount,
                                  invoice_number=invoice_number.strip(), created_by=by)
        if receipt is not None:
            payment.receipt = receipt
        payment.full_clean()
        try:
            with transaction.atomic():
                payment._history_user = by
                payment.save()
        except IntegrityError:
            raise ValidationError(_("This invoice is already recorded on the contract.")) from None
    return payment
