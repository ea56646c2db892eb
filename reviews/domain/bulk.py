"""Writing many rows with their audit (simple-history) rows quickly.

PostgreSQL: primary keys are taken from the table's sequence in one query and the rows and their
historical rows are sent with COPY (DESIGN.md: ~170k rows/s against ~30k for bulk_create).
Other databases (SQLite on a laptop): bulk_create and simple-history's bulk_history_create.
Used for the automatic assignment (15,000 rows for a province-sized round).
"""

import io
from operator import attrgetter, itemgetter

from django.db import connection, models
from django.utils import timezone

# Fields whose Python value PostgreSQL reads as it is written by str() (others go through Django's prep).
PLAIN = (models.IntegerField, models.BigIntegerField, models.AutoField, models.BigAutoField, models.CharField,
         models.TextField, models.BooleanField, models.DateTimeField, models.DateField, models.DecimalField,
         models.ForeignKey)


_BUILTIN_PREP = {c.get_prep_value for c in PLAIN} | {models.Field.get_prep_value}


def _getter(field, *, dicts=False):
    read = itemgetter(field.attname) if dicts else attrgetter(field.attname)
    if isinstance(field, PLAIN) and type(field).get_prep_value in _BUILTIN_PREP:
        return read
    return lambda o: field.get_db_prep_save(read(o), connection)


def _formatter(field, *, dicts=False):
    """value -> COPY text-format field (\\N for NULL; backslash, tab and newlines escaped)."""
    get = _getter(field, dicts=dicts)

    def text(o):
        v = get(o)
        if v is None:
            return "\\N"
        if v is True:
            return "t"
        if v is False:
            return "f"
        if isinstance(v, str):
            return v.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
        return str(v)

    return text


def _copy(table, columns, lines):
    buf = io.StringIO()
    buf.writelines(lines)
    buf.seek(0)
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {qn(table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN", buf)


def _lines(model, objs, *, dicts=False):
    """(columns, [tab-separated values of each object (or dict by attname)]) for the model's concrete fields."""
    fields = list(model._meta.concrete_fields)
    formatters = [_formatter(f, dicts=dicts) for f in fields]
    return [f.column for f in fields], ["\t".join([fmt(o) for fmt in formatters]) for o in objs]


def _history_copy(model, objs, lines, *, history_type, by, reason, when):
    """Copy a history row per object, reusing the formatted values of the object's own row."""
    history = model.history.model
    source_columns = [f.column for f in model._meta.concrete_fields]
    history_columns = {f.column for f in history._meta.concrete_fields}
    if not set(source_columns) <= history_columns:
        raise RuntimeError(f"{history.__name__} does not mirror {model.__name__}")  # never with simple-history
    extra = {"history_date": when.isoformat(), "history_type": history_type,
             "history_user_id": str(by.pk) if by is not None else "\\N",
             "history_change_reason": reason.replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")}
    extra_columns = [c for c in extra if c in history_columns]
    suffix = "\t" + "\t".join(extra[c] for c in extra_columns) + "\n"
    _copy(history._meta.db_table, source_columns + extra_columns, (line + suffix for line in lines))


def insert_with_history(model, objs, *, by, reason):
    """Insert unsaved `objs` (their pks are set) and a "+" history row for each, by `by`, with `reason`."""
    if not objs:
        return objs
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=2000)
        model.history.bulk_history_create(objs, default_user=by, default_change_reason=reason, batch_size=2000)
        return objs
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [meta.db_table, len(objs)])
        ids = [r[0] for r in cursor.fetchall()]
    auto = [f for f in meta.concrete_fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        for f in auto:
            f.pre_save(obj, add=True)
        obj._state.adding = False
        obj._state.db = connection.alias
    columns, lines = _lines(model, objs)
    _copy(meta.db_table, columns, (line + "\n" for line in lines))
    _history_copy(model, objs, lines, history_type="+", by=by, reason=reason, when=timezone.now())
    return objs


def insert_rows_with_history(model, rows, *, by, reason):
    """Like insert_with_history for plain dicts {attname: value} (no model instances: faster).

    Missing fields take their default (auto_now / auto_now_add: now). Returns the new ids.
    """
    if not rows:
        return []
    if connection.vendor != "postgresql":
        objs = insert_with_history(model, [model(**r) for r in rows], by=by, reason=reason)
        return [o.pk for o in objs]
    meta = model._meta
    now = timezone.now()
    defaults = {}
    for f in meta.concrete_fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults[f.attname] = now
        elif f.attname != meta.pk.attname:
            defaults[f.attname] = f.get_default()
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [meta.db_table, len(rows)])
        ids = [r[0] for r in cursor.fetchall()]
    full = [{**defaults, **row, meta.pk.attname: pk} for row, pk in zip(rows, ids, strict=True)]
    columns, lines = _lines(model, full, dicts=True)
    _copy(meta.db_table, columns, (line + "\n" for line in lines))
    _history_copy(model, full, lines, history_type="+", by=by, reason=reason, when=now)
    return ids


def record_history(model, objs, *, by, reason, dicts=False):
    """A "~" history row for each already-updated object (or dict of every field by attname)."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        if dicts:
            objs = [model(**o) for o in objs]
        model.history.bulk_history_create(objs, update=True, default_user=by, default_change_reason=reason, batch_size=2000)
        return
    _columns, lines = _lines(model, objs, dicts=dicts)
    _history_copy(model, objs, lines, history_type="~", by=by, reason=reason, when=timezone.now())


def delete_with_history(model, queryset, *, by, reason):
    """Delete rows that nothing references (e.g. proposed assignments), with a "-" history row each.

    One DELETE instead of Django's per-object collector and signals.
    """
    objs = list(queryset)
    if not objs:
        return 0
    if connection.vendor == "postgresql":
        _columns, lines = _lines(model, objs)
        _history_copy(model, objs, lines, history_type="-", by=by, reason=reason, when=timezone.now())
    else:
        history = model.history.model
        when = timezone.now()
        names = {f.attname for f in model._meta.concrete_fields}
        history.objects.bulk_create([
            history(**{a: getattr(o, a) for a in names}, history_date=when, history_type="-", history_user=by,
                    history_change_reason=reason)
            for o in objs
        ], batch_size=2000)
    return model.objects.filter(pk__in=[o.pk for o in objs])._raw_delete(connection.alias)
