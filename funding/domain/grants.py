"""Grants through their life: one function per transition, each locking, checking and auditing.

    proposed ──approve──▶ approved ──start_notice──▶ in_notice ──commit──▶ committed
                              └────────────commit (line without 公示)──────────┘
    committed ──(payments confirmed)──▶ partly_paid ──▶ paid ──close──▶ closed
    proposed / approved / in_notice / committed ──withdraw──▶ withdrawn
    partly_paid / paid / closed ──recover──▶ recovered (追回: amount and reason)

The budget holds under concurrent approvals: the line's Budget row is locked (SELECT … FOR
UPDATE) while the committed total is summed and the new grant added, so two approvals of the
same line are serialised and the second sees the first.
"""

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Case, DecimalField, F, Sum, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pojian.domain.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from pojian.domain.notifications import notify, region_bureau_users

from ..models import COMMITTING_STATES, ZERO, AmountChange, Budget, Grant, GrantState

S = GrantState


def audit(obj, *, by, reason):
    """simple-history keeps who and why on the next save."""
    obj._history_user = by
    obj._change_reason = reason[:100]


def _require(by, perm, obj=None):
    if by is None or not by.has_perm(perm, obj):
        raise PermissionDenied(_("You may not do this."))


def _money(value, *, field="amount"):
    try:
        value = Decimal(str(value))
    except Exception:
        raise ValidationError({field: _("Enter an amount in yuan.")}, code="invalid") from None
    if not value.is_finite() or value < 0:
        raise ValidationError({field: _("The amount must not be negative.")}, code="negative")
    if value != value.quantize(Decimal("0.01")):
        raise ValidationError({field: _("Amounts are in yuan with at most two decimals.")}, code="precision")
    return value


def committed_expression():
    """What a grant holds against its budget, as a database expression."""
    return Case(
        When(state__in=COMMITTING_STATES, then=F("amount")),
        When(state=S.RECOVERED, then=F("paid_amount") - F("recovered_amount")),
        default=Value(ZERO),
        output_field=DecimalField(max_digits=16, decimal_places=2),
    )


def committed_total(*, cycle_id, line_id, exclude_pk=None) -> Decimal:
    qs = Grant.objects.filter(cycle_id=cycle_id, line_id=line_id)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.aggregate(t=Coalesce(Sum(committed_expression()), Value(ZERO)))["t"]


def _lock_budget(grant) -> Budget:
    budget = Budget.objects.select_for_update().filter(cycle_id=grant.cycle_id, line_id=grant.line_id).first()
    if budget is None:
        raise ValidationError(
            _("There is no budget for %(line)s in %(year)s; the office sets it first.")
            % {"line": grant.line.name, "year": grant.cycle.year},
            code="no_budget",
        )
    return budget


def _check_budget(grant, *, amount, by, override_reason):
    """Refuse `amount` for `grant` beyond its line's budget unless an approver overrides with a reason."""
    budget = _lock_budget(grant)
    others = committed_total(cycle_id=grant.cycle_id, line_id=grant.line_id, exclude_pk=grant.pk)
    if others + amount <= budget.amount:
        return False
    override_reason = (override_reason or "").strip()
    if not override_reason or not by.has_perm("funding.override_budget"):
        raise ValidationError(
            _("This would commit %(total)s yuan against a budget of %(budget)s yuan for %(line)s %(year)s "
              "(%(over)s yuan over). Only an approver may exceed the budget, with a reason.")
            % {"total": f"{others + amount:,.2f}", "budget": f"{budget.amount:,.2f}", "line": grant.line.name,
               "year": grant.cycle.year, "over": f"{others + amount - budget.amount:,.2f}"},
            code="over_budget",
        )
    return True


def _locked(grant) -> Grant:
    return Grant.objects.select_for_update().select_related("cycle", "line").get(pk=grant.pk)


def _refresh(grant, current):
    for field in ("state", "amount", "paid_amount", "recovered_amount", "state_reason", "approved_by_id",
                  "approved_at", "override_reason", "override_by_id", "version"):
        setattr(grant, field, getattr(current, field))
    return grant


def _move(current, sources, target, *, by, reason=""):
    if current.state not in sources:
        raise TransitionNotAllowed(
            _("A grant that is “%(state)s” cannot become “%(target)s”.")
            % {"state": current.get_state_display(), "target": S(target).label},
            code="state",
        )
    current.state = target
    current.version += 1
    audit(current, by=by, reason=f"{target}: {reason}" if reason else target)


