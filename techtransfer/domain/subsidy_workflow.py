"""The contract subsidy's workflow (技术合同后补助), one function per state change:

    rule (office, optimistic lock) ── applications by the bureaus inside the window ──
    receipts checked by the office (accepted / rejected with a reason) ──
    compute (after the window; only accepted payments count) ──▶ computed ──
    publish_notice (公示, working days; anyone objects online, the office decides: upheld withholds the
    application) ── propose_grants (after the 公示, every objection decided) ──▶ granted

The amounts are `subsidy.compute` restricted to the contracts applied for and to checked payments;
the 公示 period is `reviews.domain.notices.notice_period`; the bands are checked with the R&D
post-subsidy's `parse_bands`; grants go into the ledger through `funding.domain.grants.propose_grant`
(line 技术合同补助), where approval, the grant's 公示 state and the payments follow as for any grant.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from funding.domain.grants import audit
from funding.domain.rd_subsidy import parse_bands
from pojian.domain.errors import PermissionDenied, StaleEdit, TransitionNotAllowed, ValidationError

from ..models import (
    ContractPayment,
    ContractSubsidyRule,
    PaymentCheck,
    SubsidyApplication,
    SubsidyObjection,
    TechContract,
)
from . import subsidy

DRAFT, COMPUTED, GRANTED = "draft", "computed", "granted"
MANAGE = "techtransfer.manage_contract_subsidy"
RULE_FIELDS = ("kinds", "in_province_only", "needs_implementation", "min_paid", "bands", "cap", "budget",
               "applications_open", "applications_close", "notice_days")
DEFAULTS = {"kinds": ["development", "transfer"], "min_paid": Decimal("10000"), "cap": Decimal("500000"),
            "bands": [["1000000", "0.05"], [None, "0.02"]], "budget": Decimal("5000000")}


def _allowed(by, perm, obj=None):
    if by is None or not by.has_perm(perm, obj):
        raise PermissionDenied(_("You may not do this."))


def _day(value):
    return date_format(value, "Y年n月j日") if value else "—"


# ---------------------------------------------------------------------------------------------
# The rule


def rule_for_year(*, year, by):
    """The year's rule; made on first use as a copy of the latest earlier year's (window moved by the years)."""
    _allowed(by, MANAGE)
    rule = ContractSubsidyRule.objects.filter(year=year).first()
    if rule is not None:
        return rule
    previous = ContractSubsidyRule.objects.filter(year__lt=year).order_by("-year").first()
    rule = ContractSubsidyRule(year=year, **DEFAULTS)
    if previous is not None:
        for field in RULE_FIELDS:
            setattr(rule, field, getattr(previous, field))
        for field in ("applications_open", "applications_close"):
            day = getattr(previous, field)
            if day is not None:
                shifted = year - previous.year
                setattr(rule, field, day.replace(year=day.year + shifted, day=min(day.day, 28) if day.month == 2 else day.day))
    audit(rule, by=by, reason=f"copied from {previous.year}" if previous else "defaults")
    rule.save()
    return rule


def _check_values(values):
    errors = {}
    kinds = values.get("kinds")
    if kinds is not None and (not kinds or set(kinds) - set(TechContract.Kind.values)):
        errors["kinds"] = _("Choose at least one contract type.")
    for field in ("min_paid", "budget", "cap"):
        value = values.get(field)
        if value is not None and (not Decimal(value).is_finite() or Decimal(value) < 0):
            errors[field] = _("Enter an amount in yuan, not negative.")
    opens, closes = values.get("applications_open"), values.get("applications_close")
    if opens and closes and closes < opens:
        errors["applications_close"] = _("The window closes on or after the day it opens.")
    if "bands" in values:
        try:
            parse_bands(values["bands"])
        except ValidationError as e:
            errors.update(e.message_dict)
    if errors:
        raise ValidationError(errors, code="invalid")


@transaction.atomic
def update_rule(*, rule, values, version, by):
    """Change the year's rule; refused over someone else's change, and once the 公示 is published."""
    _allowed(by, MANAGE)
    current = ContractSubsidyRule.objects.select_for_update().get(pk=rule.pk)
    if current.version != int(version):
        raise StaleEdit(_("Someone else changed this rule meanwhile; reload the page and make your change again."),
                        code="stale")
    if current.notice_starts is not None or current.state == GRANTED:
        raise TransitionNotAllowed(_("The rule cannot change once its public notice is published."), code="state")
    _check_values(values)
    for field in RULE_FIELDS:
        if field in values:
            setattr(current, field, values[field])
    current.state = DRAFT  # amounts computed under the old rule are stale
    current.version += 1
    audit(current, by=by, reason="edit")
    current.save()
    return current


def _touch(rule, *, by, reason):
    """A change the computed amounts depend on: back to draft (computed again before the 公示)."""
    if rule.state == COMPUTED:
        rule.state = DRAFT
        rule.version += 1
        audit(rule, by=by, reason=reason)
        rule.save(update_fields=["state", "version"])


def _open_for_changes(rule):
    if rule.notice_starts is not None or rule.state == GRANTED:
        raise TransitionNotAllowed(_("The %(year)s contract subsidy is already in its public notice; nothing "
                                     "can change now.") % {"year": rule.year}, code="published")


# ---------------------------------------------------------------------------------------------
# Applications


def window_open(rule, today):
    return bool(rule.applications_open and rule.applications_close
                and rule.applications_open <= today <= rule.applications_close)


def _check_window(rule, today):
    if rule.applications_open is None or rule.applications_close is None:
        raise TransitionNotAllowed(_("The office has not yet set the application window of the %(year)s contract "
                                     "subsidy.") % {"year": rule.year}, code="no_window")
    if not window_open(rule, today):
        raise TransitionNotAllowed(
            _("Applications for the %(year)s contract subsidy are accepted from %(opens)s to %(closes)s; "
              "today (%(today)s) is outside that window.")
            % {"year": rule.year, "opens": _day(rule.applications_open), "closes": _day(rule.applications_close),
               "today": _day(today)}, code="window")


def eligible_contracts(rule, enterprise):
    """The enterprise's contracts it may claim for: it is the buyer and something was paid on them in the year."""
    start, end = datetime.date(rule.year, 1, 1), datetime.date(rule.year, 12, 31)
    paid = ContractPayment.objects.filter(paid_on__range=(start, end)).values("contract")
    return (TechContract.objects.in_force().filter(enterprise=enterprise, enterprise_role=TechContract.Role.BUYER, pk__in=paid)
            .select_related("institution").order_by("registration_number"))


