"""The year-wide 四科 check computed by PostgreSQL, the rules as data.

`eligibility.evaluate` stays the reference (one nomination, the explanations' words); this module
says the same rules in SQL, with the rulebook's thresholds as parameters and its comparisons as
operators from a fixed list. One plain SELECT computes a whole set of verdicts into a temporary
table: the figures of the figures year (tax first), the counted results (one aggregate over the
counted rows of every kind), the registration, the seven criteria and the flags, compared there
with the stored verdict; then only the verdicts whose inputs (the typed `used_*` columns), rulebook
or outcome changed are written. Percentages are compared and shown
exactly as `compare_percent` does: in exact numeric arithmetic, two decimals, more when rounding
would hide the comparison.

tests/enterprises/test_sql_check.py holds this to `evaluate` (hypothesis, boundaries included).
"""

import itertools

from django.db import connection, transaction

from ..models import IPItem, Registration, Transfer, Verdict

_counter = itertools.count()
SQL_OPS = {"le": "<=", "lt": "<", "gt": ">", "ge": ">="}
WORK_MEM = "64MB"  # for the one statement of a set-based check (SET LOCAL)
# No parallel plan for the computing SELECT: the planner cannot estimate the groups of the counts (a
# union) and chose a partial aggregate gathered and merged, or built the counts once per worker; on
# the bench machine the serial plan was as fast or faster (bench_enterprises, EXPLAIN ANALYZE).
PARALLEL_WORKERS = 0


def _op(op):
    return SQL_OPS[op]  # KeyError for anything else: never text from outside into the SQL


def verdict_select(*, rules, accepted):
    """The SELECT of one verdict per row of `base` (pk, enterprise_id and the effective figures), as SQL text.

    Only the outcome per criterion is computed here: `Verdict.explanation` derives the entries (values,
    thresholds, notes) from the figures and rules the verdict keeps; building them per row was about half
    of the year-wide check's time (bench_enterprises). The thresholds are the parameters of `parameters`.
    """
    r_op, e_op, t_op, n_op, d_op = (_op(rules.revenue_op), _op(rules.employees_op), _op(rules.tech_staff_op),
                                    _op(rules.results_op), _op(rules.rd_op))
    accepted_sql = ", ".join(str(int(y)) for y in accepted)
    rev, emp, ts, rd = "b.revenue_value", "b.employees_value", "b.tech_staff_value", "b.rd_expense_value"
    transfers = "(COALESCE(k.tr_n, 0) + COALESCE(tc.n, 0))"  # typed-in transfers and registered contracts
    results = f"(COALESCE(k.ip_n, 0) + {transfers})"
    passed = {
        "revenue": f"COALESCE({rev} {r_op} %(revenue)s, false)",
        "employees": f"COALESCE({emp} {e_op} %(employees)s, false)",
        "core_tech_product": "(COALESCE(k.has_cp, false))",
        "tech_staff_ratio": f"COALESCE({emp} > 0 AND {ts} <= {emp} AND {ts}::numeric * 100 {t_op} %(tech_staff)s * {emp}, false)",
        "ip_and_transfers": f"({results} {n_op} %(results)s)",
        "rd_intensity": f"COALESCE({rev} > 0 AND {rd} * 100 {d_op} %(rd)s * {rev}, false)",
        "registered": f"COALESCE(k.reg_year IN ({accepted_sql}), false)",
    }
    flags = ", ".join(f"NOT ({sql}) AS fail_{code}" for code, sql in passed.items())
    return f"""
        SELECT b.pk AS nomination_id, b.enterprise_id, {flags},
               '[]'::jsonb AS explanation,
               b.figures_id, {', '.join(f"b.{name}_value" for name in FIGURES)},
               {', '.join(f"b.{name}_is_tax" for name in TAXED)},
               COALESCE(k.ip_n, 0) AS high_value_ip, {transfers}::bigint AS transfers,
               COALESCE(k.has_cp, false) AS core_tech_product, k.reg_number AS registration_number,
               COALESCE(k.reg_year, k.other_year) AS registration_year
        FROM base b
        LEFT JOIN counts k ON k.enterprise_id = b.enterprise_id
        LEFT JOIN tc ON tc.enterprise_id = b.enterprise_id
    """