def propose_grant(*, cycle, line, beneficiary, amount, by, region=None, source=None, source_label=""):
    """A new grant in state proposed, for one beneficiary, line and year (one such grant only)."""
    _require(by, "funding.propose_grant")
    amount = _money(amount)
    region = region or getattr(beneficiary, "region", None)
    if region is None:
        raise ValidationError(_("The beneficiary has no region."), code="no_region")
    grant = Grant(
        cycle=cycle, line=line, beneficiary_type=ContentType.objects.get_for_model(beneficiary),
        beneficiary_id=beneficiary.pk, beneficiary_name=str(getattr(beneficiary, "name", beneficiary))[:200],
        region=region, amount=amount, proposed_by=by, source_label=source_label[:200],
    )
    if source is not None:
        grant.source_type = ContentType.objects.get_for_model(source)
        grant.source_id = source.pk
    audit(grant, by=by, reason="proposed")
    try:
        with transaction.atomic():
            grant.save()
    except IntegrityError:
        raise ValidationError(
            _("%(name)s already has a %(line)s grant for %(year)s.")
            % {"name": grant.beneficiary_name, "line": line.name, "year": cycle.year},
            code="duplicate",
        ) from None
    return grant


@transaction.atomic
def approve_grant(*, grant, by, override_reason=""):
    """proposed → approved, within the line's budget (or beyond it, by an approver with a reason)."""
    _require(by, "funding.decide_grant", grant)
    current = _locked(grant)
    if current.proposed_by_id == by.pk:
        raise PermissionDenied(_("A grant is approved by someone other than the person who proposed it."))
    overridden = _check_budget(current, amount=current.amount, by=by, override_reason=override_reason)
    _move(current, {S.PROPOSED}, S.APPROVED, by=by, reason=override_reason if overridden else "")
    current.approved_by, current.approved_at = by, timezone.now()
    if overridden:
        current.override_reason, current.override_by = override_reason.strip(), by
    current.save()
    return _refresh(grant, current)


@transaction.atomic
def start_notice(*, grant, by):
    """approved → in_notice, for a line that publishes its grants (the 公示 itself is kept elsewhere)."""
    _require(by, "funding.decide_grant", grant)
    current = _locked(grant)
    if not current.line.requires_notice:
        raise TransitionNotAllowed(_("This funding line has no public notice."), code="no_notice")
    _move(current, {S.APPROVED}, S.IN_NOTICE, by=by)
    current.save()
    return _refresh(grant, current)


@transaction.atomic
def commit_grant(*, grant, by):
    """in_notice (or approved, where the line needs no notice) → committed; the bureau is told."""
    _require(by, "funding.decide_grant", grant)
    current = _locked(grant)
    sources = {S.IN_NOTICE} if current.line.requires_notice else {S.APPROVED}
    _move(current, sources, S.COMMITTED, by=by)
    current.save()
    notify(region_bureau_users(current.region_id),
           subject=_("%(name)s: %(line)s grant of %(amount)s yuan committed")
           % {"name": current.beneficiary_name, "line": current.line.name, "amount": f"{current.amount:,.2f}"},
           body=_("The grant is committed; it is paid in tranches, each confirmed by an approver."),
           url=reverse("funding:grant", args=[current.pk]), by=by,
           next_step=_("Tell the beneficiary; follow the payments on the grant's page."))
    return _refresh(grant, current)


@transaction.atomic
def withdraw_grant(*, grant, by, reason):
    reason = (reason or "").strip()
    _require(by, "funding.decide_grant", grant)
    if not reason:
        raise ValidationError(_("Please give a reason."), code="reason_required")
    current = _locked(grant)
    if current.payments.exclude(state="rejected").exists():
        raise TransitionNotAllowed(_("A grant with payments cannot be withdrawn; recover the money instead."),
                                   code="has_payments")
    _move(current, {S.PROPOSED, S.APPROVED, S.IN_NOTICE, S.COMMITTED}, S.WITHDRAWN, by=by, reason=reason)
    current.state_reason = reason
    current.save()
    return _refresh(grant, current)


@transaction.atomic
def close_grant(*, grant, by):
    _require(by, "funding.decide_grant", grant)
    current = _locked(grant)
    _move(current, {S.PAID}, S.CLOSED, by=by)
    current.save()
    return _refresh(grant, current)