def applicable_enterprises(rule, region):
    """Enterprises of the region with at least one contract they may claim for in the rule's year."""
    from enterprises.models import Enterprise

    start, end = datetime.date(rule.year, 1, 1), datetime.date(rule.year, 12, 31)
    contracts = TechContract.objects.in_force().filter(enterprise_role=TechContract.Role.BUYER,
                                                       payments__paid_on__range=(start, end))
    return Enterprise.objects.filter(region=region, pk__in=contracts.values("enterprise")).order_by("name")


@transaction.atomic
def apply(*, rule, enterprise, contract_ids, by, note="", today=None):
    """The bureau applies for its enterprise (or changes its application) inside the window."""
    _allowed(by, "techtransfer.apply_contract_subsidy", enterprise)
    today = today or timezone.localdate()
    rule = ContractSubsidyRule.objects.select_for_update().get(pk=rule.pk)
    _open_for_changes(rule)
    _check_window(rule, today)
    ids = {int(i) for i in contract_ids}
    eligible = {c.pk for c in eligible_contracts(rule, enterprise)}
    if not ids:
        raise ValidationError({"contracts": _("Choose at least one contract.")}, code="empty")
    if ids - eligible:
        raise ValidationError({"contracts": _("Only the enterprise's own contracts with payments in %(year)s can be "
                                              "claimed.") % {"year": rule.year}}, code="not_eligible")
    application = SubsidyApplication.objects.select_for_update().filter(rule=rule, enterprise=enterprise).first()
    if application is None:
        application = SubsidyApplication(rule=rule, enterprise=enterprise, region_id=enterprise.region_id)
        reason = "create"
    else:
        application.version += 1
        reason = "edit"
    application.state = SubsidyApplication.State.SUBMITTED
    application.note, application.submitted_by, application.submitted_at = (note or "").strip(), by, timezone.now()
    audit(application, by=by, reason=reason)
    application.save()
    application.contracts.set(ids)
    return application


