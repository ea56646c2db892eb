"""Scheduled annual reports with django-celery-beat.

A schedule is a `django_celery_beat.models.PeriodicTask` whose task is
"reports.scheduled_annual_report", with a crontab and kwargs {"year": "current" | "previous" |
YYYY, "region": "" (province) | "*" (province and every region) | a region code,
"requested_by": the office user's id}. Only periodic tasks of that task are listed or changed
here; other apps' schedules (the finance digest) are left alone. The office edits them on the
reports page (or in the admin under "Periodic tasks"). The reports page also shows the partner
digest's schedule (`digest_schedule`, read only) with a link to the finance page that sets it.

Optimistic locking: a schedule keeps no history, so the edit form carries `edit_token(task)`, the
settings it was based on; `save_schedule(..., based_on=token)` refuses a save when the schedule's
settings are no longer those, saying what changed and who saved last (the kwargs' requested_by).
"""

import json
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pojian.domain.errors import PermissionDenied, StaleEdit, ValidationError
from pojian.models import Cycle, Region, User

TASK = "reports.scheduled_annual_report"
ALL_REGIONS = "*"
FREQUENCIES = {
    "daily": gettext_lazy("Every day"),
    "weekly": gettext_lazy("Every week"),
    "monthly": gettext_lazy("Every month"),
    "yearly": gettext_lazy("Every year"),
}
WEEKDAYS = {
    1: gettext_lazy("Monday"), 2: gettext_lazy("Tuesday"), 3: gettext_lazy("Wednesday"), 4: gettext_lazy("Thursday"),
    5: gettext_lazy("Friday"), 6: gettext_lazy("Saturday"), 0: gettext_lazy("Sunday"),
}
YEAR_MODES = {
    "current": gettext_lazy("The current year"),
    "previous": gettext_lazy("The previous year"),
}
log = logging.getLogger(__name__)


def schedules():
    from django_celery_beat.models import PeriodicTask

    return PeriodicTask.objects.filter(task=TASK).select_related("crontab").order_by("name")


def get_schedule(pk):
    return schedules().get(pk=pk)


def options(task):
    """The schedule's settings as the form shows them."""
    kwargs = json.loads(task.kwargs or "{}")
    c = task.crontab
    if c is None:
        frequency = "daily"
    elif c.month_of_year != "*":
        frequency = "yearly"
    elif c.day_of_month != "*":
        frequency = "monthly"
    elif c.day_of_week != "*":
        frequency = "weekly"
    else:
        frequency = "daily"
    return {
        "name": task.name, "frequency": frequency,
        "hour": int(c.hour) if c and c.hour.isdigit() else 2,
        "weekday": int(c.day_of_week) if c and c.day_of_week.isdigit() else 1,
        "day_of_month": int(c.day_of_month) if c and c.day_of_month.isdigit() else 1,
        "month": int(c.month_of_year) if c and c.month_of_year.isdigit() else 1,
        "year": str(kwargs.get("year") or "current"), "region": kwargs.get("region") or "",
        "enabled": task.enabled, "requested_by": kwargs.get("requested_by"),
    }


# What the form edits, with its labels (the form's): the state an edit is based on.
EDITED = {
    "name": gettext_lazy("Schedule name"), "frequency": gettext_lazy("How often"),
    "hour": gettext_lazy("Time of day"), "weekday": gettext_lazy("Day of the week (weekly)"),
    "day_of_month": gettext_lazy("Day of the month (monthly, yearly)"), "month": gettext_lazy("Month (yearly)"),
    "year": gettext_lazy("Year of the report"), "region": gettext_lazy("Report for"),
    "enabled": gettext_lazy("Enabled"),
}


def edit_token(task) -> str:
    """The settings of `task` an edit form starts from, as a short text for a hidden field."""
    o = options(task)
    return json.dumps({key: o[key] for key in EDITED}, ensure_ascii=False, sort_keys=True)


def _shown(key, value):
    if key == "frequency":
        return FREQUENCIES.get(value, value)
    if key == "weekday":
        return WEEKDAYS.get(value, value)
    if key == "year":
        return YEAR_MODES.get(str(value), value)
    if key == "hour":
        return f"{value:02d}:00" if isinstance(value, int) else value
    if key == "enabled":
        return _("yes") if value else _("no")
    if key == "region":
        if value == ALL_REGIONS:
            return _("the province and every region")
        return Region.objects.filter(code=value).values_list("name", flat=True).first() or value or _("Jilin Province")
    return value


def check_not_stale(task, *, based_on):
    """Refuse an edit of `task` based on other settings than its current ones (call under the row lock)."""
    from django.utils import formats

    current = json.loads(edit_token(task))
    try:
        before = json.loads(based_on or "")
    except (TypeError, ValueError):
        before = None
    if isinstance(before, dict) and before == current:
        return
    before = before if isinstance(before, dict) else {}
    fields = [_("%(field)s: “%(old)s” → “%(new)s”") % {"field": label, "old": _shown(key, before.get(key, "")),
                                                         "new": _shown(key, current[key])}
              for key, label in EDITED.items() if key in before and before[key] != current[key]]
    user = User.objects.filter(pk=options(task).get("requested_by")).first()
    who = (user.full_name or user.get_username()) if user else _("someone")
    raise StaleEdit(
        [_("Someone else changed this record while you were editing it; nothing of yours was saved. "
           "Reload the page to see their changes and make yours again."),
         _("%(when)s, %(who)s changed %(what)s.") % {
             "when": formats.date_format(timezone.localtime(task.date_changed), "DATETIME_FORMAT"), "who": who,
             "what": "；".join(fields) if fields else _("this record")}],
        code="stale",
    )


