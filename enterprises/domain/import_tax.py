"""Importing the tax departments' figures (税务数据) from an .xlsx file.

Columns: 统一社会信用代码, 年度, 销售收入(元), 研发费用(元), 资产总额(元), 从业人数 (English headers
uscc, year, revenue, rd_expense, total_assets, employees are accepted too).

All or nothing: every row is checked first and every bad row is reported with its column and
a message in the user's language (Chinese by default); only a clean file writes anything. Then
the tax figures of the year are written in one upsert (INSERT … ON CONFLICT (enterprise, year)
DO UPDATE of the *_tax columns only, so the declared figures stay; fed by COPY on PostgreSQL,
in batches elsewhere), each change is recorded in the audit trail, and the 四科 check is re-run
for the nominations of the enterprises concerned, set-based.

openpyxl directly, not django-import-export: the file is not a model↔sheet mapping (one row
updates four columns of a row found by another model's key, for a year given outside the file,
and may create it), the import must run in a Celery job with progress, report every row's
problems together in Chinese, and handle 50,000 rows in seconds (read-only mode, bulk upsert);
import-export's row-by-row resource machinery is built for the admin's small files.
"""

import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal
from io import BytesIO

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.datavalidation import DataValidation

from pojian.domain import money
from pojian.domain import uscc as uscc_code
from pojian.domain.jobs import JobFailed, raise_row_errors, run_import_job, send_on_commit
from pojian.domain.xlsx import check_import_limits, open_read_only, too_many_rows

from ..models import Enterprise, EnterpriseYear
from . import checks

# key, Chinese header (the template's), English header
COLUMNS = [
    ("uscc", "统一社会信用代码", "uscc"),
    ("year", "年度", "year"),
    ("revenue", "销售收入(元)", "revenue"),
    ("rd_expense", "研发费用(元)", "rd_expense"),
    ("total_assets", "资产总额(元)", "total_assets"),
    ("employees", "从业人数", "employees"),
]
MONEY_KEYS = ("revenue", "rd_expense", "total_assets")
MONEY_MAX = Decimal("99999999999999.99")  # max_digits=16, decimal_places=2
COUNT_MAX = 2_147_483_647
_MONEY_INT_MAX = int(MONEY_MAX)
BATCH_SIZE = 2000
LOOKUP_CHUNK = 5000  # SQLite allows only so many parameters in one IN (...)
PHASES = 3  # the bar: reading the file, writing the figures, re-checking the nominations


def _normalise_header(text):
    text = str(text or "").strip().lower()
    for a, b in (("(", "("), (")", ")"), (" ", ""), ("\u3000", "")):
        text = text.replace(a, b)
    return text


HEADER_KEYS = {}
for _key, _zh, _en in COLUMNS:
    HEADER_KEYS[_normalise_header(_zh)] = _key
    HEADER_KEYS[_normalise_header(_en)] = _key
    HEADER_KEYS[_normalise_header(_zh.split("(")[0])] = _key  # 销售收入 without the unit


@dataclass
class TaxRow:
    row: int
    uscc: str
    revenue: Decimal
    rd_expense: Decimal
    total_assets: Decimal
    employees: int
    enterprise_id: int | None = None


@dataclass
class ImportResult:
    year: int
    rows: int = 0
    created: int = 0
    updated: int = 0
    checked: int = 0
    eligible: int = 0
    imported_at: datetime.datetime | None = None
    errors: list = field(default_factory=list)

    def message(self):
        return _(
            "%(rows)s rows of tax data for %(year)s imported (%(updated)s figure sets updated, %(created)s created); "
            "%(checked)s nominations re-checked, %(eligible)s meet the 四科 standard."
        ) % {
            "rows": self.rows, "year": self.year, "updated": self.updated, "created": self.created,
            "checked": self.checked, "eligible": self.eligible,
        }


class Errors(list):
    def add(self, row, column, message):
        self.append({"row": row, "column": str(column), "message": str(message)})


# --- parsing ----------------------------------------------------------------------------------


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def _blank_row(row):
    for value in row:
        if value is not None and not (isinstance(value, str) and not value.strip()):
            return False
    return True


def parse_money(value):
    """Decimal yuan from a cell (number, or text such as 12万 or 1,234,567.89); raises ValueError with the user's message."""
    return money.parse_money(value, maximum=MONEY_MAX)


