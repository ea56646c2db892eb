"""A trigram GIN index on enterprise names, for the pool's name search, and an index that counts the pool by
region, tier and status from the index alone, and one that reads a cohort's standings from the index alone
(enterprise, year, with rank, code and name; PostgreSQL; other databases: nothing).

Django's icontains on PostgreSQL is `UPPER(name::text) LIKE UPPER('%…%')`, so the index is on that
expression; pg_trgm reads CJK characters as word characters under a UTF-8 ctype (C.UTF-8 included).
"""

from django.db import migrations

INDEX = "enterprise_name_trgm_idx"
COUNT_INDEX = "pool_region_tier_status_idx"
COVER_INDEX = "tier_standing_cover_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("enterprises", "Enterprise")._meta.db_table)
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON {table} USING gin ((UPPER(name::text)) gin_trgm_ops)")
    pool = schema_editor.quote_name(apps.get_model("enterprises", "PoolEntry")._meta.db_table)
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {COUNT_INDEX} ON {pool} (region_id, tier_code, status)")
    standings = schema_editor.quote_name(apps.get_model("enterprises", "TierStanding")._meta.db_table)
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {COVER_INDEX} ON {standings} (enterprise_id, year) "
                          "INCLUDE (rank, code, name)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    schema_editor.execute(f"DROP INDEX IF EXISTS {COUNT_INDEX}")
    schema_editor.execute(f"DROP INDEX IF EXISTS {COVER_INDEX}")


class Migration(migrations.Migration):

    dependencies = [
        ("enterprises", "0120_recognition_batch_evidence"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
