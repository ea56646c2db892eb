"""The year-wide 四科 check computed by PostgreSQL, the rules as data.

`eligibility.evaluate` stays the reference (one nomination, the explanations' words); this module
says the same rules in SQL, with the rulebook's thresholds as parameters and its comparisons as
operators from a fixed list, so a whole chunk of verdicts is computed and written by one
INSERT … SELECT: the figures of the figures year (tax first), the counted results, the
registration, the seven criteria, the flags, the stored explanation and figures, all in the
database. Percentages are compared and shown exactly as `compare_percent` does: in exact numeric
arithmetic, two decimals, more when rounding would hide the comparison.

tests/enterprises/test_sql_check.py holds this to `evaluate` (hypothesis, boundaries included).
"""

import itertools

from django.db import connection, transaction
from django.db.models.expressions import RawSQL

from ..models import IPItem, Registration, Transfer, Verdict
from .eligibility import DEFAULT_OPS, number_text

_counter = itertools.count()
SQL_OPS = {"le": "<=", "lt": "<", "gt": ">", "ge": ">="}
CHUNK = 50_000


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
    figure = lambda name, is_tax: (  # noqa: E731
        f"'{name}', jsonb_build_object('value', b.{name}_value::text, 'source', "
        f"{'CASE WHEN b.' + name + '_is_tax THEN ' + chr(39) + 'tax' + chr(39) + ' ELSE ' if is_tax else ''}"
        f"'declared'{' END' if is_tax else ''})")
    figures = ", ".join([figure("revenue", True), figure("rd_expense", True), figure("total_assets", True),
                         figure("employees", True), figure("tech_staff", False)])
    return f"""
        SELECT b.pk AS nomination_id, {flags},
               {explanation} AS explanation,
               jsonb_build_object('year', {int(year)}, 'figures_year', {int(figures_year)}, 'figures_id', b.figures_id,
                                  {figures},
                                  'high_value_ip', COALESCE(ip.n, 0), 'transfers', COALESCE(tr.n, 0),
                                  'core_tech_product', cp.enterprise_id IS NOT NULL,
                                  'registration_number', reg.number,
                                  'registration_year', COALESCE(reg.year, other.y),
                                  'accepted_years', jsonb_build_array({accepted_sql})) AS figures
        FROM base b
        LEFT JOIN ip ON ip.enterprise_id = b.enterprise_id
        LEFT JOIN tr ON tr.enterprise_id = b.enterprise_id
        LEFT JOIN cp ON cp.enterprise_id = b.enterprise_id
        LEFT JOIN reg ON reg.enterprise_id = b.enterprise_id
        LEFT JOIN other ON other.enterprise_id = b.enterprise_id AND reg.year IS NULL
    """


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


def sql_verdicts(queryset, *, year, rulebook, on, now, summary, progress=None, total=None, chunk=CHUNK):
    """Replace the set's verdicts with ones computed by PostgreSQL, a chunk of nominations at a time."""
    from . import checks

    rules = rulebook.rules()
    accepted = rules.registration_years(year, on)
    figures_year = rulebook.figures_year
    # Each per-enterprise CTE reads only the chunk's enterprises (the semi-join inside the aggregate).
    in_chunk = RawSQL("SELECT enterprise_id FROM base", [])
    ctes = {
        "ip": IPItem.objects.filter(checks.ip_counted_q(rulebook, year=year), enterprise_id__in=in_chunk),
        "tr_typed": Transfer.objects.filter(checks.transfer_counted_q(rulebook, year=year), enterprise_id__in=in_chunk),
    }
    from django.db.models import Count, Max

    params = parameters(rules, accepted)
    parts = []
    counted = {name: qs.order_by().values("enterprise_id").annotate(n=Count("pk")).values("enterprise_id", "n")
               for name, qs in ctes.items()}
    # Registered technology contracts where the enterprise is the buyer count as transfers too (双千工程).
    counted["tr_contracts"] = checks.contract_counts(rulebook, year=year, enterprises=in_chunk)
    for name, qs in counted.items():
        sql, p = qs.query.sql_with_params()
        sql, named = _named(sql, p)
        params.update(named)
        parts.append(f"{name} AS ({sql})")
    parts.append("tr AS (SELECT enterprise_id, SUM(n)::bigint AS n FROM (SELECT * FROM tr_typed UNION ALL "
                 "SELECT * FROM tr_contracts) t GROUP BY enterprise_id)")
    from ..models import CoreProduct

    for name, qs in (
        ("cp", CoreProduct.objects.filter(enterprise_id__in=in_chunk).order_by().values("enterprise_id").distinct()),
        ("newest", Registration.objects.filter(year__in=accepted, enterprise_id__in=in_chunk).order_by()
         .values("enterprise_id").annotate(y=Max("year")).values("enterprise_id", "y")),
        ("other", Registration.objects.filter(enterprise_id__in=in_chunk).exclude(year__in=accepted).order_by()
         .values("enterprise_id").annotate(y=Max("year")).values("enterprise_id", "y")),
    ):
        sql, p = qs.query.sql_with_params()
        sql, named = _named(sql, p)
        params.update(named)
        parts.append(f"{name} AS ({sql})")
    reg_table = Registration._meta.db_table
    parts.append(f"reg AS (SELECT r.enterprise_id, r.year, r.number FROM {reg_table} r "
                 f"JOIN newest ON newest.enterprise_id = r.enterprise_id AND newest.y = r.year)")
    base_sql, base_params = checks.with_figures(queryset, year=figures_year).query.sql_with_params()
    base_sql, named = _named(base_sql, base_params)
    params.update(named)
    select = verdict_select(rules=rules, year=year, figures_year=figures_year, accepted=accepted, thresholds=None)
    table = Verdict._meta.db_table
    columns = ["nomination_id", *(f"fail_{c}" for c in Verdict.CRITERIA), "explanation", "figures"]
    failed_any = " OR ".join(f"v.fail_{c}" for c in Verdict.CRITERIA)
    params.update(rulebook_id=rulebook.pk, rules=_json(rulebook.snapshot()), now=now, chunk=chunk)
    statement = f"""
        WITH all_base AS ({base_sql}),
             base AS (SELECT * FROM all_base WHERE pk > %(after)s ORDER BY pk LIMIT %(chunk)s),
             {', '.join(parts)},
             v AS ({select})
        INSERT INTO {table} (eligible, {', '.join(columns)}, rulebook_id, rules, checked_at)
        SELECT NOT ({failed_any}), {', '.join('v.' + c for c in columns)}, %(rulebook_id)s, %(rules)s::jsonb, %(now)s
        FROM v
        RETURNING nomination_id, eligible
    """
    ids_sql, ids_params = queryset.order_by().values("pk").query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [checks.SET_REWRITE_LOCK])
        # The statement is long and cheap per row: JIT compiling it costs seconds and gains nothing.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(f"DELETE FROM {table} WHERE nomination_id IN ({ids_sql})", ids_params)
        after = 0
        while True:
            cursor.execute(statement, {**params, "after": after})
            rows = cursor.fetchall()
            if not rows:
                break
            summary.checked += len(rows)
            summary.eligible += sum(1 for _id, eligible in rows if eligible)
            after = max(pk for pk, _e in rows)
            if progress:
                progress(summary.checked, total=total)
            if len(rows) < chunk:
                break


def _json(data):
    import json

    return json.dumps(data, ensure_ascii=False)
