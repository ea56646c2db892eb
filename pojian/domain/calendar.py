"""The working-day calendar (工作日 / 调休): the one place the portal counts working days.

A day is a working day when it is a weekday that is not a holiday off, or a weekend day marked as a
make-up working day (调休). Holidays and make-up days come from `pojian.models.CalendarDay`; a year
is only counted when its schedule is loaded (`CalendarYear`): otherwise `CalendarMissing` is raised,
never a guess. The office adds next year's schedule when the State Council publishes it.

    is_working_day(day) -> bool
    notice_end(start, working_days) -> date      last day of a period of that many working days
    working_days_before(day, n) -> date          the n-th working day before `day` (reminders)
"""

from datetime import date, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from .errors import ValidationError

# Long enough for any notice or reminder the programme uses (the longest holiday is 8 days).
_HORIZON_DAYS = 400


class CalendarMissing(ValidationError):
    """No holiday schedule is loaded for `year`: the portal refuses to count working days in it."""

    def __init__(self, year):
        self.year = year
        super().__init__(
            _(
                "The holiday schedule for %(year)s is not loaded, so working days cannot be counted. "
                "The office adds it under Working-day calendar (the days off and make-up working days "
                "from the State Council's notice), then tries again."
            )
            % {"year": year},
            code="calendar_missing",
        )


def loaded_years():
    from pojian.models import CalendarYear

    return set(CalendarYear.objects.values_list("year", flat=True))


class _Calendar:
    """The special days of the loaded years, read once per call of a public function."""

    def __init__(self):
        from pojian.models import CalendarDay

        self._days = {}
        self._years = {}
        self._model = CalendarDay

    def _load(self, year):
        if year not in self._years:
            from pojian.models import CalendarYear

            loaded = CalendarYear.objects.filter(year=year).exists()
            self._years[year] = loaded
            if loaded:
                self._days.update(self._model.objects.filter(day__year=year).values_list("day", "kind"))
        if not self._years[year]:
            raise CalendarMissing(year)

    def is_working_day(self, day):
        self._load(day.year)
        kind = self._days.get(day)
        if kind == self._model.Kind.OFF:
            return False
        if kind == self._model.Kind.WORKING:
            return True
        return day.weekday() < 5


def _as_date(day):
    if hasattr(day, "date") and callable(day.date):  # a datetime
        day = day.date()
    if not isinstance(day, date):
        raise TypeError("a date is required")
    return day


def is_working_day(day) -> bool:
    """Whether `day` is a working day; raises CalendarMissing when its year's schedule is not loaded."""
    return _Calendar().is_working_day(_as_date(day))


def notice_end(start, working_days) -> date:
    """The last day of a period of `working_days` working days that begins on `start`.

    When `start` is not a working day the period begins on the next working day. Raises
    CalendarMissing as soon as the period reaches a year whose schedule is not loaded.
    """
    start = _as_date(start)
    if int(working_days) < 1:
        raise ValidationError(_("A period lasts at least one working day."), code="working_days")
    cal = _Calendar()
    day, counted = start, 0
    for _step in range(_HORIZON_DAYS):
        if cal.is_working_day(day):
            counted += 1
            if counted == working_days:
                return day
        day += timedelta(days=1)
    raise ValidationError(_("The period is too long."), code="working_days")


def working_days_before(day, n) -> date:
    """The n-th working day before `day` (n ≥ 1); CalendarMissing for a year not loaded."""
    day = _as_date(day)
    cal = _Calendar()
    counted = 0
    for _step in range(_HORIZON_DAYS):
        day -= timedelta(days=1)
        if cal.is_working_day(day):
            counted += 1
            if counted == n:
                return day
    raise ValidationError(_("The period is too long."), code="working_days")


def _check_day(year, day, kind, name):
    from pojian.models import CalendarDay

    errors = []
    if day.year != year:
        errors.append(_("%(day)s is not in %(year)s.") % {"day": day, "year": year})
    if not (name or "").strip():
        errors.append(_("Give the holiday's name."))
    if kind not in CalendarDay.Kind.values:
        errors.append(_("Choose day off or make-up working day."))
    elif kind == CalendarDay.Kind.WORKING and day.weekday() < 5:
        errors.append(_("%(day)s is a weekday: a make-up working day is a Saturday or Sunday.") % {"day": day})
    return errors


def add_year(*, year, days, by, source=""):
    """Load one year's schedule: `days` is a list of (date, kind, name); all or nothing.

    Every bad row is reported. The year becomes countable once this succeeds.
    """
    from pojian.models import CalendarDay, CalendarYear

    if not (by and by.has_perm("pojian.edit_calendar")):
        raise ValidationError(_("Only the provincial office may do this."), code="permission")
    errors = []
    if CalendarYear.objects.filter(year=year).exists():
        errors.append(_("The schedule for %(year)s is already loaded; edit its days instead.") % {"year": year})
    seen = set()
    for i, (day, kind, name) in enumerate(days, start=1):
        for message in _check_day(year, day, kind, name):
            errors.append(_("Row %(row)s: %(message)s") % {"row": i, "message": message})
        if day in seen:
            errors.append(_("Row %(row)s: %(day)s appears twice.") % {"row": i, "day": day})
        seen.add(day)
    if not days:
        errors.append(_("List the year's days off and make-up working days."))
    if errors:
        raise ValidationError(errors, code="invalid")
    with transaction.atomic():
        CalendarDay.objects.filter(day__year=year).delete()
        for day, kind, name in days:
            entry = CalendarDay(day=day, kind=kind, name=name.strip())
            entry._history_user = by
            entry.save()
        loaded = CalendarYear(year=year, source=(source or "").strip()[:200])
        loaded._history_user = by
        loaded.save()
    return loaded


def set_day(*, day, kind, name, by):
    """Mark one day of a loaded year as a day off or a make-up working day (or change it)."""
    from pojian.models import CalendarDay, CalendarYear

    if not (by and by.has_perm("pojian.edit_calendar")):
        raise ValidationError(_("Only the provincial office may do this."), code="permission")
    if not CalendarYear.objects.filter(year=day.year).exists():
        raise CalendarMissing(day.year)
    errors = _check_day(day.year, day, kind, name)
    if errors:
        raise ValidationError(errors, code="invalid")
    entry = CalendarDay.objects.filter(day=day).first() or CalendarDay(day=day)
    entry.kind, entry.name = kind, name.strip()
    entry._history_user = by
    entry.save()
    return entry


def clear_day(*, day, by):
    """Make a day ordinary again (a weekday works, a weekend is off)."""
    from pojian.models import CalendarDay

    if not (by and by.has_perm("pojian.edit_calendar")):
        raise ValidationError(_("Only the provincial office may do this."), code="permission")
    entry = CalendarDay.objects.filter(day=day).first()
    if entry is not None:
        entry._history_user = by
        entry.delete()
