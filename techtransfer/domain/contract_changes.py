"""Changing or cancelling a registered technology contract (变更 / 撤销).

The bureau of the enterprise's region, or the office, changes a contract (amount, parties, type…)
on the state it was shown (optimistic lock: the form's edit token) or cancels it with a reason.
Both keep the history (simple-history, with the reason); the other side is told. A cancelled
contract stays on record, but no longer counts as a transfer in 四科
(`enterprises.domain.checks.contract_counted_q`) nor in the statistics, and is not changed again.
"""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pojian.domain.concurrency import check_edit_token
from pojian.domain.errors import PermissionDenied, ValidationError
from pojian.domain.notifications import notify, region_bureau_users

from ..models import TechContract
from .contracts import paid_total

CHANGEABLE = ("registration_number", "registered_on", "kind", "title", "enterprise", "enterprise_role",
              "institution", "result", "contract_amount", "tech_amount", "implementation")


def _refuse_unless_allowed(contract, by):
    if not by.has_perm("techtransfer.edit_contract", contract):
        raise PermissionDenied(_("Only the bureau of the enterprise's region or the office may change this contract."))


def _tell_the_parties(contract, *, by, subject, body=""):
    managers = [m.user for m in contract.institution.managers.filter(approved_at__isnull=False).select_related("user")]
    notify(managers + list(region_bureau_users(contract.enterprise.region_id)), by=by,
           url=reverse("techtransfer:contract", args=[contract.pk]), subject=subject, body=body)


def change_contract(contract, *, by, edit_token, reason="", **fields):
    """Change the contract's fields; refused when someone saved it since `edit_token`, when it is
    cancelled, or when a bureau would move it to an enterprise outside its region."""
    unknown = set(fields) - set(CHANGEABLE)
    if unknown:
        raise ValueError(f"not changeable: {sorted(unknown)}")
    with transaction.atomic():
        contract = TechContract.objects.select_related("enterprise", "institution").get(pk=contract.pk)
        _refuse_unless_allowed(contract, by)
        check_edit_token(contract, token=edit_token)  # locks the row to the commit
        if contract.is_cancelled:
            raise ValidationError(_("The contract is cancelled; it is no longer changed."))
        before = {name: getattr(contract, name) for name in CHANGEABLE}
        for name, value in fields.items():
            setattr(contract, name, value)
        _refuse_unless_allowed(contract, by)  # the new enterprise must be the bureau's too
        paid = paid_total(contract)
        if contract.contract_amount < paid:
            raise ValidationError(_("The contract value cannot be less than what was paid on it (%(paid)s 元).")
                                  % {"paid": f"{paid:,.2f}"})
        if contract.tech_amount > contract.contract_amount:
            raise ValidationError(_("The technology transaction value cannot exceed the contract value."))
        contract.full_clean()
        changed = [str(TechContract._meta.get_field(n).verbose_name) for n in CHANGEABLE
                   if getattr(contract, n) != before[n]]
        if not changed:
            return contract
        contract._history_user = by
        contract._change_reason = ((reason or "").strip() or _("changed: %(fields)s") % {
            "fields": "、".join(changed)})[:100]
        try:
            with transaction.atomic():
                contract.save()
        except IntegrityError:
            raise ValidationError(_("A contract with this registration number is already recorded.")) from None
        _tell_the_parties(contract, by=by, subject=_("Contract %(number)s changed") % {
            "number": contract.registration_number}, body="、".join(changed))
    return contract


def cancel_contract(contract, *, by, reason, edit_token=None):
    """Cancel (撤销) the contract with a reason: it stays on record and stops counting."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the contract is cancelled."))
    with transaction.atomic():
        contract = TechContract.objects.select_for_update().select_related("enterprise", "institution").get(
            pk=contract.pk)
        _refuse_unless_allowed(contract, by)
        if edit_token is not None:
            check_edit_token(contract, token=edit_token)
        if contract.is_cancelled:
            raise ValidationError(_("The contract is cancelled already."))
        contract.cancelled_at, contract.cancelled_by, contract.cancel_reason = timezone.now(), by, reason[:1000]
        contract._history_user = by
        contract._change_reason = _("cancelled: %(reason)s") % {"reason": reason[:80]}
        contract.save(update_fields=["cancelled_at", "cancelled_by", "cancel_reason"])
        _tell_the_parties(contract, by=by, body=reason, subject=_("Contract %(number)s cancelled") % {
            "number": contract.registration_number})
    return contract
