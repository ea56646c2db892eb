"""Accounts of the 双千 side: anyone may ask for a results manager's account (成果管理员) on the public
form; the office approves (the account is made, tied to its institution, and told how to set a
password) or refuses with a reason (e-mailed to the address given). A few requests a day per address."""

import zlib

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pojian.domain.errors import PermissionDenied, ValidationError
from pojian.domain.jobs import send_on_commit
from pojian.domain.notifications import notify, office_users
from pojian.models import User
from pojian.validators import validate_uscc

from ..models import AccountRequest, Institution, ResultsManager

REQUESTS_PER_ADDRESS_PER_DAY = 3
K, S = AccountRequest.Kind, AccountRequest.State


def _clean_phone(phone):
    return bool(phone) and all(c.isdigit() or c in "-+ ()" for c in phone) and sum(c.isdigit() for c in phone) >= 7


def _lock_address(address):
    """One request per address at a time, so the count and the insert cannot interleave (PostgreSQL)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [1616, zlib.crc32(address.encode()) & 0x7FFFFFFF])


def request_account(*, kind, full_name, email, phone, position, institution=None, institution_name="",
                    institution_uscc="", institution_kind="", institution_region=None, message="", address=None,
                    today=None):
    """The public form: checks everything, then records the request and tells the office."""
    today = today or timezone.localdate()
    full_name, email, phone, position = ((v or "").strip() for v in (full_name, email, phone, position))
    institution_name, institution_uscc = (institution_name or "").strip(), (institution_uscc or "").strip().upper()
    errors = []
    if not full_name:
        errors.append(_("Give your name."))
    if not email or "@" not in email:
        errors.append(_("Give an e-mail address: the answer is sent there."))
    if not _clean_phone(phone):
        errors.append(_("Give a telephone number where the office can reach you."))
    if not position:
        errors.append(_("Give your department and position."))
    if kind == K.RESULTS_MANAGER:
        if institution is None:
            errors.append(_("Choose your institution."))
        institution_name = institution_uscc = institution_kind = ""
        institution_region = None
    elif kind == K.NEW_INSTITUTION:
        institution = None
        if not institution_name or institution_kind not in ("university", "institute") or institution_region is None:
            errors.append(_("Give the institution's name, kind and region."))
        try:
            validate_uscc(institution_uscc)
        except ValidationError:
            errors.append(_("The institution's unified social credit code is not valid."))
        if Institution.objects.filter(uscc=institution_uscc).exists():
            errors.append(_("This institution is listed already: choose it in the list."))
    else:
        errors.append(_("Choose the account you ask for."))
    if errors:
        raise ValidationError(errors, code="invalid")
    with transaction.atomic():
        if address:
            _lock_address(address)
            if AccountRequest.objects.filter(submitted_from=address, submitted_on=today).count() \
                    >= REQUESTS_PER_ADDRESS_PER_DAY:
                raise ValidationError(_("Too many account requests from your address today; please try again "
                                        "tomorrow or write to the office."), code="rate_limited")
        req = AccountRequest.objects.create(
            kind=kind, full_name=full_name[:50], email=email[:150].lower(), phone=phone[:30], position=position[:100],
            institution=institution, institution_name=institution_name[:200], institution_uscc=institution_uscc,
            institution_kind=institution_kind, institution_region=institution_region, message=(message or "")[:1000],
            submitted_from=address or None, submitted_on=today)
        notify(office_users(), subject=_("Account request: %(name)s (%(unit)s)") % {
            "name": req.full_name, "unit": institution or institution_name},
            url=reverse("techtransfer:account_requests"), next_step=_("Approve or refuse it."))
    return req


def _decide(req, *, by):
    if not by.has_perm("techtransfer.decide_account_requests"):
        raise PermissionDenied(_("Only the provincial office decides account requests."))
    req = AccountRequest.objects.select_for_update().get(pk=req.pk)
    if req.state != S.PENDING:
        raise ValidationError(_("This request was decided already (%(state)s).") % {"state": req.get_state_display()})
    return req


def approve_request(req, *, by, reason=""):
    """Make the account (or use the existing one of that e-mail, if it has no role), tie it to the institution."""
    with transaction.atomic():
        req = _decide(req, by=by)
        user = User.objects.filter(email__iexact=req.email).order_by("pk").first() \
            or User.objects.filter(username__iexact=req.email).first()
        if user is not None and (user.role or user.is_superuser):
            raise ValidationError(_("An account with this e-mail already exists for another role; "
                                    "refuse the request or give another e-mail."))
        institution = req.institution
        if institution is None:
            institution, created = Institution.objects.get_or_create(uscc=req.institution_uscc, defaults={
                "name": req.institution_name, "kind": req.institution_kind, "region": req.institution_region})
        if user is None:
            user = User(username=req.email, email=req.email, full_name=req.full_name, phone=req.phone)
            user.set_unusable_password()
            user._history_user = by
            user.save()
        manager, _created = ResultsManager.objects.get_or_create(institution=institution, user=user)
        if manager.approved_at is None:
            manager.approved_at, manager.approved_by = timezone.now(), by
            manager.save(update_fields=["approved_at", "approved_by"])
        req.state, req.decided_by, req.decided_at = S.APPROVED, by, timezone.now()
        req.decision_reason, req.user, req.institution = (reason or "").strip()[:1000], user, institution
        req._history_user, req._change_reason = by, "approved"
        req.save()
        notify([user], subject=_("Your 双千 account is approved: results manager of %(inst)s") % {"inst": institution},
               body=req.decision_reason, by=by, url=reverse("password_reset"),
               next_step=_("Set your password with “forgot password”, using the e-mail address %(email)s.")
               % {"email": req.email})
    return req


def refuse_request(req, *, by, reason):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the request is refused: the requester is told."))
    with transaction.atomic():
        req = _decide(req, by=by)
        req.state, req.decided_by, req.decided_at, req.decision_reason = S.REFUSED, by, timezone.now(), reason[:1000]
        req._history_user, req._change_reason = by, "refused"
        req.save()
        from ..tasks import email_account_decision

        send_on_commit(email_account_decision, req.pk)
    return req


def decision_email(req):
    """(subject, text) of the e-mail to someone whose request was refused (they have no account to be notified in)."""
    subject = _("%(portal)s: your account request") % {"portal": settings.PORTAL_NAME}
    text = "\n".join([
        _("Dear %(name)s,") % {"name": req.full_name}, "",
        _("The provincial office could not approve your request for a 双千 account (%(unit)s).")
        % {"unit": req.institution or req.institution_name},
        _("Reason: %(reason)s") % {"reason": req.decision_reason}, "",
        _("You may send a new request once this is put right."), "", "-- ", str(settings.PORTAL_NAME)])
    return subject, text
