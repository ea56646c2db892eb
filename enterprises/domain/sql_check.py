"""The year-wide 四科 check computed by PostgreSQL, the rules as data.

`eligibility.evaluate` stays the reference (one nomination, the explanations' words); this module
says the same rules in SQL, with the rulebook's thresholds as parameters and its comparisons as
operators from a fixed list, so a whole set of verdicts is computed and written by one
statement: the figures of the figures year (tax first), the counted results (each count
aggregated once over the set), the registration, the seven criteria, the flags and the stored
figures, all in the database; only verdicts whose inputs, rules or outcome changed are written. Percentages are compared and shown exactly as `compare_percent` does: in exact numeric
arithmetic, two decimals, more when rounding would hide the comparison.

tests/enterprises/test_sql_check.py holds this to `evaluate` (hypothesis, boundaries included).
"""

import itertools
import json

from django.db import connection, transaction
from django.db.models.expressions import RawSQL

from ..models import IPItem, Registration, Transfer, Verdict
from .eligibility import DEFAULT_OPS, number_text

_counter = itertools.count()
SQL_OPS = {"le": "<=", "lt": "<", "gt": ">", "ge": ">="}
WORK_MEM = "64MB"  # for the one statement of a set-based check (SET LOCAL)


def _op(op):
    return SQL_OPS[op]  # KeyError for anything else: never text from outside into the SQL


def _percent_text(p, w, t):
    """SQL for compare_percent's text of p / w as a percentage (w > 0), threshold t (numeric)."""
    p, w = f"({p})::numeric", f"({w})::numeric"  # exact, whatever the size

    def shown(k):
        return f"div(2 * {p} * {100 * 10 ** k} + {w}, 2 * {w})"

    exact = f"({p} * 100 = ({t}) * {w})"
    parts = []
    for k in (2, 4, 6):
        parts.append(f"WHEN {exact} OR {shown(k)} <> ({t}) * {10 ** k} THEN round({shown(k)} / {10 ** k}::numeric, {k})::text")
    return f"(CASE {' '.join(parts)} ELSE round({shown(8)} / {10 ** 8}::numeric, 8)::text END)"


def _entry(code, passed, value, threshold, note="NULL", op=""):
    """SQL for one explanation entry: {code, passed, value, threshold[, note][, op]}."""
    extra = f" || (CASE WHEN {note} IS NOT NULL THEN jsonb_build_object('note', {note}) ELSE '{{}}'::jsonb END)"
    if op and op != DEFAULT_OPS.get(code):
        extra += f" || jsonb_build_object('op', '{op}')"
    return (f"(jsonb_build_object('code', '{code}', 'passed', {passed}, 'value', {value}, 'threshold', {threshold})"
            f"{extra})")


