"""Helpers for benchmarks: a throw-away PostgreSQL database, timers, and a tidy report line."""

import contextlib
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
