"""Labels of third-party apps shown in the Chinese admin, translated in our catalogue.

django-axes ships no Chinese catalogue, and django-celery-beat leaves a few labels untranslated
(fuzzy) or not marked for translation at all. Their msgids are listed here so `makemessages`
keeps them in locale/zh_Hans; the unmarked ones are given lazy labels when the apps are ready.
"""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

# django-axes (models and admin), and celery-beat's fuzzy entries: the same msgids as theirs.
THIRD_PARTY_MSGIDS = [
    gettext_noop("access attempt"), gettext_noop("access attempts"),
    gettext_noop("access failure"), gettext_noop("access failures"),
    gettext_noop("access log"), gettext_noop("access logs"),
    gettext_noop("access attempt expiration"), gettext_noop("access attempt expirations"),
    gettext_noop("Access Attempt"), gettext_noop("Access lock out"), gettext_noop("Attempt Remaining"),
    gettext_noop("Attempt Time"), gettext_noop("Expires At"), gettext_noop("Failed Logins"),
    gettext_noop("Form Data"), gettext_noop("GET Data"), gettext_noop("HTTP Accept"), gettext_noop("IP Address"),
    gettext_noop("Locked Out"), gettext_noop("Logout Time"), gettext_noop("Meta Data"), gettext_noop("Not set"),
    gettext_noop("POST Data"), gettext_noop("Path"), gettext_noop("Session key hash (sha256)"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("User Agent"), gettext_noop("Username"),
    gettext_noop("Schedule"), gettext_noop("Arguments"), gettext_noop("Execution Options"),
]


def translate_unmarked_labels():
    """Give lazy, translated labels to third-party fields whose labels are plain English strings."""
    from django.apps import apps
    from django_celery_beat.models import PeriodicTask

    apps.get_app_config("axes").verbose_name = _("Sign-in protection")

    PeriodicTask._meta.get_field("task").verbose_name = _("Task name")
    PeriodicTask.scheduler.fget.short_description = _("Schedule")
    # Everywhere a periodic task is named (admin lists, titles, history): by its label, then its schedule.
    PeriodicTask.__str__ = _periodic_task_str


def _periodic_task_str(task):
    schedule = task.interval or task.crontab or task.solar or task.clocked
    return f"{periodic_task_label(task)}：{schedule}" if schedule else str(periodic_task_label(task))


# What each periodic task does, in words (django-celery-beat shows the Celery task's code name).
# Keyed by the Celery task's registered name (PeriodicTask.task); every task the portal schedules
# (migrations, CELERY_BEAT_SCHEDULE, report schedules) has one: tests/pojian/test_periodic_task_labels.py.
PERIODIC_TASK_LABELS = {
    "pojian.tasks.send_daily_digests": _("Daily digest of notifications"),
    "pojian.tasks.resend_queued_jobs": _("Re-send background jobs that never started"),
    "assessment.tasks.recompute_changed_assessments": _("Recompute the changed city assessments"),
    "funding.tasks.send_due_reminders": _("Reminders of project reports and acceptances due"),
    "reviews.tasks.send_deadline_reminders": _("Reminders of the scoring deadline"),
    "finance.tasks.prepare_digests": _("Prepare the partners' digest of quality enterprises"),
    "reports.scheduled_annual_report": _("Scheduled annual report"),
    "enterprises.tasks.tidy_after_import": _("Tidy up after a tax data import"),
    "celery.backend_cleanup": _("Remove expired task results"),
    "reports.send_return_reminders": _("Statistics returns: reminders before and after the deadline"),
}

# Tasks the office names itself (one periodic task per schedule): the label is followed by that name.
NAMED_BY_USER = {"reports.scheduled_annual_report"}


def periodic_task_label(task):
    """The label of a periodic task (a PeriodicTask, or a Celery task name) in the user's language.

    A task the portal does not know keeps its code name, so nothing is hidden.
    """
    code = getattr(task, "task", task) or ""
    label = PERIODIC_TASK_LABELS.get(code)
    if label is None:
        return getattr(task, "name", None) or code
    name = getattr(task, "name", "")
    if code in NAMED_BY_USER and name:
        return format_lazy("{}：{}", label, name)
    return label