def verdict_select(*, rules, year, figures_year, accepted, thresholds, explain=False):
    """The SELECT of one verdict per row of `base` (pk, enterprise_id and the effective figures), as SQL text.

    `thresholds` are the parameter names' SQL placeholders, in order: revenue, employees,
    tech_staff, results, rd, and the texts of each (see `parameters`).
    """
    r_op, e_op, t_op, n_op, d_op = (_op(rules.revenue_op), _op(rules.employees_op), _op(rules.tech_staff_op),
                                    _op(rules.results_op), _op(rules.rd_op))
    accepted_sql = ", ".join(str(int(y)) for y in accepted)
    rev, emp, ts, rd = "b.revenue_value", "b.employees_value", "b.tech_staff_value", "b.rd_expense_value"
    results = "(COALESCE(ip.n, 0) + COALESCE(tr.n, 0))"
    criteria = {
        "revenue": (f"COALESCE({rev} {r_op} %(revenue)s, false)", f"to_jsonb({rev}::text)", "%(revenue_text)s",
                    f"CASE WHEN {rev} IS NULL THEN 'missing' END", rules.revenue_op),
        "employees": (f"COALESCE({emp} {e_op} %(employees)s, false)", f"to_jsonb({emp})", "%(employees_text)s",
                      f"CASE WHEN {emp} IS NULL THEN 'missing' END", rules.employees_op),
        "core_tech_product": ("(cp.enterprise_id IS NOT NULL)", "to_jsonb(cp.enterprise_id IS NOT NULL)", "'1'",
                              "NULL", ""),
        "tech_staff_ratio": (
            f"COALESCE({emp} > 0 AND {ts} <= {emp} AND {ts}::numeric * 100 {t_op} %(tech_staff)s * {emp}, false)",
            f"CASE WHEN {emp} > 0 AND {ts} <= {emp} THEN to_jsonb({_percent_text(ts, emp, '%(tech_staff)s')}) END",
            "%(tech_staff_text)s",
            f"CASE WHEN {emp} IS NULL OR {ts} IS NULL THEN 'missing' WHEN {emp} = 0 THEN 'no_employees' "
            f"WHEN {ts} > {emp} THEN 'figures_disagree' END",
            rules.tech_staff_op),
        "ip_and_transfers": (f"({results} {n_op} %(results)s)", f"to_jsonb({results})", "%(results_text)s", "NULL",
                             rules.results_op),
        "rd_intensity": (
            f"COALESCE({rev} > 0 AND {rd} * 100 {d_op} %(rd)s * {rev}, false)",
            f"CASE WHEN {rev} > 0 AND {rd} IS NOT NULL THEN to_jsonb({_percent_text(rd, rev, '%(rd)s')}) END",
            "%(rd_text)s",
            f"CASE WHEN {rev} IS NULL OR {rev} = 0 THEN 'no_revenue' WHEN {rd} IS NULL THEN 'missing' END",
            rules.rd_op),
        "registered": (f"COALESCE(reg.year IN ({accepted_sql}), false)", "to_jsonb(COALESCE(reg.year, other.y))",
                       "%(registered_text)s",
                       "CASE WHEN COALESCE(reg.year, other.y) IS NULL THEN 'missing' "
                       "WHEN reg.year IS NULL THEN 'other_year' END", ""),
    }
    flags = ", ".join(f"NOT ({passed}) AS fail_{code}" for code, (passed, *_rest) in criteria.items())
    if explain:
        entries = ", ".join(_entry(code, passed, value, threshold, note, op)
                            for code, (passed, value, threshold, note, op) in criteria.items())
        explanation = f"jsonb_build_array({entries})"
    else:
        # Verdict.explanation derives the entries from the figures and rules kept: building them here
        # per row was about half of the year-wide check's time (bench_enterprises).
        explanation = "'[]'::jsonb"
    return f"""
        SELECT b.pk AS nomination_id, b.enterprise_id, {flags},
               {explanation} AS explanation,
               b.figures_id, {', '.join(f"b.{name}_value" for name in FIGURES)},
               {', '.join(f"b.{name}_is_tax" for name in TAXED)},
               COALESCE(ip.n, 0) AS high_value_ip, COALESCE(tr.n, 0) AS transfers,
               cp.enterprise_id IS NOT NULL AS core_tech_product, reg.number AS registration_number,
               COALESCE(reg.year, other.y) AS registration_year
        FROM base b
        LEFT JOIN ip ON ip.enterprise_id = b.enterprise_id
        LEFT JOIN tr ON tr.enterprise_id = b.enterprise_id
        LEFT JOIN cp ON cp.enterprise_id = b.enterprise_id
        LEFT JOIN reg ON reg.enterprise_id = b.enterprise_id
        LEFT JOIN other ON other.enterprise_id = b.enterprise_id AND reg.year IS NULL
    """


FIGURES = ("revenue", "rd_expense", "total_assets", "employees", "tech_staff")
TAXED = FIGURES[:4]
COUNTS = ("high_value_ip", "transfers", "core_tech_product", "registration_number", "registration_year")


def _source(src, name):
    return f"CASE WHEN {src}.{name}_is_tax THEN 'tax' ELSE 'declared' END" if name in TAXED else "'declared'"


def figures_json(src, *, year, figures_year, accepted):
    """SQL for the verdict's `figures` from the raw columns of `verdict_select` (alias `src`)."""
    figures = ", ".join(f"'{name}', jsonb_build_object('value', {src}.{name}_value::text, 'source', {_source(src, name)})"
                        for name in FIGURES)
    counts = ", ".join(f"'{name}', {src}.{name}" for name in COUNTS)
    return (f"jsonb_build_object('year', {int(year)}, 'figures_year', {int(figures_year)}, 'figures_id', "
            f"{src}.figures_id, {figures}, {counts}, 'accepted_years', "
            f"jsonb_build_array({', '.join(str(int(y)) for y in accepted)}))")


