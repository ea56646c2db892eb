"""The 四科 gate before acceptance (形式审查).

The policy selects only enterprises that reach the 四科 standard (达到"四科"标准). So the office
accepts an enterprise nomination only when its current verdict passes, or when it records an
override: who, when, why, and which criteria it overrode. The override is shown on the
nomination, as a badge in the lists, in the export, in the history and on the office's panel.

The gate is a guard on the shared workflow's "accept" and "select" transitions (registered by
the app's ready()), so every way in — the nomination page, the bulk list, the admin's actions,
the confirmation of a review round — meets it. Review rounds take only nominations that pass it
(`reviewable_q`), and the selection leaves out any that no longer do.
"""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from pojian.domain import workflow as shared
from pojian.domain.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from pojian.models import NominationState

from ..models import EnterpriseNomination, Verdict

PASS, OVERRIDE, FAIL, UNCHECKED = "pass", "override", "fail", "unchecked"
OVERRIDABLE_STATES = (NominationState.SUBMITTED, NominationState.ACCEPTED)


def reviewable_q(prefix=""):
    """Nominations that pass the gate: the verdict passes, or the office recorded an override."""
    return Q(**{f"{prefix}verdict__eligible": True}) | Q(**{f"{prefix}gate_override_at__isnull": False})


def _verdict(nomination):
    try:
        return nomination.verdict
    except Verdict.DoesNotExist:
        return None


def gate_state(nomination):
    """PASS, OVERRIDE, FAIL or UNCHECKED for one nomination (its stored verdict and override)."""
    if nomination.gate_override_at is not None:
        return OVERRIDE
    verdict = _verdict(nomination)
    if verdict is None:
        return UNCHECKED
    return PASS if verdict.eligible else FAIL


def _failed_text(codes):
    from .eligibility import label

    return "、".join(str(label(c)) for c in codes)


def refusal(nomination):
    """Why this nomination cannot pass the gate now (a sentence), or None when it can."""
    state = gate_state(nomination)
    if state == UNCHECKED:
        return _("%(name)s has not been through the 四科 check yet; run the check before accepting it.") % {
            "name": nomination.nominee_name}
    if state == FAIL:
        return _("%(name)s does not meet the 四科 standard (%(failed)s); it can be accepted only with an override "
                 "and its reason.") % {"name": nomination.nominee_name, "failed": _failed_text(nomination.verdict.failed)}
    return None


def check_gate(current, by):
    """The workflow guard: refuse acceptance (or selection) of a nomination that does not pass the gate."""
    verdict = Verdict.objects.filter(nomination_id=current.pk).only(
        "nomination_id", "eligible", *(f"fail_{c}" for c in Verdict.CRITERIA)).first()
    if verdict is not None:
        current.verdict = verdict
    message = refusal(current)
    if message:
        raise ValidationError(message, code="gate")


def register():
    for action in ("accept", "select"):
        shared.add_guard(EnterpriseNomination, action, check_gate)


def record_override(nomination, *, by, reason):
    """Record the office's override of a failing 四科 verdict (submitted or accepted nominations).

    Refused for anyone but the office, without a reason, for a nomination that passes (nothing to
    override) or has not been checked (check it first), or in another state. Writes the history.
    """
    reason = (reason or "").strip()
    with transaction.atomic():
        current = (EnterpriseNomination.objects.select_for_update(of=("self",))
                   .select_related("cycle", "enterprise").get(pk=nomination.pk))
        if by is None or not by.has_perm("enterprises.override_gate", current):
            raise PermissionDenied(_("Only the provincial office may record an override, while the year is open."))
        if current.state not in OVERRIDABLE_STATES:
            raise TransitionNotAllowed(
                _("An override can be recorded only for a submitted or accepted nomination."), code="state")
        if not reason:
            raise ValidationError(_("An override of the 四科 check needs a written reason."), code="reason_required")
        state = gate_state(current)
        if state == OVERRIDE:
            raise ValidationError(_("An override has already been recorded for this nomination."), code="duplicate")
        if state == UNCHECKED:
            raise ValidationError(refusal(current), code="gate_unchecked")
        if state == PASS:
            raise ValidationError(_("%(name)s meets the 四科 standard; no override is needed.") % {
                "name": current.nominee_name}, code="gate_pass")
        current.gate_override_reason = reason
        current.gate_override_by = by
        current.gate_override_at = timezone.now()
        current.gate_override_failed = list(current.verdict.failed)
        current.version += 1
        current._history_user = by
        current._change_reason = f"override 四科 ({', '.join(current.gate_override_failed)}): {reason}"[:100]
        current.save()
    for field in ("gate_override_reason", "gate_override_by", "gate_override_at", "gate_override_failed", "version"):
        setattr(nomination, field, getattr(current, field))
    return current


def accept(nomination, *, by, override_reason=""):
    """Accept one nomination; with `override_reason`, first record the override if its verdict fails.

    One transaction: either the override and the acceptance are both recorded, or neither.
    """
    from .workflow import transition

    override_reason = (override_reason or "").strip()
    with transaction.atomic():
        if override_reason and gate_state(EnterpriseNomination.objects.select_related("verdict").get(pk=nomination.pk)) == FAIL:
            record_override(nomination, by=by, reason=override_reason)
        return transition(nomination, "accept", by=by)


def bulk_decide(ids, *, action, by, reason=""):
    """Accept or return several nominations, one by one: (done, [(nomination, refusal message)]).

    Each is its own transaction: one refused row leaves the others decided. An acceptance of a
    nomination that fails the gate is refused with the reason (no override is recorded in bulk).
    """
    from pojian.mixins import message_for

    from .workflow import transition

    done, refused = [], []
    nominations = EnterpriseNomination.objects.filter(pk__in=ids).select_related("enterprise", "cycle").order_by("pk")
    for nomination in nominations:
        try:
            done.append(transition(nomination, action, by=by, reason=reason))
        except (ValidationError, PermissionDenied) as e:
            refused.append((nomination, message_for(e)))
    return done, refused


def override_count(cycle):
    """How many of the year's live nominations carry a 四科 override (the office's panel)."""
    return EnterpriseNomination.objects.filter(cycle=cycle, gate_override_at__isnull=False).count()