@transaction.atomic
def withdraw(*, application, by, today=None):
    """The bureau withdraws its application, inside the window."""
    _allowed(by, "techtransfer.apply_contract_subsidy", application)
    today = today or timezone.localdate()
    rule = ContractSubsidyRule.objects.select_for_update().get(pk=application.rule_id)
    _open_for_changes(rule)
    _check_window(rule, today)
    current = SubsidyApplication.objects.select_for_update().get(pk=application.pk)
    current.state = SubsidyApplication.State.WITHDRAWN
    current.version += 1
    audit(current, by=by, reason="withdraw")
    current.save()
    return current


def submitted(rule):
    return (SubsidyApplication.objects.filter(rule=rule, state=SubsidyApplication.State.SUBMITTED)
            .select_related("enterprise", "region"))


def claimed_payments(application):
    """The payments of the year on the application's contracts, each with its check (or None)."""
    year = application.rule.year
    return (ContractPayment.objects.filter(contract__in=application.contracts.all(), paid_on__year=year)
            .select_related("contract", "receipt_check").order_by("contract__registration_number", "paid_on", "pk"))


def preview(application):
    """What will count: the computation on the contracts claimed, once with every payment (as if all
    receipts were accepted) and once with the payments checked so far. Nothing is saved."""
    ids = list(application.contracts.values_list("pk", flat=True))
    rule = application.rule
    every = [x for x in subsidy.compute(rule, contract_ids=ids) if x.enterprise_id == application.enterprise_id]
    checked = [x for x in subsidy.compute(rule, contract_ids=ids, checked_only=True)
               if x.enterprise_id == application.enterprise_id]
    return (every[0] if every else None), (checked[0] if checked else None)


# ---------------------------------------------------------------------------------------------
# Receipts


@transaction.atomic
def check_receipt(*, payment, accept, by, reason=""):
    """The office accepts a payment's receipt, or rejects it with a reason; only accepted payments count."""
    _allowed(by, MANAGE)
    payment = ContractPayment.objects.select_for_update().select_related("contract").get(pk=payment.pk)
    rule = ContractSubsidyRule.objects.select_for_update().filter(year=payment.paid_on.year).first()
    if rule is not None:
        _open_for_changes(rule)
    reason = (reason or "").strip()
    if accept and not payment.receipt:
        raise ValidationError(_("There is no receipt attached to this payment; it cannot be accepted."),
                              code="no_receipt")
    if not accept and not reason:
        raise ValidationError({"reason": _("Give the reason for rejecting the receipt.")}, code="reason")
    check = PaymentCheck.objects.filter(payment=payment).first() or PaymentCheck(payment=payment)
    check.state = PaymentCheck.State.ACCEPTED if accept else PaymentCheck.State.REJECTED
    check.reason, check.checked_by, check.checked_at = reason, by, timezone.now()
    audit(check, by=by, reason=f"{check.state}: {reason}" if reason else check.state)
    check.save()
    if rule is not None:
        _touch(rule, by=by, reason="receipt checked")
    return check


# ---------------------------------------------------------------------------------------------
# Computing, the 公示, grants


def check_computable(rule, today):
    """Refuse to compute during the window or once the 公示 is out (checked before a job is started, and in it)."""
    _open_for_changes(rule)
    if rule.applications_close is None or today <= rule.applications_close:
        raise TransitionNotAllowed(_("The amounts are computed once the application window has closed (%(closes)s).")
                                   % {"closes": _day(rule.applications_close)}, code="window")


FIELDS = ("base", "banded", "granted", "explanation", "version")


def _store(applications, *, by):
    """Write the computed fields: on PostgreSQL one UPDATE … FROM (VALUES …) per thousand rows (Django's
    bulk_update builds a CASE per row and field, seconds for a thousand); then one history entry each."""
    import json

    from django.db import connection

    if connection.vendor != "postgresql":
        SubsidyApplication.objects.bulk_update(applications, FIELDS, batch_size=500)
    else:
        table = SubsidyApplication._meta.db_table
        for start in range(0, len(applications), 1000):
            chunk = applications[start:start + 1000]
            rows = ", ".join(["(%s, %s::numeric, %s::numeric, %s::numeric, %s::jsonb, %s)"] * len(chunk))
            params = [v for a in chunk for v in (a.pk, a.base, a.banded, a.granted,
                                                 json.dumps(a.explanation, ensure_ascii=False), a.version)]
            with connection.cursor() as cursor:
                cursor.execute(f"UPDATE {table} AS a SET base = v.base, banded = v.banded, granted = v.granted, "
                               f"explanation = v.explanation, version = v.version FROM (VALUES {rows}) "
                               f"AS v(id, base, banded, granted, explanation, version) WHERE a.id = v.id", params)
    SubsidyApplication.history.bulk_history_create(applications, update=True, default_user=by,
                                                   default_change_reason="compute")