FIGURES = ("revenue", "rd_expense", "total_assets", "employees", "tech_staff")
TAXED = FIGURES[:4]
COUNTS = ("high_value_ip", "transfers", "core_tech_product", "registration_number", "registration_year")


def parameters(rules):
    return {
        "revenue": rules.revenue_max, "employees": rules.employees_max, "tech_staff": rules.tech_staff_percent,
        "results": rules.results_min, "rd": rules.rd_percent,
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


# The set's verdicts as computed, before they are compared and written: a temporary table made by one
# plain SELECT (CREATE TABLE AS may run it in parallel; a data-modifying statement may not), then read
# by the few statements that write only what changed.
NEW_TABLE = "enterprises_verdict_new"
SET_TABLE = "enterprises_verdict_set"  # the set's nominations with their effective figures


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


def used_columns(src, *, year, figures_year, accepted):
    """{used_* column: SQL of its value from the computed row `src`}: what a verdict was judged on, typed.

    Written into the verdict (Verdict.figures reads them as the dict), and compared with the stored
    ones: a verdict whose columns, rulebook and outcome are the same is not written again.
    """
    tax_bits = " + ".join(f"(CASE WHEN {src}.{name}_is_tax THEN {1 << i} ELSE 0 END)" for i, name in enumerate(TAXED))
    return {"used_year": str(int(year)), "used_figures_year": str(int(figures_year)),
            "used_accepted_years": f"'{','.join(str(int(y)) for y in accepted)}'",
            "used_figures_id": f"{src}.figures_id", **{f"used_{name}": f"{src}.{name}_value" for name in FIGURES},
            "used_tax": f"({tax_bits})", **{f"used_{name}": f"{src}.{name}" for name in COUNTS}}


def _enterprises_estimate():
    """The planner's estimate of the number of enterprises (no count of the table)."""
    from ..models import Enterprise

    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [Enterprise._meta.db_table])
        row = cursor.fetchone()
    return max(row[0], 0) if row else 0