def same_figures(old, src, *, year, figures_year, accepted):
    """SQL: whether the stored `figures` of verdict `old` hold exactly the raw inputs of `src`.

    Reading a few keys of the stored document costs a fraction of building a new one for every row;
    any difference of text or type (an older layout, a missing key) reads as a change, so a verdict is
    at worst written again, never kept when an input moved.
    """
    f = f"{old}.figures"
    pairs = [(f"{f}->>'year'", f"'{int(year)}'"), (f"{f}->>'figures_year'", f"'{int(figures_year)}'"),
             (f"{f}->>'figures_id'", f"{src}.figures_id::text"),
             (f"{f}->'accepted_years'", f"'{json.dumps([int(y) for y in accepted])}'::jsonb")]
    for name in FIGURES:
        pairs.append((f"{f}->'{name}'->>'value'", f"{src}.{name}_value::text"))
        pairs.append((f"{f}->'{name}'->>'source'", _source(src, name)))
    for name in COUNTS:
        pairs.append((f"{f}->>'{name}'", f"{src}.{name}::text"))
    return "(" + " AND ".join(f"{a} IS NOT DISTINCT FROM {b}" for a, b in pairs) + ")"


def parameters(rules, accepted):
    return {
        "revenue": rules.revenue_max, "employees": rules.employees_max, "tech_staff": rules.tech_staff_percent,
        "results": rules.results_min, "rd": rules.rd_percent,
        "revenue_text": number_text(rules.revenue_max), "employees_text": number_text(rules.employees_max),
        "tech_staff_text": number_text(rules.tech_staff_percent), "results_text": number_text(rules.results_min),
        "rd_text": number_text(rules.rd_percent), "registered_text": ",".join(str(y) for y in sorted(accepted)),
    }


def _named(sql, params):
    """A Django queryset's SQL with %s placeholders as literal-safe named ones: (sql with %%(pN)s, {pN: value})."""
    names = {}
    parts = sql.split("%s")
    out = [parts[0]]
    for i, part in enumerate(parts[1:]):
        key = f"q{next(_counter)}"
        names[key] = params[i]
        out.append(f"%({key})s{part}")
    return "".join(out), names


def _sql(qs):
    sql, params = qs.query.sql_with_params()
    return _named(sql, params)


# The set's nominations with their effective figures, a temporary table analysed before the verdicts
# are computed, so the planner knows whether the set is a whole year (hash joins over whole tables)
# or a few enterprises (index look-ups).
SET_TABLE = "enterprises_verdict_set"


def base_sql(queryset, *, figures_year):
    """SQL for the set's rows: pk, enterprise_id, figures_id and the effective figures (tax first), and params."""
    from ..models import EnterpriseYear

    ids_sql, params = _sql(queryset.order_by().values("pk", "enterprise_id"))
    columns = ["fy.id AS figures_id", "fy.tech_staff AS tech_staff_value"]
    for name in EnterpriseYear.TAXED:
        columns += [f"COALESCE(fy.{name}_tax, fy.{name}) AS {name}_value", f"fy.{name}_tax IS NOT NULL AS {name}_is_tax"]
    params["figures_year"] = figures_year
    return (f"SELECT n.pk, n.enterprise_id, {', '.join(columns)} FROM ({ids_sql}) n "
            f"LEFT JOIN {EnterpriseYear._meta.db_table} fy ON fy.enterprise_id = n.enterprise_id "
            f"AND fy.year = %(figures_year)s"), params