def compute_amounts(*, rule, by, today=None, progress=None):
    """After the window: each application's base, amount by the bands, capped and scaled, with its explanation.

    Only the contracts applied for and the payments whose receipt the office accepted count. The
    applications are written in bulk, each with its history entry.
    """
    _allowed(by, MANAGE)
    today = today or timezone.localdate()
    progress = progress or (lambda *a, **k: None)
    with transaction.atomic():
        rule = ContractSubsidyRule.objects.select_for_update().get(pk=rule.pk)
        check_computable(rule, today)
        progress(0, 3, _("Reading the applications and payments"), force=True)
        applications = list(submitted(rule).prefetch_related("contracts"))
        ids = {c.pk for a in applications for c in a.contracts.all()}
        lines, summary = subsidy.compute_with_summary(rule, contract_ids=ids, checked_only=True)
        progress(1, 3, _("Storing the amounts"), force=True)
        by_enterprise = {line.enterprise_id: line for line in lines}
        for a in applications:
            line = by_enterprise.get(a.enterprise_id)
            if line is None:
                a.base = a.banded = a.granted = Decimal("0")
                a.explanation = [_("None of the contracts claimed has a payment in %(year)s.") % {"year": rule.year}]
            else:
                a.base, a.banded, a.granted = line.base, line.computed, line.granted
                a.explanation = [str(step) for step in line.explanation]
                a.explanation.append(_("Subsidy: %(granted)s 元.") % {"granted": f"{line.granted:,.2f}"})
            a.version += 1
        _store(applications, by=by)
        rule.state, rule.computed_at, rule.scaled = COMPUTED, timezone.now(), summary["scaled"]
        rule.version += 1
        audit(rule, by=by, reason="compute")
        rule.save()
        progress(3, 3, force=True)
    return {**summary, "applications": len(applications)}


def compute_job(job, progress):
    """The Celery job: compute the amounts of the rule named in the job's parameters."""
    from pojian.domain.jobs import JobFailed

    rule = ContractSubsidyRule.objects.get(pk=job.params["rule_id"])
    try:
        summary = compute_amounts(rule=rule, by=job.created_by, progress=progress)
    except ValidationError as e:
        raise JobFailed(" ".join(e.messages)) from None
    return _("%(n)s applications, %(total)s yuan in all.") % {"n": summary["applications"],
                                                                "total": f"{summary['total']:,.2f}"}


def listed(rule):
    """The applications on the 公示: submitted, with an amount."""
    return submitted(rule).filter(granted__gt=0).order_by("region__sort_order", "enterprise__name", "pk")


@transaction.atomic
def publish_notice(*, rule, by, starts, today=None):
    """The 公示 of the computed list for the rule's working days from `starts` (holiday calendar required)."""
    from reviews.domain.notices import notice_period

    _allowed(by, MANAGE)
    today = today or timezone.localdate()
    current = ContractSubsidyRule.objects.select_for_update().get(pk=rule.pk)
    if current.state != COMPUTED:
        raise TransitionNotAllowed(_("Compute the amounts before the public notice."), code="state")
    if current.notice_starts is not None:
        raise TransitionNotAllowed(_("The public notice is already published."), code="published")
    if starts < today:
        raise ValidationError(_("The notice cannot start before the day it is published (%(today)s).")
                              % {"today": _day(today)}, code="backdated")
    if not listed(current).exists():
        raise ValidationError(_("No application has an amount; there is nothing to publish."), code="empty")
    current.notice_starts, current.notice_ends = notice_period(starts, current.notice_days)
    current.version += 1
    audit(current, by=by, reason="publish")
    current.save()
    return current


# ---------------------------------------------------------------------------------------------
# Objections (异议) during the 公示: those of every post-subsidy 公示 (reviews.domain.notices)


def notice_running(rule, today=None):
    today = today or timezone.localdate()
    return (rule.notice_starts is not None and rule.state == COMPUTED
            and rule.notice_starts <= today <= rule.notice_ends)


def submit_objection(*, rule, application, address, today=None, **contact):
    """Anyone objects to a name on the list during the 公示, with name, work unit, telephone and reason
    (`contact`: objector, unit, phone, content); only the office sees it."""
    from reviews.domain import notices

    today = today or timezone.localdate()
    return notices.take_online_objection(model=SubsidyObjection, rule=rule, listed=listed(rule),
                                         application=application, running=notice_running(rule, today),
                                         address=address, today=today, **contact)


