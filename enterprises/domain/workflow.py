"""Enterprise nominations through the shared life cycle (`pojian.domain.workflow`).

The states and who may act are the shared table's; these wrappers add what is particular to
enterprises: a nomination is submitted only with its stamped letter, a refusal for a closed
window names the window's dates, and every submission queues the 四科 check on commit.
"""

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from pojian.domain import workflow as shared
from pojian.domain.errors import ValidationError

available_actions = shared.available_actions


def queue_check(nomination_id, *, by):
    """Record the 四科 check of one nomination as a job in the caller's transaction; sent on commit.

    The job row commits with the change that needs it, so a check is never lost: should the broker
    be away, the job stays queued and the re-send beat task sends it later.
    """
    import uuid

    from enterprises.tasks import check_nomination_job
    from pojian.domain.jobs import start_job

    start_job(
        kind="enterprises.check_nomination", title=_("Eligibility (四科) check of nomination %(id)s") % {"id": nomination_id}, by=by,
        task=check_nomination_job, params={"nomination": nomination_id},
        dedupe_key=f"enterprises.check:{nomination_id}:{uuid.uuid4().hex[:12]}",  # each change checks afresh
    )


def window_text(cycle):
    return _("%(opens)s to %(closes)s") % {
        "opens": formats.date_format(timezone.localtime(cycle.nomination_opens), "DATE_FORMAT"),
        "closes": formats.date_format(timezone.localtime(cycle.nomination_closes), "DATE_FORMAT"),
    }


def transition(nomination, action, *, by, reason="", notify_users=True):
    """`pojian.domain.workflow.transition` for an enterprise nomination (same signature)."""
    if action == "submit" and by.has_perm("pojian.submit_nomination", nomination) and not nomination.letter:
        raise ValidationError(
            _("Upload the stamped recommendation letter (PDF) before submitting."), code="letter_required"
        )
    try:
        with transaction.atomic():
            result = shared.transition(nomination, action, by=by, reason=reason, notify_users=notify_users)
            if action == "submit":
                queue_check(result.pk, by=by)
    except ValidationError as e:
        if getattr(e, "code", None) == "window_closed":
            raise ValidationError(
                _("Nominations for %(year)s can be submitted only in the nomination window, %(window)s.")
                % {"year": nomination.cycle.year, "window": window_text(nomination.cycle)},
                code="window_closed",
            ) from e
        raise
    return result


def submit(nomination, *, by):
    return transition(nomination, "submit", by=by)


def withdraw(nomination, *, by, reason=""):
    return transition(nomination, "withdraw", by=by, reason=reason)


def return_for_changes(nomination, *, by, reason):
    return transition(nomination, "return", by=by, reason=reason)


def accept(nomination, *, by, override_reason=""):
    """Accept; a nomination whose 四科 verdict fails needs `override_reason` (enterprises.domain.gate)."""
    from .gate import accept as accept_through_gate

    return accept_through_gate(nomination, by=by, override_reason=override_reason)


def reject(nomination, *, by, reason):
    return transition(nomination, "reject", by=by, reason=reason)
