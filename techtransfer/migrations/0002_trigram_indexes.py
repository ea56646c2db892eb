"""Trigram GIN indexes for Chinese substring search in the catalogue (PostgreSQL only; SQLite, used
by `make run` without settings, searches the plain way)."""

from django.db import migrations

INDEXES = [
    ("result_title_trgm", "techtransfer_result", "title"),
    ("result_summary_trgm", "techtransfer_result", "summary"),
    ("demand_description_trgm", "techtransfer_demand", "description"),
    ("demand_title_trgm", "techtransfer_demand", "title"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("techtransfer", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