def sql_verdicts(queryset, *, year, rulebook, on, now, summary, progress=None, total=None):
    """Bring the set's verdicts up to date, computed by PostgreSQL in one statement. Returns the ids of
    the enterprises whose outcome is new or changed, or that are not in the pool yet (what the pool
    must hear of).

    Only what changed is written: a verdict whose inputs (its figures, counts and registration, kept
    in `figures`), rulebook and outcome are the same is left as it is (its `checked_at` says since
    when it holds); a changed one is updated in place, a missing one inserted. A re-run that changes
    nothing writes nothing: no dead rows, no index upkeep, nothing for VACUUM.
    """
    from django.db.models import Count, Max

    from ..models import CoreProduct, PoolEntry
    from . import checks

    rules = rulebook.rules()
    accepted = rules.registration_years(year, on)
    figures_year = rulebook.figures_year
    in_set = RawSQL(f"SELECT enterprise_id FROM {SET_TABLE}", [])
    params = parameters(rules, accepted)
    parts = []
    counted = {
        name: qs.order_by().values("enterprise_id").annotate(n=Count("pk")).values("enterprise_id", "n")
        for name, qs in (
            ("ip", IPItem.objects.filter(checks.ip_counted_q(rulebook, year=year), enterprise_id__in=in_set)),
            ("tr_typed", Transfer.objects.filter(checks.transfer_counted_q(rulebook, year=year),
                                                 enterprise_id__in=in_set)),
        )
    }
    # Registered technology contracts where the enterprise is the buyer count as transfers too (双千工程).
    counted["tr_contracts"] = checks.contract_counts(rulebook, year=year, enterprises=in_set)
    counted["cp"] = CoreProduct.objects.filter(enterprise_id__in=in_set).order_by().values("enterprise_id").distinct()
    counted["other"] = (Registration.objects.filter(enterprise_id__in=in_set).exclude(year__in=accepted).order_by()
                        .values("enterprise_id").annotate(y=Max("year")).values("enterprise_id", "y"))
    # The newest accepted registration with its number (one per enterprise and year).
    counted["reg"] = (Registration.objects.filter(year__in=accepted, enterprise_id__in=in_set)
                      .order_by("enterprise_id", "-year").distinct("enterprise_id")
                      .values("enterprise_id", "year", "number"))
    for name, qs in counted.items():
        sql, named = _sql(qs)
        params.update(named)
        parts.append(f"{name} AS ({sql})")
    parts.insert(3, "tr AS (SELECT enterprise_id, SUM(n)::bigint AS n FROM (SELECT * FROM tr_typed UNION ALL "
                    "SELECT * FROM tr_contracts) t GROUP BY enterprise_id)")
    select = verdict_select(rules=rules, year=year, figures_year=figures_year, accepted=accepted, thresholds=None)
    table = Verdict._meta.db_table
    fails = [f"fail_{c}" for c in Verdict.CRITERIA]
    failed_any = " OR ".join(fails)
    flags = ["eligible", *fails, "explanation", "rulebook_id", "rules"]
    kept = [*flags, "figures"]
    shape = {"year": year, "figures_year": figures_year, "accepted": accepted}
    new_figures = figures_json("c", **shape)
    params.update(rulebook_id=rulebook.pk, rules=_json(rulebook.snapshot()), now=now)
    statement = f"""
        WITH {', '.join(parts)},
             v AS ({select.replace("FROM base b", f"FROM {SET_TABLE} b")}),
             n AS (SELECT v.*, NOT ({failed_any}) AS eligible, %(rulebook_id)s::bigint AS rulebook_id,
                          %(rules)s::jsonb AS rules FROM v),
             c AS MATERIALIZED (
                 SELECT n.*, o.id AS old_id, o.eligible AS old_eligible,
                        o.id IS NULL OR ({', '.join('o.' + k for k in flags)}) IS DISTINCT FROM
                                        ({', '.join('n.' + k for k in flags)})
                                     OR NOT {same_figures("o", "n", **shape)} AS changed
                 FROM n LEFT JOIN {table} o ON o.nomination_id = n.nomination_id),
             upd AS (UPDATE {table} t SET {', '.join(f'{k} = c.{k}' for k in flags)}, figures = {new_figures},
                            checked_at = %(now)s
                     FROM c WHERE t.id = c.old_id AND c.changed RETURNING t.id),
             ins AS (INSERT INTO {table} (nomination_id, {', '.join(kept)}, checked_at)
                     SELECT nomination_id, {', '.join(flags)}, {new_figures}, %(now)s FROM c WHERE c.old_id IS NULL
                     ON CONFLICT (nomination_id) DO UPDATE SET
                         {', '.join(f'{k} = EXCLUDED.{k}' for k in kept)}, checked_at = EXCLUDED.checked_at
                     RETURNING id),
             pool AS (SELECT enterprise_id FROM {PoolEntry._meta.db_table})
        SELECT count(*), count(*) FILTER (WHERE eligible),
               (SELECT count(*) FROM upd) + (SELECT count(*) FROM ins),
               array_agg(enterprise_id) FILTER (WHERE old_id IS NULL OR old_eligible <> eligible
                                                  OR enterprise_id NOT IN (SELECT enterprise_id FROM pool))
        FROM c
    """
    set_sql, set_params = base_sql(queryset, figures_year=figures_year)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [checks.SET_REWRITE_LOCK])
        # JIT compiling the long statement costs seconds and gains nothing; hashing a year's
        # enterprises within memory instead of in batches on disk is most of the rest.
        cursor.execute(f"SET LOCAL jit = off; SET LOCAL work_mem = '{WORK_MEM}'; "
                       f"DROP TABLE IF EXISTS pg_temp.{SET_TABLE}")
        cursor.execute(f"CREATE TEMPORARY TABLE {SET_TABLE} ON COMMIT DROP AS {set_sql}; ANALYZE {SET_TABLE}",
                       set_params)
        cursor.execute(statement, params)
        checked, eligible, written, moved = cursor.fetchone()
        cursor.execute(f"DROP TABLE pg_temp.{SET_TABLE}")
    summary.checked += checked
    summary.eligible += eligible
    summary.written = getattr(summary, "written", 0) + written
    if progress:
        progress(summary.checked, total=total)
    return set(moved or ())


def _json(data):
    import json

    return json.dumps(data, ensure_ascii=False)
