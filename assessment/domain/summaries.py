"""The bureau's yearly summary (部门自荐 / 总结报告): start, edit, submit, return, resubmit, accept.

The states are the shared nomination life cycle (`pojian.domain.workflow`): a submission from
"returned" is a resubmission — the same transition, shown as "resubmitted" in the history and
the lists rather than a state of its own, so the shared table stays the one truth.
"""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from pojian.domain import workflow
from pojian.domain.concurrency import check_deferred_constraints, save_versioned
from pojian.domain.errors import PermissionDenied, ValidationError
from pojian.domain.notifications import notify, office_users
from pojian.models import NominationState as S

from ..models import BureauSummary

EDITABLE_FIELDS = ("work_done", "experience", "problems", "report")

EVENT_LABELS = {
    "created": pgettext_lazy("summary event", "Started"),
    "submitted": pgettext_lazy("summary event", "Submitted"),
    "resubmitted": pgettext_lazy("summary event", "Resubmitted"),
    "returned": pgettext_lazy("summary event", "Returned for changes"),
    "accepted": pgettext_lazy("summary event", "Accepted"),
    "rejected": pgettext_lazy("summary event", "Rejected"),
    "withdrawn": pgettext_lazy("summary event", "Withdrawn"),
    "selected": pgettext_lazy("summary event", "Selected"),
    "not_selected": pgettext_lazy("summary event", "Not selected"),
    "draft": pgettext_lazy("summary event", "Back to draft"),
}


def start_summary(*, cycle, region, by):
    """The region's draft summary for the year (one per region and year)."""
    if not by.has_perm("assessment.add_summary", region) or cycle.is_closed:
        raise PermissionDenied(_("You may not start a summary for this region and year."))
    try:
        with transaction.atomic():
            summary = BureauSummary(cycle=cycle, region=region, created_by=by)
            summary._history_user = by
            summary._change_reason = "create"
            summary.save()
    except IntegrityError:
        raise ValidationError(
            _("%(region)s already has a summary for %(year)s.") % {"region": region.name, "year": cycle.year},
            code="exists",
        ) from None
    return summary


def save_summary(summary, *, by, expected_version, policies=None):
    """Save the bureau's edits (already applied to `summary` by its form) and the policy rows.

    Refused when someone saved the summary since `expected_version` (nothing is overwritten),
    and when the summary is no longer editable (submitted, accepted, closed year).
    """
    current = BureauSummary.objects.select_related("cycle").get(pk=summary.pk)
    if not by.has_perm("assessment.change_summary", current):
        raise PermissionDenied(_("This summary cannot be changed now."))
    with transaction.atomic():
        summary._history_user = by
        summary._change_reason = "edit"
        save_versioned(summary, expected_version=int(expected_version))
        if policies is not None:
            policies.instance = summary
            try:
                with transaction.atomic():
                    policies.save()
                    check_deferred_constraints("one_policy_per_number_per_summary")
            except IntegrityError:
                raise ValidationError(
                    _("Two policies of one summary cannot have the same document number."), code="duplicate_number"
                ) from None
    return summary


def missing_for_submission(summary):
    """What the summary still lacks before it can be submitted (messages)."""
    missing = []
    if not (summary.work_done or "").strip():
        missing.append(_("Describe the work done for the programme."))
    if not summary.report:
        missing.append(_("Upload the summary report (PDF or Word)."))
    return missing


def take_action(summary, action, *, by, reason=""):
    """One transition of the shared life cycle, with the summary's own checks and notices."""
    was_returned = summary.state == S.RETURNED
    if action == "submit":
        missing = missing_for_submission(summary)
        if missing:
            raise ValidationError(" ".join(missing), code="incomplete")
    summary = workflow.transition(summary, action, by=by, reason=reason)
    if action == "submit":
        subject = (
            _("%(bureau)s resubmitted its %(year)s summary") if was_returned
            else _("%(bureau)s submitted its %(year)s summary")
        ) % {"bureau": summary.region.bureau_name, "year": summary.cycle.year}
        notify(office_users(), subject=subject, url=summary.get_absolute_url(), by=by,
               body=_("The summary with its report is ready for the office's check."),
               next_step=_("Check the summary, then accept it or return it with reasons."))
    return summary


def timeline(summary):
    """[{when, who, event, label, reason}] of the summary's state changes, oldest first.

    A submission after a return is the event "resubmitted".
    """
    events = []
    previous = None
    returned_before = False
    for record in summary.history.order_by("history_date", "history_id").select_related("history_user"):
        if previous is None:
            event = "created" if record.state == S.DRAFT else record.state
        elif record.state != previous:
            event = record.state
            if record.state == S.SUBMITTED and returned_before:
                event = "resubmitted"
        else:
            continue
        if record.state == S.RETURNED:
            returned_before = True
        events.append({
            "when": record.history_date, "who": record.history_user, "event": event,
            "label": EVENT_LABELS.get(event, event),
            "reason": record.state_reason if record.state in (S.RETURNED, S.REJECTED) else "",
        })
        previous = record.state
    return events