@transaction.atomic
def decide_objection(*, objection, outcome, reason, by):
    """The office upholds or dismisses an objection, with a reason, before the grants are proposed. Upheld
    withholds the application: off the list, no grant. The bureau of the enterprise is told either way."""
    from pojian.domain.notifications import notify, region_bureau_users
    from reviews.domain import notices

    _allowed(by, MANAGE)

    def still_open(current):
        if ContractSubsidyRule.objects.select_for_update().get(pk=current.rule_id).state != COMPUTED:
            raise TransitionNotAllowed(_("Grants are already proposed for this list."), code="state")

    current = notices.decide_online_objection(objection=objection, outcome=outcome, reason=reason, by=by,
                                              still_open=still_open)
    application = SubsidyApplication.objects.select_for_update().select_related("enterprise").get(
        pk=current.application_id)
    upheld = outcome == SubsidyObjection.Outcome.UPHELD
    if upheld:
        application.state = SubsidyApplication.State.WITHHELD
        application.version += 1
        audit(application, by=by, reason=f"objection upheld: {current.outcome_reason}")
        application.save(update_fields=["state", "version"])
    subject = (_("%(year)s contract subsidy: the objection to %(enterprise)s is upheld; no grant") if upheld
               else _("%(year)s contract subsidy: the objection to %(enterprise)s is dismissed"))
    notify(region_bureau_users(application.region_id), by=by,
           subject=subject % {"year": application.rule.year, "enterprise": application.enterprise.name},
           body=_("Reason: %(reason)s") % {"reason": current.outcome_reason},
           url=reverse("techtransfer:subsidy_application", args=[application.pk]))
    return current


def propose_grants(*, rule, by, today=None):
    """After the 公示: one proposed grant per listed enterprise in the ledger's 技术合同补助 line."""
    from funding.domain.grants import propose_grant
    from funding.models import FundingLine
    from pojian.domain.notifications import notify, region_bureau_users
    from pojian.models import Cycle

    _allowed(by, MANAGE)
    today = today or timezone.localdate()
    with transaction.atomic():
        current = ContractSubsidyRule.objects.select_for_update().get(pk=rule.pk)
        if current.state != COMPUTED or current.notice_ends is None or today <= current.notice_ends:
            raise TransitionNotAllowed(_("Grants are proposed once the public notice has ended."), code="state")
        cycle = Cycle.objects.filter(year=current.year).first()
        if cycle is None:
            raise ValidationError(_("There is no programme year %(year)s to grant in.") % {"year": current.year},
                                  code="no_cycle")
        if current.objections.filter(outcome=SubsidyObjection.Outcome.PENDING).exists():
            raise TransitionNotAllowed(_("Decide every objection first."), code="objections")
        line = FundingLine.objects.get(code=FundingLine.TECH_CONTRACT)
        made, regions = 0, set()
        # Only names with no open or upheld objection go into the ledger (upheld ones are withheld already).
        grantable = listed(current).filter(grant__isnull=True).exclude(
            objections__outcome__in=[SubsidyObjection.Outcome.PENDING, SubsidyObjection.Outcome.UPHELD])
        for a in grantable.select_for_update(of=("self",)):
            a.grant = propose_grant(cycle=cycle, line=line, beneficiary=a.enterprise, amount=a.granted, by=by,
                                    region=a.region, source=a,
                                    source_label=_("Contract subsidy %(year)s") % {"year": current.year})
            audit(a, by=by, reason="grant proposed")
            a.save(update_fields=["grant"])
            made += 1
            regions.add(a.region_id)
        current.state = GRANTED
        current.version += 1
        audit(current, by=by, reason="grants proposed")
        current.save()
        for region_id in regions:
            notify(region_bureau_users(region_id), by=by,
                   subject=_("%(year)s contract subsidy: grants proposed for your enterprises") % {"year": current.year},
                   url=reverse("techtransfer:subsidy_applications") + f"?year={current.year}")
    return made


def region_filter(user):
    """The applications a user may list: all for the office and approvers, the region's for a bureau."""
    if user.has_perm(MANAGE) or user.has_perm("funding.view_ledger"):
        return Q()
    return Q(region_id=user.region_id)
