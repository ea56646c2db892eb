"""One trigram GIN index on a result's title and summary together (newline-separated), the expression
`techtransfer.domain.catalogue.RESULT_TEXT`: the catalogue's LIKE/ILIKE search and the word-similarity
(`<%`) candidates of a demand are each served by one index scan (PostgreSQL only). The two indexes of
0002 on title and on summary served nothing (Django's icontains compares UPPER(column)): dropped."""

from django.db import migrations

SQL = ("CREATE INDEX IF NOT EXISTS result_text_trgm ON techtransfer_result "
       "USING gin ((title || E'\\n' || summary) gin_trgm_ops)")


OLD = [("result_title_trgm", "title"), ("result_summary_trgm", "summary")]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(SQL)
        for name, _column in OLD:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS result_text_trgm")
        for name, column in OLD:
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON techtransfer_result "
                                  f"USING gin ({column} gin_trgm_ops)")


class Migration(migrations.Migration):
    dependencies = [("techtransfer", "0070_contract_cancellation")]
    operations = [migrations.RunPython(create, drop)]
