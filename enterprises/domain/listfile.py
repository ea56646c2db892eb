"""Reading the province's lists (the registration list, the high-tech and 专精特新 lists): the shared machinery.

A list is an .xlsx workbook (told by its content) or a CSV file (UTF-8, or GBK as Excel saves it on
Chinese Windows). Its first row names the columns, in Chinese or English; `header_keys` maps the
normalised names (and any aliases) to the importer's keys, and `keyed_rows` gives the data rows as
{key: cell}, refusing a file that lacks a required column.
"""

import csv
import datetime
import io

from django.utils.translation import gettext as _

from pojian.domain import uscc as uscc_code
from pojian.domain.jobs import JobFailed
from pojian.models import Region

from ..models import Enterprise
from .import_tax import _blank, _normalise_header, parse_year


def header_keys(columns, aliases=None):
    """{normalised header: key} for COLUMNS [(key, Chinese header, English header)] and {alias header: key}."""
    keys = {}
    for key, zh, en in columns:
        keys[_normalise_header(zh)] = key
        keys[_normalise_header(en)] = key
    for alias, key in (aliases or {}).items():
        keys[_normalise_header(alias)] = key
    return keys


def _table_from_xlsx(source):
    from openpyxl import load_workbook

    try:
        wb = load_workbook(source, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable file is the same problem for the user
        raise JobFailed(_("The file could not be read as an Excel (.xlsx) workbook or a CSV file.")) from None
    try:
        return [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    finally:
        wb.close()


def _table_from_csv(raw):
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        return [row for row in csv.reader(io.StringIO(text))]
    raise JobFailed(_("The file could not be read as an Excel (.xlsx) workbook or a CSV file."))


def read_table(source, *, filename=""):
    """The rows of the file as lists of cells: .xlsx by its content (a zip), otherwise CSV."""
    raw = source.read() if hasattr(source, "read") else open(source, "rb").read()
    if raw[:4] == b"PK\x03\x04":
        return _table_from_xlsx(io.BytesIO(raw))
    return _table_from_csv(raw)


def keyed_rows(table, keys, columns, *, optional=()):
    """(names, data) of a table: names {key: the column's header as written}, data [(row number, {key: cell})].

    A missing column that is not `optional` is refused, every one named. Blank rows are skipped.
    """
    header = table[0] if table else []
    positions, names = {}, {}
    for i, cell in enumerate(header):
        key = keys.get(_normalise_header(cell))
        if key and key not in positions:
            positions[key] = i
            names[key] = str(cell).strip()
    missing = [zh for key, zh, _en in columns if key not in positions and key not in optional]
    if missing:
        raise JobFailed(
            _("The file lacks the columns: %(columns)s.") % {"columns": "、".join(missing)},
            [{"row": 1, "column": c, "message": str(_("column missing"))} for c in missing],
        )
    for key, zh, _en in columns:
        names.setdefault(key, zh)
    data = []
    for number, row in enumerate(table[1:], start=2):
        if not row or all(_blank(v) for v in row):
            continue
        data.append((number, {key: (row[positions[key]] if key in positions and positions[key] < len(row) else None)
                              for key, _zh, _en in columns}))
    return names, data


def parse_date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip().replace("年", "-").replace("月", "-").replace("日", "").replace("/", "-").replace(".", "-")
    try:
        return datetime.date.fromisoformat("-".join(p.zfill(2) for p in text.split("-")))
    except ValueError:
        raise ValueError(_("“%(value)s” is not a date (write it as 2026-03-15)") % {"value": value}) from None


def nominating_region_codes():
    return dict(Region.objects.nominating().filter(active=True).values_list("code", "pk"))


def region_for_code(code, regions=None):
    """The portal region of a USCC's division code (digits 3–8), or None when none maps."""
    if regions is None:
        regions = nominating_region_codes()
    division = code[2:8]
    if not division.isdigit():
        return None
    return regions.get(division) or regions.get(division[:4] + "00")


def known_enterprises(data):
    """{uscc: (enterprise id, region id)} of the portal's enterprises among the rows' credit codes (the
    rows as `keyed_rows` gives them, with a "uscc" key), a few thousand codes a query."""
    codes = list({uscc_code.normalise(str(c["uscc"])) for _n, c in data if not _blank(c["uscc"])})
    known = {}
    for i in range(0, len(codes), 5000):
        known.update({u: (pk, r) for u, pk, r in Enterprise.objects.filter(uscc__in=codes[i:i + 5000])
                      .values_list("uscc", "pk", "region_id")})
    return known


class RowCheck:
    """The checks the lists share, for one row: each reads a cell, adds its problem to `errors` (under the
    column's name as the sender wrote it) and returns the value, or the blank one when the cell is empty or
    bad. `ok`: the row added no problem."""

    def __init__(self, errors, names, number, cells):
        self.errors, self.names, self.number, self.cells = errors, names, number, cells
        self.before = len(errors)

    @property
    def ok(self):
        return len(self.errors) == self.before

    def add(self, key, message):
        self.errors.add(self.number, self.names[key], message)

    def code(self, as_text=str):
        """The credit code (uscc), normalised; "" when empty or not valid."""
        value = self.cells["uscc"]
        code = "" if _blank(value) else uscc_code.normalise(as_text(value))
        if code and not uscc_code.is_valid(code):
            self.add("uscc", _("“%(code)s” is not a valid unified social credit code (check character)") % {"code": code})
            return ""
        return code

    def year(self):
        """The year (2000 to 2100), or None."""
        value = self.cells["year"]
        if _blank(value):
            return None
        try:
            year = parse_year(value)
            if not 2000 <= year <= 2100:
                raise ValueError(_("“%(value)s” is not a year") % {"value": value})
        except ValueError as e:
            self.add("year", e)
            return None
        return year

    def date(self):
        """The date, or None."""
        if _blank(self.cells["date"]):
            return None
        try:
            return parse_date(self.cells["date"])
        except ValueError as e:
            self.add("date", e)
            return None

    def once_a_year(self, seen, code, year):
        """The enterprise is on the list once a year: `seen` {(code, year): row number} of the rows before."""
        if not code or year is None:
            return
        if (code, year) in seen:
            self.add("uscc", _("the enterprise appears more than once for %(year)s in the file (also row %(row)s)") % {
                "year": year, "row": seen[(code, year)]})
        else:
            seen[(code, year)] = self.number

    def enterprise(self, code, known, regions):
        """(enterprise id, region id) by `enterprise_for_code`; (None, None) without a code."""
        if not code:
            return None, None
        enterprise_id, region_id, problem = enterprise_for_code(code, known, regions)
        if problem:
            self.add("uscc", problem)
        return enterprise_id, region_id


def enterprise_for_code(code, known, regions):
    """(enterprise id, region id, error) for a list row's credit code: the portal's enterprise when `known`
    ({uscc: (id, region id)}) has it, else the region a new enterprise would be added in; the error (a
    message for the row) when neither is found."""
    if code in known:
        return (*known[code], None)
    region_id = region_for_code(code, regions)
    if region_id is None:
        return None, None, _(
            "the enterprise is not in the portal, and the division code %(division)s in its credit code "
            "belongs to no region of the portal; add the enterprise first or correct the code") % {"division": code[2:8]}
    return None, region_id, None