def _fast_money(value):
    """parse_money for the cells a spreadsheet holds most (non-negative numbers within the column), else None.

    Same value as parse_money, without its general path; anything else, errors included, goes there."""
    kind = type(value)
    if kind is int:
        if 0 <= value <= _MONEY_INT_MAX:
            return Decimal(value).quantize(money.FEN)
    elif kind is float and 0.0 <= value < 1e14:
        amount = Decimal(repr(value))  # Excel's double as the user typed it (as parse_money reads it)
        exact = amount.quantize(money.FEN)
        if exact == amount and exact <= MONEY_MAX:  # at most two decimals
            return exact
    return None


def _fast_count(value):
    """parse_count for a whole number within the column (an int, or a float such as 12.0), else None."""
    kind = type(value)
    if kind is float and value.is_integer():
        value = int(value)
        kind = int
    if kind is int and 0 <= value <= COUNT_MAX:
        return value
    return None


def parse_count(value):
    if isinstance(value, bool):
        raise ValueError(_("not a number"))
    try:
        number = parse_money(value)
    except ValueError:
        raise ValueError(_("“%(value)s” is not a whole number") % {"value": value}) from None
    if number != number.to_integral_value():
        raise ValueError(_("must be a whole number"))
    if number > COUNT_MAX:
        raise ValueError(_("the number is too large"))
    return int(number)


def parse_year(value):
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value).strip()
    if text.endswith("年"):
        text = text[:-1]
    if text.isdigit():
        return int(text)
    raise ValueError(_("“%(value)s” is not a year") % {"value": value})


def read_sheet(source):
    """(header names by key, [(row_number, {key: value})]) from the first sheet, read-only."""
    check_import_limits(source)
    try:
        # Read once: openpyxl's load_workbook parses a sheet that declares no size in full to look for it.
        wb = open_read_only(source)
    except Exception:  # noqa: BLE001 - any unreadable file is the same problem for the user
        raise JobFailed(_("The file could not be read as an Excel (.xlsx) workbook.")) from None
    try:
        ws = wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None) or ()
        positions, names = {}, {}
        for i, cell in enumerate(header):
            key = HEADER_KEYS.get(_normalise_header(cell))
            if key and key not in positions:
                positions[key] = i
                names[key] = str(cell).strip()
        missing = [zh for key, zh, _en in COLUMNS if key not in positions]
        if missing:
            raise JobFailed(
                _("The file lacks the columns: %(columns)s. Use the template.") % {"columns": "、".join(missing)},
                [{"row": 1, "column": c, "message": _("column missing")} for c in missing],
            )
        keys, at = list(positions), list(positions.values())
        width = max(at) + 1
        padding = (None,) * width
        limit = settings.IMPORT_MAX_ROWS + 1
        data = []
        for number, row in enumerate(rows, start=2):
            if number > limit:
                raise JobFailed(too_many_rows(number - 1))
            if not row or _blank_row(row):
                continue
            if len(row) < width:
                row = (*row, *padding[len(row):])
            data.append((number, dict(zip(keys, [row[i] for i in at], strict=True))))
        return names, data
    finally:
        wb.close()


def parse(source, *, year, progress=None):
    """Check every row; returns [TaxRow] or raises JobFailed listing every bad row."""
    names, data = read_sheet(source)
    return check_rows(names, data, year=year, progress=progress)


def check_rows(names, data, *, year, progress=None):
    """The checks of `parse` on rows from any source (a sheet, the API's JSON push).

    names: {key: the column's name as the sender wrote it}; data: [(row number, {key: value})].
    """
    if not data:
        raise JobFailed(_("The file has no data rows."))
    errors = Errors()
    rows, seen = [], {}
    total = len(data)
    valid_code, normalise = uscc_code.is_valid, uscc_code.normalise
    # The numbers a spreadsheet holds take the fast path; text (12万) and every error the full one.
    figures = [(key, _fast_money, parse_money) for key in MONEY_KEYS] + [("employees", _fast_count, parse_count)]
    for done, (number, cells) in enumerate(data, start=1):
        ok = True
        code = cells["uscc"]
        code = "" if _blank(code) else normalise(str(code))
        if not code:
            errors.add(number, names["uscc"], _("missing value"))
            ok = False
        elif not valid_code(code):
            errors.add(number, names["uscc"], _("“%(code)s” is not a valid unified social credit code (check character)") % {"code": code})
            ok = False
        elif code in seen:
            errors.add(number, names["uscc"], _("the code appears more than once in the file (also row %(row)s)") % {"row": seen[code]})
            ok = False
        else:
            seen[code] = number
        cell = cells["year"]
        if cell != year or type(cell) is not int:  # the common case: the year as a number, the right one
            if _blank(cell):
                errors.add(number, names["year"], _("missing value"))
                ok = False
            else:
                try:
                    row_year = parse_year(cell)
                except ValueError as e:
                    errors.add(number, names["year"], e)
                    ok = False
                else:
                    if row_year != year:
                        errors.add(number, names["year"], _("the year %(row_year)s is not the year being imported (%(year)s)") % {"row_year": row_year, "year": year})
                        ok = False
        values = []
        for key, fast, parse_value in figures:
            cell = cells[key]
            value = fast(cell)
            if value is None:
                if _blank(cell):
                    errors.add(number, names[key], _("missing value"))
                    ok = False
                    continue
                try:
                    value = parse_value(cell)
                except ValueError as e:
                    errors.add(number, names[key], e)
                    ok = False
                    continue
            values.append(value)
        if ok:
            rows.append(TaxRow(number, code, *values))
        if progress and done % 1000 == 0:
            progress(done, total=PHASES * total)  # reading is the first of the job's three parts
    # Which enterprises are these? One query.
    known = enterprise_ids([r.uscc for r in rows])
    for r in rows:
        r.enterprise_id = known.get(r.uscc)
        if r.enterprise_id is None:
            errors.add(r.row, names["uscc"], _("no enterprise with the code %(code)s is in the portal") % {"code": r.uscc})
    raise_row_errors(errors)
    return rows


