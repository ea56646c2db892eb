"""A covering index for the office's counts of nominations by verdict and failed criterion.

The office's list counts a year's nominations filtered by verdict and failed criterion. With the
flags in an index (PostgreSQL's INCLUDE), that count reads the index, not the verdicts' rows,
most of which are their two JSON documents: about half the time of a filtered page over 100,000
nominations. PostgreSQL only (SQLite has no INCLUDE, and an Index(include=) in Meta would warn
there), so it is made here rather than declared in Verdict.Meta.
"""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS verdict_flags_idx ON enterprises_verdict (nomination_id) INCLUDE (eligible, "
    "fail_revenue, fail_employees, fail_core_tech_product, fail_tech_staff_ratio, fail_ip_and_transfers, "
    "fail_rd_intensity, fail_registered)"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS verdict_flags_idx")


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
