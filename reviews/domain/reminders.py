"""Reminders before the scoring deadline: three working days and one working day before it (Celery beat
runs `reviews.tasks.send_deadline_reminders` every morning; the working days are the portal calendar's)."""

from collections import Counter

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pojian.domain.calendar import CalendarMissing, working_days_before
from pojian.domain.notifications import notify

from ..models import Assignment, Round

REMINDER_DAYS = (3, 1)


def due_reminders(round_, today):
    """The reminders (working days before the deadline) due today and not yet sent, e.g. [1] or [3, 1]."""
    if round_.scoring_closes is None or round_.phase != Round.Phase.SCORING:
        return []
    deadline = timezone.localdate(round_.scoring_closes)
    if today > deadline:
        return []
    sent = set(filter(None, round_.reminders_sent.split(",")))
    return [n for n in REMINDER_DAYS if str(n) not in sent and working_days_before(deadline, n) <= today]


def send_deadline_reminders(*, today=None):
    """Tell each expert with open reviews in a scoring round that the deadline is near; each reminder
    goes once. A round whose deadline falls in a year without a calendar is skipped (reported)."""
    today = today or timezone.localdate()
    result = {"rounds": 0, "experts": 0, "skipped": []}
    for round_ in Round.objects.filter(phase=Round.Phase.SCORING, scoring_closes__isnull=False):
        try:
            due = due_reminders(round_, today)
        except CalendarMissing as e:
            result["skipped"].append((round_.pk, e.year))
            continue
        if not due:
            continue
        with transaction.atomic():
            current = Round.objects.select_for_update(of=("self",)).get(pk=round_.pk)
            if due_reminders(current, today) != due:
                continue
            open_ = Counter(
                Assignment.objects.filter(item__round=current, state=Assignment.State.CONFIRMED)
                .exclude(progress=Assignment.Progress.SUBMITTED).values_list("expert__user", flat=True)
            )
            deadline = date_format(timezone.localtime(current.scoring_closes), "DATETIME_FORMAT")
            from pojian.models import User

            users = {u.pk: u for u in User.objects.filter(pk__in=[k for k in open_ if k])}
            for user_id, count in open_.items():
                if user_id in users:
                    notify(
                        [users[user_id]],
                        subject=_("Scoring deadline %(deadline)s: %(round)s") % {"deadline": deadline, "round": current},
                        body=ngettext(
                            "%(count)s review is still open; please submit it before the deadline.",
                            "%(count)s reviews are still open; please submit them before the deadline.",
                            count,
                        ) % {"count": count},
                    )
                    result["experts"] += 1
            sent = set(filter(None, current.reminders_sent.split(","))) | {str(n) for n in due}
            current.reminders_sent = ",".join(sorted(sent))
            current._change_reason = "deadline reminder"
            current.save(update_fields=["reminders_sent"])
            result["rounds"] += 1
    return result