@transaction.atomic
def recover_grant(*, grant, by, amount, reason):
    """追回: part or all of what was paid comes back; the grant ends as recovered."""
    _require(by, "funding.recover_grant", grant)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Please give a reason."), code="reason_required")
    amount = _money(amount)
    current = _locked(grant)
    if amount <= 0 or amount > current.paid_amount:
        raise ValidationError(
            {"amount": _("The amount recovered must be more than 0 and at most what was paid (%(paid)s yuan).")
             % {"paid": f"{current.paid_amount:,.2f}"}}, code="recovery_amount")
    _move(current, {S.COMMITTED, S.PARTLY_PAID, S.PAID, S.CLOSED}, S.RECOVERED, by=by, reason=reason)
    current.recovered_amount, current.state_reason = amount, reason
    current.save()
    notify(region_bureau_users(current.region_id),
           subject=_("%(name)s: %(amount)s yuan to be recovered") % {"name": current.beneficiary_name,
                                                                     "amount": f"{amount:,.2f}"},
           body=reason, url=reverse("funding:grant", args=[current.pk]), by=by)
    return _refresh(grant, current)


CHANGEABLE = {S.APPROVED, S.IN_NOTICE, S.COMMITTED, S.PARTLY_PAID}


@transaction.atomic
def request_amount_change(*, grant, new_amount, reason, by):
    """After approval the amount changes only with a reason, and a second person confirms."""
    _require(by, "funding.request_amount_change", grant)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("A change of amount needs a reason.")}, code="reason_required")
    new_amount = _money(new_amount, field="new_amount")
    current = _locked(grant)
    if current.state not in CHANGEABLE:
        raise TransitionNotAllowed(_("The amount of a grant that is “%(state)s” cannot change.")
                                   % {"state": current.get_state_display()}, code="state")
    if new_amount == current.amount:
        raise ValidationError({"new_amount": _("The new amount is the same as the old one.")}, code="same")
    if current.amount_changes.filter(state=AmountChange.State.PENDING).exists():
        raise ValidationError(_("A change of amount is already waiting for confirmation."), code="pending")
    change = AmountChange(grant=current, old_amount=current.amount, new_amount=new_amount, reason=reason, requested_by=by)
    audit(change, by=by, reason="requested")
    change.save()
    return change


@transaction.atomic
def confirm_amount_change(*, change, by, override_reason=""):
    _require(by, "funding.confirm_amount_change", change.grant)
    change = AmountChange.objects.select_for_update().get(pk=change.pk)
    if change.requested_by_id == by.pk:
        raise PermissionDenied(_("A change of amount is confirmed by a second person, not by who asked for it."))
    if change.state != AmountChange.State.PENDING:
        raise TransitionNotAllowed(_("This change was already decided."), code="decided")
    current = _locked(change.grant)
    if current.state not in CHANGEABLE or current.amount != change.old_amount:
        raise TransitionNotAllowed(_("The grant changed since this was asked; ask again."), code="stale")
    pending = current.payments.filter(state="recorded").aggregate(t=Coalesce(Sum("amount"), Value(ZERO)))["t"]
    if change.new_amount < current.paid_amount + pending:
        raise ValidationError(_("The new amount is below what is paid or being paid (%(paid)s yuan).")
                              % {"paid": f"{current.paid_amount + pending:,.2f}"}, code="below_paid")
    overridden = _check_budget(current, amount=change.new_amount, by=by, override_reason=override_reason)
    current.amount = change.new_amount
    if current.state == S.PARTLY_PAID and current.paid_amount == current.amount:
        current.state = S.PAID
    if overridden:
        current.override_reason, current.override_by = override_reason.strip(), by
    current.version += 1
    audit(current, by=by, reason=f"amount {change.old_amount} → {change.new_amount}: {change.reason}")
    current.save()
    change.state, change.decided_by, change.decided_at = AmountChange.State.CONFIRMED, by, timezone.now()
    audit(change, by=by, reason="confirmed")
    change.save()
    return change


@transaction.atomic
def reject_amount_change(*, change, by):
    _require(by, "funding.confirm_amount_change", change.grant)
    change = AmountChange.objects.select_for_update().get(pk=change.pk)
    if change.requested_by_id == by.pk:
        raise PermissionDenied(_("A change of amount is confirmed by a second person, not by who asked for it."))
    if change.state != AmountChange.State.PENDING:
        raise TransitionNotAllowed(_("This change was already decided."), code="decided")
    change.state, change.decided_by, change.decided_at = AmountChange.State.REJECTED, by, timezone.now()
    audit(change, by=by, reason="rejected")
    change.save()
    return change


def region_grants(user):
    """Grants a user may list: all for the office and approvers, the region's for a bureau."""
    qs = Grant.objects.select_related("cycle", "line", "region")
    if user.has_perm("funding.view_ledger"):
        return qs
    if user.has_perm("funding.list_region"):
        return qs.filter(region_id=user.region_id)
    return qs.none()