def sql_verdicts(queryset, *, year, rulebook, on, now, summary, progress=None, total=None):
    """Bring the set's verdicts up to date, computed by PostgreSQL. Returns the ids of the enterprises
    whose outcome is new or changed, or that are not in the pool yet (what the pool must hear of).

    Only what changed is written: a verdict whose inputs (its typed `used_*` columns),
    rulebook and outcome are the same is left as it is (its `checked_at` says since when it holds); a
    changed one is updated in place, a missing one inserted. A re-run that changes nothing writes
    nothing: no dead rows, no index upkeep, nothing for VACUUM.

    Three steps, each reported to `progress`: the verdicts computed into a temporary table (one
    SELECT), the changed ones updated, the new ones inserted.
    """

    from ..models import CoreProduct, PoolEntry
    from . import checks

    rules = rulebook.rules()
    accepted = rules.registration_years(year, on)
    figures_year = rulebook.figures_year
    # Each count is aggregated once over its table. For a few enterprises only theirs are read; for a large
    # share of them (a year, a big tax import) the filter would cost more than it saves: the join to the
    # set's rows leaves the others out.
    from django.db.models.expressions import RawSQL

    in_set = RawSQL(f"SELECT enterprise_id FROM {SET_TABLE}", [])
    few = total is not None and total * 3 < _enterprises_estimate()
    narrowed = {"enterprise_id__in": in_set} if few else {}
    params = parameters(rules)
    parts = []
    # What the check counts per enterprise, in one aggregate over one stream of the counted rows (IP items,
    # transfers, core products, registrations): one hash table and one join instead of five; the newest
    # accepted registration's number by year (one registration per enterprise and year).
    branches = [
        (IPItem.objects.filter(checks.ip_counted_q(rulebook, year=year), **narrowed), "1, NULL::int, NULL::text"),
        (Transfer.objects.filter(checks.transfer_counted_q(rulebook, year=year), **narrowed),
         "2, NULL::int, NULL::text"),
        (CoreProduct.objects.filter(**narrowed), "3, NULL::int, NULL::text"),
    ]
    union = []
    for qs, columns in branches:
        sql, named = _sql(qs.order_by().values("enterprise_id"))
        params.update(named)
        union.append(f"SELECT enterprise_id, {columns} FROM ({sql}) s")
    sql, named = _sql(Registration.objects.filter(**narrowed).order_by().values("enterprise_id", "year", "number"))
    params.update(named)
    union.append(f"SELECT enterprise_id, 4, year::int, number::text FROM ({sql}) s")
    accepted_sql = ", ".join(str(int(y)) for y in accepted)
    numbers = " ".join(f"WHEN {int(y)} THEN max(number) FILTER (WHERE src = 4 AND year = {int(y)})" for y in accepted)
    parts.append(f"""counts AS (
        SELECT enterprise_id, count(*) FILTER (WHERE src = 1) AS ip_n, count(*) FILTER (WHERE src = 2) AS tr_n,
               bool_or(src = 3) AS has_cp,
               max(year) FILTER (WHERE src = 4 AND year IN ({accepted_sql})) AS reg_year,
               max(year) FILTER (WHERE src = 4 AND year NOT IN ({accepted_sql})) AS other_year,
               CASE max(year) FILTER (WHERE src = 4 AND year IN ({accepted_sql})) {numbers} END AS reg_number
        FROM ({' UNION ALL '.join(union)}) u (enterprise_id, src, year, number)
        GROUP BY enterprise_id)""")
    # Registered technology contracts where the enterprise is the buyer count as transfers too (双千工程).
    sql, named = _sql(checks.contract_counts(rulebook, year=year, enterprises=in_set))
    params.update(named)
    parts.append(f"tc AS ({sql})")
    set_sql, set_params = base_sql(queryset, figures_year=figures_year)
    parts.append(f"base AS (SELECT * FROM {SET_TABLE})")
    select = verdict_select(rules=rules, accepted=accepted)
    table = Verdict._meta.db_table
    fails = [f"fail_{c}" for c in Verdict.CRITERIA]
    # The figures judged on go into typed columns (Verdict.figures reads them as the dict); the document
    # columns are emptied, so a verdict an older check wrote reads its new values.
    used = used_columns("c", year=year, figures_year=figures_year, accepted=accepted)
    written = ["eligible", *fails, "explanation", "rulebook_id", "rules", "figures", *used, "checked_at"]
    values = ["c.eligible", *(f"c.{f}" for f in fails), "'[]'::jsonb", "%(rulebook_id)s", "'{}'::jsonb",
              "'{}'::jsonb", *used.values(), "%(now)s"]
    params.update(rulebook_id=rulebook.pk, now=now)
    # What a verdict was judged on, compared with what it would be judged on now (the typed columns it
    # keeps): equal, and the same rulebook and outcome, it is left as it is.
    compared = used_columns("v", year=year, figures_year=figures_year, accepted=accepted)
    # The rules are not copied into each verdict: its rulebook version is frozen once a check used it
    # (rulebook.py), and Verdict.rules reads that version's snapshot.
    # A verdict a single-nomination check inserted meanwhile is brought to the set's outcome.
    upsert = f"ON CONFLICT (nomination_id) DO UPDATE SET {', '.join(f'{k} = EXCLUDED.{k}' for k in written)}"
    compute = f"""
        CREATE TEMPORARY TABLE {NEW_TABLE} ON COMMIT DROP AS
        WITH {', '.join(parts)}
        SELECT v.*, NOT ({' OR '.join(f'v.{f}' for f in fails)}) AS eligible, o.nomination_id IS NOT NULL AS stored,
               o.eligible AS old_eligible,
               o.nomination_id IS NULL OR o.rulebook_id IS DISTINCT FROM %(rulebook_id)s
               OR ({', '.join(f'o.{k}' for k in compared)}) IS DISTINCT FROM ({', '.join(compared.values())})
               OR ({', '.join('o.' + f for f in fails)}) IS DISTINCT FROM ({', '.join('v.' + f for f in fails)})
               AS changed
        FROM ({select}) v
        LEFT JOIN {table} o ON o.nomination_id = v.nomination_id
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [checks.SET_REWRITE_LOCK])
        # JIT compiling the long statement costs seconds and gains nothing; hashing a year's
        # enterprises within memory instead of in batches on disk is most of the rest. A crash may
        # lose the last check's commit (synchronous_commit off): it is run again, nothing else is lost.
        cursor.execute(f"SET LOCAL jit = off; SET LOCAL work_mem = '{WORK_MEM}'; SET LOCAL synchronous_commit = off; "
                       f"SET LOCAL max_parallel_workers_per_gather = {PARALLEL_WORKERS}; "
                       f"DROP TABLE IF EXISTS pg_temp.{NEW_TABLE}; DROP TABLE IF EXISTS pg_temp.{SET_TABLE}")
        # The set first, analysed: the planner then knows whether it is a year (hash joins over whole
        # tables) or a few enterprises (index look-ups); a tax import's set is defined by rows it has
        # just written, which the statistics do not know yet.
        cursor.execute(f"CREATE TEMPORARY TABLE {SET_TABLE} ON COMMIT DROP AS {set_sql}; ANALYZE {SET_TABLE}",
                       set_params)
        cursor.execute(compute, params)
        cursor.execute(f"SELECT count(*), count(*) FILTER (WHERE eligible), "
                       f"count(*) FILTER (WHERE changed AND stored), count(*) FILTER (WHERE NOT stored), "
                       f"array_agg(enterprise_id) FILTER (WHERE NOT stored OR old_eligible <> eligible "
                       f"OR enterprise_id NOT IN (SELECT enterprise_id FROM {PoolEntry._meta.db_table})) "
                       f"FROM {NEW_TABLE}")
        checked, eligible, to_update, to_insert, moved = cursor.fetchone()
        # The bar moves by phase: once computed, an unchanged verdict is done and one to write half done
        # (writing takes about as long as computing); each written one is then done.
        settled = checked - to_update - to_insert
        if progress:
            progress(settled + (to_update + to_insert) // 2, total=total, force=True)
        updated = inserted = 0
        if to_update:
            cursor.execute(f"""
                WITH upd AS (UPDATE {table} o SET {', '.join(f'{k} = {v}' for k, v in zip(written, values, strict=True))}
                             FROM {NEW_TABLE} c WHERE o.nomination_id = c.nomination_id AND c.stored AND c.changed
                             RETURNING 1)
                SELECT count(*) FROM upd""", params)
            updated = cursor.fetchone()[0]
            if progress:
                progress(settled + updated + to_insert // 2, total=total, force=True)
        if to_insert:
            cursor.execute(f"""
                WITH ins AS (INSERT INTO {table} (nomination_id, {', '.join(written)})
                             SELECT c.nomination_id, {', '.join(values)} FROM {NEW_TABLE} c WHERE NOT c.stored
                             {upsert} RETURNING 1)
                SELECT count(*) FROM ins""", params)
            inserted = cursor.fetchone()[0]
        cursor.execute(f"DROP TABLE pg_temp.{NEW_TABLE}; DROP TABLE pg_temp.{SET_TABLE}")
    summary.checked += checked
    summary.eligible += eligible
    summary.written = getattr(summary, "written", 0) + updated + inserted
    if progress:
        progress(summary.checked, total=total)
    return set(moved or ())