def _when(o):
    return {
        "daily": _("every day at %(h)02d:00"),
        "weekly": _("every %(w)s at %(h)02d:00"),
        "monthly": _("every month on day %(d)s at %(h)02d:00"),
        "yearly": _("every year on %(m)s/%(d)s at %(h)02d:00"),
    }[o["frequency"]] % {"h": o["hour"], "w": WEEKDAYS.get(o["weekday"], o["weekday"]), "d": o["day_of_month"], "m": o["month"]}


def describe(task):
    o = options(task)
    when = _when(o)
    year = str(YEAR_MODES.get(o["year"], o["year"]))
    if o["region"] == ALL_REGIONS:
        scope = _("the province and every region")
    elif o["region"]:
        scope = Region.objects.filter(code=o["region"]).values_list("name", flat=True).first() or o["region"]
    else:
        scope = _("Jilin Province")
    return {**o, "when": when, "year": year, "scope": scope}


def digest_schedule():
    """The partner digest's schedule (信息联动), as the reports page shows it beside the report schedules.

    It is the finance app's periodic task (`finance.domain.digests.TASK_NAME`), set on the
    finance digest settings page; here it is only read. None when the finance app or its task
    is not there; {"task", "enabled", "when"} otherwise.
    """
    from django_celery_beat.models import PeriodicTask

    try:
        from finance.domain.digests import TASK_NAME
    except ImportError:
        return None
    task = PeriodicTask.objects.filter(name=TASK_NAME).select_related("crontab").first()
    if task is None:
        return None
    return {"task": task, "enabled": task.enabled and task.crontab_id is not None,
            "when": _when(options(task)) if task.crontab_id is not None else ""}


def _crontab(*, frequency, hour, weekday, day_of_month, month):
    from django_celery_beat.models import CrontabSchedule

    spec = {"minute": "0", "hour": str(hour), "day_of_week": "*", "day_of_month": "*", "month_of_year": "*"}
    if frequency == "weekly":
        spec["day_of_week"] = str(weekday)
    elif frequency == "monthly":
        spec["day_of_month"] = str(day_of_month)
    elif frequency == "yearly":
        spec["day_of_month"], spec["month_of_year"] = str(day_of_month), str(month)
    crontab = CrontabSchedule.objects.filter(timezone=settings.TIME_ZONE, **spec).first()
    return crontab or CrontabSchedule.objects.create(timezone=settings.TIME_ZONE, **spec)


def save_schedule(*, by, name, frequency, hour, weekday=1, day_of_month=1, month=1, year="current", region="",
                  enabled=True, task=None, based_on=None):
    """Create (task None) or change a report schedule. Returns the PeriodicTask.

    A change must name the settings it was `based_on` (`edit_token(task)` when the form was shown):
    if someone saved the schedule since, nothing is saved and StaleEdit says what they changed.
    """
    from django_celery_beat.models import PeriodicTask

    if not by.has_perm("reports.manage_schedules"):
        raise PermissionDenied(_("Only the provincial office may schedule reports."))
    if task is not None and task.task != TASK:
        raise PermissionDenied(_("This is not a report schedule."))
    if frequency not in FREQUENCIES:
        raise ValidationError(_("Choose how often."))
    if str(year) not in YEAR_MODES and not str(year).isdigit():
        raise ValidationError(_("Choose the year."))
    if region not in ("", ALL_REGIONS) and not Region.objects.filter(code=region).exists():
        raise ValidationError(_("There is no region with code %(code)s.") % {"code": region})
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Give the schedule a name."))
    kwargs = json.dumps({"year": year if not str(year).isdigit() else int(year), "region": region, "requested_by": by.pk})
    try:
        with transaction.atomic():
            if task is not None:
                task = PeriodicTask.objects.select_for_update(of=("self",)).select_related("crontab").get(pk=task.pk)
                check_not_stale(task, based_on=based_on)
            crontab = _crontab(frequency=frequency, hour=hour, weekday=weekday, day_of_month=day_of_month, month=month)
            if task is None:
                task = PeriodicTask(task=TASK)
            task.name, task.crontab, task.kwargs, task.enabled = name, crontab, kwargs, enabled
            task.interval = task.solar = task.clocked = None
            task.description = str(_("Annual report, scheduled by %(user)s") % {"user": by})
            task.save()
    except IntegrityError:
        raise ValidationError(_("A schedule with this name exists already.")) from None
    return task


def delete_schedule(task, *, by):
    if not by.has_perm("reports.manage_schedules"):
        raise PermissionDenied(_("Only the provincial office may schedule reports."))
    if task.task != TASK:
        raise PermissionDenied(_("This is not a report schedule."))
    task.delete()


def run_schedule(*, year="current", region="", requested_by=None):
    """What the scheduled task does: request the report(s). Returns the ids of the reports started or joined."""
    from .annual import request_report

    user = User.objects.filter(pk=requested_by, is_active=True).first() if requested_by else None
    if user is None or not user.has_perm("reports.request_report"):
        log.warning("report schedule skipped: user %s may not request reports", requested_by)
        return []
    current = Cycle.objects.current()
    if str(year).isdigit():
        wanted = int(year)
    elif current is None:
        log.warning("report schedule skipped: no current programme year")
        return []
    else:
        wanted = current.year - (1 if year == "previous" else 0)
    if region == ALL_REGIONS:
        scopes = [None, *Region.objects.nominating().filter(active=True)]
    else:
        scopes = [Region.objects.filter(code=region).first() if region else None]
    started = []
    for scope in scopes:
        try:
            report, _created = request_report(year=wanted, region=scope, by=user, scheduled=True)
        except (ValidationError, PermissionDenied) as e:
            log.warning("report schedule: %s", e)
            continue
        if report is not None:
            started.append(report.pk)
    return started
