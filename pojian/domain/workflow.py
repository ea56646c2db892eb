"""The nomination life cycle every kind of nomination shares (推荐 → 形式审查 → 评审结果).

    draft ──submit──▶ submitted ──accept──▶ accepted ──select──▶ selected
      ▲                 │  │                   └──not_select──▶ not_selected
      └──(edit)── returned ◀─return─┘  └─reject──▶ rejected
    draft / submitted / returned ──withdraw──▶ withdrawn

One explicit table rather than a state-machine library: the table is the whole truth, it is
tested row by row, and the incubator and finance nominations reuse it as it is.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import NominationState as S
from .errors import PermissionDenied, TransitionNotAllowed, ValidationError
from .notifications import notify, region_bureau_users


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset
    target: str
    permission: str  # a django-rules permission checked against the nomination
    label: object
    reason_required: bool = False
    notify_bureau: bool = True


TRANSITIONS = {
    t.action: t
    for t in [
        Transition("submit", frozenset({S.DRAFT, S.RETURNED}), S.SUBMITTED, "pojian.submit_nomination",
                   gettext_lazy("Submit"), notify_bureau=False),
        Transition("withdraw", frozenset({S.DRAFT, S.SUBMITTED, S.RETURNED}), S.WITHDRAWN,
                   "pojian.withdraw_nomination", gettext_lazy("Withdraw"), notify_bureau=False),
        Transition("return", frozenset({S.SUBMITTED}), S.RETURNED, "pojian.decide_nomination",
                   gettext_lazy("Return for changes"), reason_required=True),
        Transition("accept", frozenset({S.SUBMITTED}), S.ACCEPTED, "pojian.decide_nomination",
                   gettext_lazy("Accept")),
        Transition("reject", frozenset({S.SUBMITTED}), S.REJECTED, "pojian.decide_nomination",
                   gettext_lazy("Reject"), reason_required=True),
        Transition("select", frozenset({S.ACCEPTED}), S.SELECTED, "pojian.decide_nomination",
                   gettext_lazy("Select")),
        Transition("not_select", frozenset({S.ACCEPTED}), S.NOT_SELECTED, "pojian.decide_nomination",
                   gettext_lazy("Not selected")),
    ]
}


# Extra conditions a kind of nomination puts on a transition: (model, action) -> [guard(current, by)].
# A guard raises ValidationError to refuse; it runs inside the transition's lock, before any change,
# so every way into the transition (pages, bulk pages, the admin's actions) meets it.
GUARDS = {}


def add_guard(model, action, guard):
    """Register `guard(current, by)` for `action` on nominations of `model` (once per guard)."""
    guards = GUARDS.setdefault((model._meta.label_lower, action), [])
    if guard not in guards:
        guards.append(guard)


def available_actions(nomination, user):
    """The transitions this user may take on this nomination now (for buttons)."""
    return [
        t for t in TRANSITIONS.values()
        if nomination.state in t.sources and user.has_perm(t.permission, nomination)
        and (t.action != "submit" or nomination.cycle.nomination_window_open())
    ]


def transition(nomination, action: str, *, by, reason: str = "", notify_users=True):
    """Move one nomination through one transition: check, save, audit, notify on commit.

    Raises PermissionDenied when `by` may not do it, TransitionNotAllowed when the state
    does not allow it, ValidationError when a reason is missing or the window has closed.
    """
    t = TRANSITIONS.get(action)
    if t is None:
        raise TransitionNotAllowed(_("Unknown action."), code="unknown")
    reason = (reason or "").strip()
    model = type(nomination)
    with transaction.atomic():
        # Lock the row: two office staff deciding at once must not both succeed.
        current = model._default_manager.select_for_update().select_related("cycle").get(pk=nomination.pk)
        if not by.has_perm(t.permission, current):
            raise PermissionDenied(_("You may not do this to this nomination."))
        if current.state not in t.sources:
            raise TransitionNotAllowed(
                _("A nomination that is “%(state)s” cannot be changed by “%(action)s”.")
                % {"state": current.get_state_display(), "action": t.label},
                code="state",
            )
        if t.reason_required and not reason:
            raise ValidationError(_("Please give a reason."), code="reason_required")
        if action == "submit" and not current.cycle.nomination_window_open():
            raise ValidationError(
                _("The nomination window for %(year)s is closed; nominations can no longer be submitted.")
                % {"year": current.cycle.year},
                code="window_closed",
            )
        for guard in GUARDS.get((model._meta.label_lower, action), ()):
            guard(current, by)
        now = timezone.now()
        current.state = t.target
        current.state_reason = reason if (reason or t.reason_required) else current.state_reason
        if action == "submit":
            current.submitted_at = now
            current.state_reason = ""
        elif action in ("accept", "reject", "return", "select", "not_select"):
            current.decided_at = now
        current.version += 1
        # simple-history keeps who, when and why for every transition.
        current._history_user = by
        current._change_reason = f"{action}: {reason}" if reason else action
        current.save()
        if notify_users and t.notify_bureau:
            notify(region_bureau_users(current.region_id), **decision_notice(current, action, reason, by))
    for field in ("state", "state_reason", "submitted_at", "decided_at", "version"):
        setattr(nomination, field, getattr(current, field))
    return current


# What the bureau is told after each decision: what happened, to which nomination, what to do next.
NEXT_STEPS = {
    "return": gettext_lazy("Correct the nomination as asked and submit it again while the nomination window is open."),
    "accept": gettext_lazy("Nothing to do now: the nomination goes on to expert review."),
    "reject": gettext_lazy("If you disagree, contact the provincial office."),
    "select": gettext_lazy("Watch for the public notice (公示) of the selected list."),
    "not_select": gettext_lazy("If you have questions, contact the provincial office."),
}
OUTCOMES = {
    "submit": gettext_lazy("submitted to the provincial office"),
    "withdraw": gettext_lazy("withdrawn"),
    "return": gettext_lazy("returned for changes"),
    "accept": gettext_lazy("accepted"),
    "reject": gettext_lazy("rejected"),
    "select": gettext_lazy("selected"),
    "not_select": gettext_lazy("not selected"),
}


def decision_notice(nomination, action, reason, by):
    """notify()'s arguments for a decision on a nomination."""
    values = {"kind": nomination._meta.verbose_name, "nominee": nomination.nominee_name,
              "year": nomination.cycle.year, "outcome": OUTCOMES.get(action, TRANSITIONS[action].label)}
    body = _("The %(year)s nomination of “%(nominee)s” (%(kind)s) was %(outcome)s.") % values
    if reason:
        body += "\n" + _("Reason: %(reason)s") % {"reason": reason}
    url = nomination.get_absolute_url() if hasattr(nomination, "get_absolute_url") else ""
    return {
        "subject": _("%(kind)s “%(nominee)s”: %(outcome)s") % values,
        "body": body, "url": url, "by": by, "next_step": NEXT_STEPS.get(action, ""),
    }
