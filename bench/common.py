"""Helpers for benchmarks: a throw-away PostgreSQL database, timers, and a tidy report line."""

import contextlib
import datetime
import io
import statistics
import time

from django.conf import settings
from django.db import connection


@contextlib.contextmanager
def bench_database():
    """Create a fresh test database (like pytest-django does), migrate it, drop it afterwards."""
    if connection.vendor != "postgresql":
        raise SystemExit("Benchmarks run on PostgreSQL: set DATABASE_URL (see README).")
    from django.test.utils import setup_databases, teardown_databases

    old = setup_databases(verbosity=0, interactive=False, keepdb=False)
    try:
        yield
    finally:
        teardown_databases(old, verbosity=0)


@contextlib.contextmanager
def timer(result: dict, key: str):
    start = time.perf_counter()
    yield
    result[key] = time.perf_counter() - start


def report(label, seconds, reference_label=None, reference_seconds=None, target=None):
    line = f"{label:<48} {seconds:8.2f} s"
    if reference_label:
        line += f"   | {reference_label}: {reference_seconds:.2f} s (x{seconds / reference_seconds:.1f})"
    if target is not None:
        line += f"   | target < {target} s: {'met' if seconds < target else 'NOT met'}"
    print(line, flush=True)


def median_ms(samples):
    return statistics.median(samples) * 1000


__all__ = ["bench_database", "median_ms", "report", "settings", "timer"]


# --- building data sets fast ------------------------------------------------------------------


def _tsv(value):
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


def _defaults(model, fields):
    """(columns, values) of the model's NOT NULL fields that `fields` leaves out and that have a default:
    COPY gets no Python defaults, so a field a later migration adds would otherwise break every bench."""
    import json

    columns, values = [], []
    for f in model._meta.concrete_fields:
        if f.column in fields or f.attname in fields or f.null or f.primary_key:
            continue
        if not (f.has_default() or f.empty_strings_allowed):  # text fields default to "" as the ORM saves them
            continue
        value = f.get_default()
        if isinstance(value, (list, dict)):
            value = json.dumps(value)
        columns.append(f.column)
        values.append(value)
    return columns, values


def copy(model, fields, rows):
    """COPY rows (tuples in `fields` order) into the model's table; ids given, so reset_sequences after.

    Fields left out that have a default get it."""
    extra_columns, extra_values = _defaults(model, fields)
    tail = "".join("\t" + _tsv(v) for v in extra_values)
    buf = io.StringIO()
    for row in rows:
        buf.write("\t".join(_tsv(v) for v in row))
        buf.write(tail)
        buf.write("\n")
    buf.seek(0)
    columns = [*fields, *extra_columns]
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN", buf)


def reset_sequences(*models):
    """Move each table's id sequence past the ids COPY wrote, so later ORM inserts do not collide."""
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")


def two_years(year):
    """Last year (closed) and this year (open, current), as the ORM objects {year: Cycle}."""
    from django.utils import timezone

    from pojian.models import Cycle

    now = timezone.now()
    return {
        y: Cycle.objects.create(year=y, nomination_opens=now - datetime.timedelta(days=400 * (year - y) + 30),
                                nomination_closes=now - datetime.timedelta(days=400 * (year - y) - 30),
                                status="open" if y == year else "closed", is_current=(y == year))
        for y in (year - 1, year)
    }


def office_and_bureaus(regions):
    """An office user and one bureau user per region ({region id: user})."""
    from pojian.models import User

    office = User.objects.create(username="bench-office", role="office")
    return office, {r.pk: User.objects.create(username=f"bench-{r.code}", role="bureau", region=r) for r in regions}