def enterprise_ids(codes):
    """{uscc: enterprise id} of the enterprises with these codes (the others are not in the portal)."""
    if connection.vendor == "postgresql":
        # One query with the codes as an array: 250,000 codes in chunks of IN (...) lists cost
        # 50 queries and seconds of building their SQL.
        table = connection.ops.quote_name(Enterprise._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT uscc, id FROM {table} WHERE uscc = ANY(%s::text[])", [codes])
            return dict(cursor.fetchall())
    known = {}
    for i in range(0, len(codes), LOOKUP_CHUNK):
        known.update(Enterprise.objects.filter(uscc__in=codes[i:i + LOOKUP_CHUNK]).values_list("uscc", "pk"))
    return known


# --- writing ----------------------------------------------------------------------------------


TAX_FIELDS = ["revenue_tax", "rd_expense_tax", "total_assets_tax", "employees_tax", "tax_imported_at"]


def write(rows, *, year, by=None, progress=None, total=None):
    """Upsert the tax figures; record them in the audit trail; re-check the year's nominations concerned."""
    now = timezone.now()
    result = ImportResult(year=year, rows=len(rows), imported_at=now)
    if connection.vendor == "postgresql":
        # The audit entries are written by the same statement as the figures.
        result.created = upsert_by_copy(rows, year=year, now=now, by=by)
        result.updated = result.rows - result.created
        if progress:
            progress(2 * len(rows), total=total, force=True)
    else:
        existing = set()
        ids = [r.enterprise_id for r in rows]
        for i in range(0, len(ids), LOOKUP_CHUNK):
            existing.update(EnterpriseYear.objects.filter(year=year, enterprise_id__in=ids[i:i + LOOKUP_CHUNK])
                            .values_list("enterprise_id", flat=True))
        result.updated = sum(1 for r in rows if r.enterprise_id in existing)
        result.created = result.rows - result.updated
        for i in range(0, len(rows), BATCH_SIZE):
            batch = [
                EnterpriseYear(
                    enterprise_id=r.enterprise_id, year=year, revenue_tax=r.revenue, rd_expense_tax=r.rd_expense,
                    total_assets_tax=r.total_assets, employees_tax=r.employees, tax_imported_at=now,
                )
                for r in rows[i:i + BATCH_SIZE]
            ]
            EnterpriseYear.objects.bulk_create(
                batch, update_conflicts=True, unique_fields=["enterprise", "year"], update_fields=TAX_FIELDS,
            )
            if progress:
                progress(len(rows) + i + len(batch), total=total)
        record_history(year=year, imported_at=now, by=by)
    # The pool (培育库): the enterprises with tax figures enter it, their tiers are evaluated again, on commit.
    from .pool import Via, refresh_on_commit

    refresh_on_commit([r.enterprise_id for r in rows], via=Via.TAX)
    # `year` is the fiscal year of the figures: re-check the programme years judged on it (by their rulebooks).
    result.checked = result.eligible = 0
    for programme_year in programme_years_judged_on(year):
        summary = checks.check_nominations(
            checks.live_nominations(programme_year).filter(
                enterprise__years__year=year, enterprise__years__tax_imported_at=now,
            ),
            year=programme_year,
            progress=_last_part_of(progress, start=2 * len(rows), size=len(rows), total=total) if progress else None,
        )
        result.checked += summary.checked
        result.eligible += summary.eligible
    return result


def programme_years_judged_on(figures_year):
    """The programme years (with a cycle) whose current rulebook judges on the figures of `figures_year`."""
    from pojian.models import Cycle

    from .rulebook import rulebook_for

    return [y for y in Cycle.objects.order_by("year").values_list("year", flat=True)
            if rulebook_for(y).figures_year == figures_year]


def _last_part_of(progress, *, start, size, total):
    """The re-check's progress (done of its own count) shown as the last `size` units of the import's bar."""
    import_total = total

    def report(done, total=None, message=None, force=False):
        share = size * done // total if total else 0
        progress(start + share, total=import_total, message=message, force=force)

    return report


def upsert_by_copy(rows, *, year, now, by=None):
    """PostgreSQL: the same upsert as bulk_create(update_conflicts=True), as one COPY into a temporary
    table and one INSERT … ON CONFLICT (enterprise, year) DO UPDATE of the *_tax columns: 50,000
    rows in about a second instead of five. Only numbers go through COPY (ids and parsed decimals).
    The same statement writes the audit entries (as record_history) from the rows it returns, so
    the written rows are not looked for again. Returns how many figure sets it created."""
    qn = connection.ops.quote_name
    table = qn(EnterpriseYear._meta.db_table)
    history = qn(EnterpriseYear.history.model._meta.db_table)
    fields = [qn(f.column) for f in EnterpriseYear._meta.concrete_fields]
    columns = [*fields, "history_date", "history_change_reason", "history_type", "history_user_id"]
    temp = "enterprises_tax_in"
    data = io.StringIO("".join(
        f"{r.enterprise_id}\t{r.revenue}\t{r.rd_expense}\t{r.total_assets}\t{r.employees}\n" for r in rows
    ))
    with transaction.atomic(), connection.cursor() as cursor:  # ON COMMIT DROP needs a transaction
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{temp}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {temp} (enterprise_id bigint NOT NULL, revenue numeric(16,2) NOT NULL, "
            "rd_expense numeric(16,2) NOT NULL, total_assets numeric(16,2) NOT NULL, employees integer NOT NULL) "
            "ON COMMIT DROP"
        )
        cursor.cursor.copy_expert(f"COPY {temp} FROM STDIN", data)
        cursor.execute(
            f"WITH up AS (INSERT INTO {table} (enterprise_id, year, revenue_tax, rd_expense_tax, total_assets_tax, employees_tax, "
            f"tax_imported_at) SELECT enterprise_id, %s, revenue, rd_expense, total_assets, employees, %s FROM {temp} "
            "ON CONFLICT (enterprise_id, year) DO UPDATE SET revenue_tax = EXCLUDED.revenue_tax, "
            "rd_expense_tax = EXCLUDED.rd_expense_tax, total_assets_tax = EXCLUDED.total_assets_tax, "
            "employees_tax = EXCLUDED.employees_tax, tax_imported_at = EXCLUDED.tax_imported_at "
            # xmax = 0: a row inserted, not updated (no look-up of the existing ones beforehand)
            f"RETURNING {', '.join(fields)}, xmax = 0 AS inserted), "
            f"audit AS (INSERT INTO {history} ({', '.join(columns)}) SELECT {', '.join(fields)}, %s, %s, %s, %s FROM up) "
            "SELECT count(*) FILTER (WHERE inserted) FROM up",
            [year, now, now, str(_("tax data import")), "~", by.pk if by else None],
        )
        (created,) = cursor.fetchone()
        cursor.execute(f"DROP TABLE {temp}")
    return created


def record_history(*, year, imported_at, by=None):
    """One audit entry per figure set written by this import, in one INSERT … SELECT (not PostgreSQL,
    where upsert_by_copy writes them with the figures).

    Bulk writes skip simple-history's signals, and building 50,000 historical objects in Python
    takes longer than the import itself; the database copies the rows it has just written instead.
    The entries read "changed" with the reason "tax data import" and the office user who ran it.
    """
    history = EnterpriseYear.history.model
    qn = connection.ops.quote_name
    fields = [f.column for f in EnterpriseYear._meta.concrete_fields]
    columns = [*fields, "history_date", "history_change_reason", "history_type", "history_user_id"]
    sql = (
        f"INSERT INTO {qn(history._meta.db_table)} ({', '.join(qn(c) for c in columns)}) "
        f"SELECT {', '.join(qn(c) for c in fields)}, %s, %s, %s, %s FROM {qn(EnterpriseYear._meta.db_table)} "
        f"WHERE {qn('year')} = %s AND {qn('tax_imported_at')} = %s"
    )
    stamp = connection.ops.adapt_datetimefield_value(imported_at)  # as the ORM stores it (SQLite: naive UTC text)
    with connection.cursor() as cursor:
        cursor.execute(sql, [stamp, str(_("tax data import")), "~", by.pk if by else None, year, stamp])


def import_tax(source, *, year, by=None, progress=None):
    """Parse and import a whole file, all or nothing. Raises JobFailed with every bad row.

    Reading and checking the rows writes nothing, so it runs outside the transaction and its
    progress is visible while it runs; the writes then happen in one transaction.
    """
    names, data = read_sheet(source)
    return import_tax_rows(names, data, year=year, by=by, progress=progress)


def import_tax_rows(names, data, *, year, by=None, progress=None):
    """The import of rows already read (from a sheet, or pushed through the API as JSON)."""
    rows = check_rows(names, data, year=year, progress=progress)
    total = PHASES * len(rows)
    if progress:
        progress(len(rows), total=total, force=True)
    with transaction.atomic():
        result = write(rows, year=year, by=by, progress=progress, total=total)
    if len(rows) >= checks.ANALYZE_AFTER:
        # Committed: the rewritten rows' old versions can go. In a task of its own, so that a slow
        # or failed VACUUM never marks an import that has already committed as failed.
        from ..tasks import tidy_after_import

        send_on_commit(tidy_after_import)
    return result


def tax_import_job(job, progress):
    """Work function for run_job: job.params = {"year": …, "language": …}; the file is job.input_file."""
    return run_import_job(job, progress, import_tax, year=int(job.params["year"]))


def tax_import_dedupe_key(year):
    return f"enterprises.import_tax:{year}"


# --- the template -----------------------------------------------------------------------------


def template_workbook(year=None) -> bytes:
    """An empty import file: Chinese headers (the file format), a sheet explaining each column, data validation."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("Tax data")[:31]
    bold = Font(bold=True)
    for i, (_key, zh, _en) in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=i, value=zh)
        cell.font = bold
        cell.alignment = Alignment(horizontal="center")
        ws.column_dimensions[cell.column_letter].width = 22 if i == 1 else 16
    ws.freeze_panes = "A2"
    # The code as text, so Excel keeps it exactly as typed.
    for row in range(2, 1002):
        ws.cell(row=row, column=1).number_format = "@"
    rules = [
        ("A2:A100000", DataValidation(type="textLength", operator="equal", formula1="18", allow_blank=True),
         _("The unified social credit code has 18 characters.")),
        ("B2:B100000", DataValidation(type="whole", operator="between", formula1="2000", formula2="2100", allow_blank=True),
         _("The year as four digits; it must be the year chosen for the import.")),
        ("C2:E100000", DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True),
         _("An amount in yuan, not negative, at most two decimal places.")),
        ("F2:F100000", DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True),
         _("A whole number, not negative.")),
    ]
    for cells, rule, message in rules:
        rule.error = str(message)
        rule.errorTitle = str(_("Not accepted"))
        rule.showErrorMessage = True
        ws.add_data_validation(rule)
        rule.add(cells)
    if year:
        ws.cell(row=2, column=2, value=year)
    help_ws = wb.create_sheet(str(_("How to fill in"))[:31])
    help_ws.append([str(_("Column")), str(_("What to enter"))])
    for c in help_ws[1]:
        c.font = bold
    explanations = [
        _("The 18-character unified social credit code (GB 32100-2015) of an enterprise already in the portal; one row per enterprise."),
        _("The year the figures are for (four digits); it must be the year chosen for the import."),
        _("Sales revenue for the year as the tax department holds it, in yuan, at most two decimal places, not negative."),
        _("R&D expense for the year, in yuan, at most two decimal places, not negative."),
        _("Total assets at the end of the year, in yuan, at most two decimal places, not negative."),
        _("Number of employees for the year, a whole number, not negative."),
    ]
    for (_key, zh, _en), text in zip(COLUMNS, explanations, strict=True):
        help_ws.append([zh, str(text)])
    help_ws.append([str(_("Rules")), str(_(
        "The file is imported only when every row is correct; otherwise every problem is listed and nothing is "
        "imported. Tax figures take precedence over the figures the bureaus declared."
    ))])
    help_ws.column_dimensions["A"].width = 20
    help_ws.column_dimensions["B"].width = 100
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
