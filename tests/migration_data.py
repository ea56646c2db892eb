"""The rows that data migrations load, and putting them back after a flush.

A transactional test (`transactional_db`, `django_db(transaction=True)`, `live_server`: the browser tests,
the worker tests) ends with Django flushing every table, and with them the rows the migrations loaded: the
regions, the holiday calendar, the funding lines, the periodic tasks of django-celery-beat. Later tests in the
same database (the rest of the session, or the next session with --reuse-db) would then see an empty table.
tests/conftest.py calls `restore()` once the database is set up and after each transactional test's flush,
outside any test transaction, so the rows stay.
"""

from importlib import import_module

_state_apps = None


def _migration_apps():
    """The models as the migrations see them (historical models): as in a real migrate, no model signals fire,
    so reloading the regions writes no django-simple-history rows a later test would count."""
    global _state_apps
    if _state_apps is None:
        from django.db import connection
        from django.db.migrations.loader import MigrationLoader

        _state_apps = MigrationLoader(connection).project_state().apps
    return _state_apps


def _run(module, function, *factory_args):
    """Call a migration's RunPython function with the migrations' apps."""
    apps = _migration_apps()
    loader = getattr(import_module(module), function)
    if factory_args:  # a migration whose function is made by a factory, e.g. every(1)
        loader = loader(*factory_args)
    loader(apps, None)


def _regions_loaded():
    from pojian.models import Region

    return Region.objects.exists()


def _calendar_loaded():
    from pojian.models import CalendarYear

    return CalendarYear.objects.filter(year=2004).exists()


def _funding_lines_loaded():
    from funding.models import FundingLine

    return FundingLine.objects.exists()


def _periodic_tasks_loaded():
    from django_celery_beat.models import PeriodicTask

    return PeriodicTask.objects.exists()


# (what, is it there?, the migrations' own functions in migration order); every one of them is idempotent.
DATASETS = [
    ("regions", _regions_loaded, [("pojian.migrations.0002_regions", "load"),
                                  ("pojian.migrations.0061_county_divisions", "load")]),
    ("holiday calendar", _calendar_loaded, [("pojian.migrations.0021_calendar_2004_2026", "load")]),
    ("funding lines", _funding_lines_loaded, [("funding.migrations.0002_lines", "add_lines")]),
    ("periodic tasks", _periodic_tasks_loaded, [
        ("assessment.migrations.0002_periodic_recompute", "create"),
        ("assessment.migrations.0003_recompute_every_minute", "every", 1),
        ("funding.migrations.0003_daily_reminders", "create"),
        ("pojian.migrations.0040_resend_queued_jobs", "create"),
        ("reports.migrations.0011_return_reminders", "create"),
        ("reviews.migrations.0003_deadline_reminders_schedule", "schedule"),
    ]),
]


def restore():
    """Load each data set that is missing (with its migrations' own functions); returns the names loaded."""
    from django.db import transaction

    loaded = []
    for name, present, loaders in DATASETS:
        if present():
            continue
        with transaction.atomic():
            for loader in loaders:
                _run(*loader)
        loaded.append(name)
    return loaded
