"""One trigram GIN index on a result's title and summary together (newline-separated), the expression
`techtransfer.domain.catalogue.RESULT_TEXT`: the catalogue's ILIKE search and the similarity (`%`)
candidates of a demand are each served by one index scan (PostgreSQL only)."""

from django.db import migrations

SQL = ("CREATE INDEX IF NOT EXISTS result_text_trgm ON techtransfer_result "
       "USING gin ((title || E'\\n' || summary) gin_trgm_ops)")


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(SQL)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS result_text_trgm")


class Migration(migrations.Migration):
    dependencies = [("techtransfer", "0070_contract_cancellation")]
    operations = [migrations.RunPython(create, drop)]
