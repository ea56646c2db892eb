"""A verdict keyed by its nomination, with one index, and the reference kept per statement (PostgreSQL).

Writing a year's 450,000 verdicts at the first check (bench_enterprises) went a third into the
foreign key's check, one query per row at commit, and a fifth into three btrees with the same
nomination key: the id's, the one-to-one's unique index and the flags' covering index.

- The nomination is the primary key; its index INCLUDEs the outcome flags, so it also serves the
  lists' counts by verdict and failed criterion (verdict_flags_idx, migration 0002, is dropped).
- The foreign key's per-row check is replaced by statement-level triggers with the same guarantee:
  a statement that writes a verdict whose nomination does not exist fails (foreign_key_violation),
  with one anti-join per statement; deleting nominations deletes their verdicts (Django's CASCADE
  does it first; the trigger covers a plain DELETE). A deletion and a verdict's writing serialise on
  an advisory lock (the writers share it, a deletion takes it alone), as the key's row lock did:
  neither can act on a nomination the other has not committed.
- `inputs`, the fingerprint the set-based check compared, goes: it now compares the typed `used_*`
  columns the verdict keeps.
"""

import django.db.models.deletion
from django.db import migrations, models

# Any fixed number no other code uses (checks.SET_REWRITE_LOCK is 0x5A4B_0001).
NOMINATION_LOCK = 0x5A4B_0002
FLAGS = ("eligible, fail_revenue, fail_employees, fail_core_tech_product, fail_tech_staff_ratio, "
         "fail_ip_and_transfers, fail_rd_intensity, fail_registered")

TRIGGERS = f"""
CREATE FUNCTION enterprises_verdict_nomination_exists() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared({NOMINATION_LOCK});
    IF EXISTS (SELECT 1 FROM written w WHERE NOT EXISTS (
            SELECT 1 FROM enterprises_enterprisenomination n WHERE n.id = w.nomination_id)) THEN
        RAISE foreign_key_violation USING MESSAGE =
            'insert or update on table "enterprises_verdict": a nomination_id is not in enterprises_enterprisenomination';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER verdict_nomination_exists_insert AFTER INSERT ON enterprises_verdict
    REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION enterprises_verdict_nomination_exists();
CREATE TRIGGER verdict_nomination_exists_update AFTER UPDATE ON enterprises_verdict
    REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION enterprises_verdict_nomination_exists();

CREATE FUNCTION enterprises_nomination_delete_lock() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock({NOMINATION_LOCK});
    RETURN NULL;
END $$;
CREATE FUNCTION enterprises_nomination_delete_verdicts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM enterprises_verdict v USING gone g WHERE v.nomination_id = g.id;
    RETURN NULL;
END $$;
CREATE TRIGGER nomination_delete_lock BEFORE DELETE ON enterprises_enterprisenomination
    FOR EACH STATEMENT EXECUTE FUNCTION enterprises_nomination_delete_lock();
CREATE TRIGGER nomination_delete_verdicts AFTER DELETE ON enterprises_enterprisenomination
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION enterprises_nomination_delete_verdicts();
"""

DROP_TRIGGERS = """
DROP TRIGGER IF EXISTS nomination_delete_verdicts ON enterprises_enterprisenomination;
DROP TRIGGER IF EXISTS nomination_delete_lock ON enterprises_enterprisenomination;
DROP TRIGGER IF EXISTS verdict_nomination_exists_update ON enterprises_verdict;
DROP TRIGGER IF EXISTS verdict_nomination_exists_insert ON enterprises_verdict;
DROP FUNCTION IF EXISTS enterprises_nomination_delete_verdicts();
DROP FUNCTION IF EXISTS enterprises_nomination_delete_lock();
DROP FUNCTION IF EXISTS enterprises_verdict_nomination_exists();
"""


def _primary_key_name(schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = 'enterprises_verdict'::regclass "
                       "AND contype = 'p'")
        return cursor.fetchone()[0]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    name = _primary_key_name(schema_editor)
    schema_editor.execute(f'ALTER TABLE enterprises_verdict DROP CONSTRAINT "{name}", '
                          f'ADD CONSTRAINT "{name}" PRIMARY KEY (nomination_id) INCLUDE ({FLAGS})')
    schema_editor.execute("DROP INDEX IF EXISTS verdict_flags_idx")
    schema_editor.execute(TRIGGERS)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(DROP_TRIGGERS)
    name = _primary_key_name(schema_editor)
    schema_editor.execute(f'ALTER TABLE enterprises_verdict DROP CONSTRAINT "{name}", '
                          f'ADD CONSTRAINT "{name}" PRIMARY KEY (nomination_id)')
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS verdict_flags_idx ON enterprises_verdict (nomination_id) "
                          f"INCLUDE ({FLAGS})")


class Migration(migrations.Migration):

    dependencies = [
        ("enterprises", "0131_verdict_typed_figures"),
    ]

    operations = [
        migrations.RemoveField(model_name="verdict", name="id"),
        migrations.RemoveField(model_name="verdict", name="inputs"),
        migrations.AlterField(
            model_name="verdict",
            name="nomination",
            field=models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.CASCADE,
                                       primary_key=True, related_name="verdict", serialize=False,
                                       to="enterprises.enterprisenomination"),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
