"""Importing the lists that place enterprises on the higher tiers (梯次): 高新技术企业, 专精特新, 小巨人.

- 高新技术企业 (the high-tech enterprise list, as the recognition bodies publish it with the credit codes):
  企业名称, 统一社会信用代码, 证书编号 (GR + year + province + serial, e.g. GR202422000123), 发证日期;
  optional 批次 and 认定年度 (by default the certificate's year). A certificate whose year is not
  its recognition year is refused.
- 专精特新中小企业 and 专精特新"小巨人"企业 (the province's and the ministry's lists):
  企业名称, 统一社会信用代码, 年度, 批次; optional 文号 (the list's document number) and 日期.

Each row records a Recognition (kind, year, certificate or document number, batch, date, and the
evidence: the file and its row); a recognition already recorded for that enterprise, kind and year
is updated. An enterprise the portal does not know is added in the region its credit code says
(as the registration list does). The recognised enterprises' tiers are evaluated again on commit
(the pool's refresh). All or nothing: every row is checked first, every bad row is reported.
"""

import re
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from pojian.domain.jobs import JobFailed, raise_row_errors, run_import_job

from ..models import Enterprise, Recognition
from .import_tax import Errors, _blank
from .listfile import RowCheck, header_keys, keyed_rows, known_enterprises, nominating_region_codes, read_table

Kind = Recognition.Kind
KINDS = (Kind.HIGH_TECH, Kind.SPECIALISED, Kind.LITTLE_GIANT)

HIGH_TECH_COLUMNS = [
    ("name", "企业名称", "name"),
    ("uscc", "统一社会信用代码", "uscc"),
    ("reference", "证书编号", "certificate number"),
    ("date", "发证日期", "issued on"),
    ("year", "认定年度", "year"),
    ("batch", "批次", "batch"),
]
HIGH_TECH_OPTIONAL = ("year", "batch")
LIST_COLUMNS = [
    ("name", "企业名称", "name"),
    ("uscc", "统一社会信用代码", "uscc"),
    ("year", "年度", "year"),
    ("batch", "批次", "batch"),
    ("reference", "文号", "document number"),
    ("date", "日期", "date"),
]
LIST_OPTIONAL = ("reference", "date")
ALIASES = {"高企证书编号": "reference", "证书号": "reference", "认定日期": "date", "公布日期": "date", "发文号": "reference",
           "认定批次": "batch", "年份": "year", "入选年度": "year"}

# GR + year + two-digit province + serial (高新技术企业证书编号).
CERTIFICATE = re.compile(r"^GR(\d{4})(\d{2})(\d{5,6})$")

LABELS = {
    Kind.HIGH_TECH: gettext_lazy("high-tech enterprise list"),
    Kind.SPECIALISED: gettext_lazy("专精特新 list"),
    Kind.LITTLE_GIANT: gettext_lazy("小巨人 list"),
}
NAME_MAX = Enterprise._meta.get_field("name").max_length
REFERENCE_MAX = Recognition._meta.get_field("reference").max_length
BATCH_MAX = Recognition._meta.get_field("batch").max_length
EVIDENCE_MAX = Recognition._meta.get_field("evidence").max_length
PHASES = 2


def columns_for(kind):
    """(COLUMNS, optional keys) of a kind's list."""
    if kind == Kind.HIGH_TECH:
        return HIGH_TECH_COLUMNS, HIGH_TECH_OPTIONAL
    return LIST_COLUMNS, LIST_OPTIONAL


@dataclass
class RecognitionRow:
    row: int
    name: str
    uscc: str
    year: int
    reference: str
    batch: str
    date: object
    enterprise_id: int | None = None
    region_id: int | None = None


@dataclass
class ImportResult:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    enterprises_created: int = 0

    def message(self):
        return _("%(rows)s rows of the %(list)s imported: %(created)s recognitions added, %(updated)s updated, "
                 "%(enterprises)s enterprises added; their tiers are evaluated again.") % {
            "rows": self.rows, "list": LABELS[self.kind], "created": self.created, "updated": self.updated,
            "enterprises": self.enterprises_created}


def _text(value):
    if _blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse(source, *, kind, progress=None):
    """Check every row of a kind's list; returns [RecognitionRow] or raises JobFailed listing every bad row."""
    if kind not in KINDS:
        raise JobFailed(_("Unknown list."))
    columns, optional = columns_for(kind)
    names, data = keyed_rows(read_table(source), header_keys(columns, ALIASES), columns, optional=optional)
    return check_rows(names, data, kind=kind, progress=progress)


def check_rows(names, data, *, kind, progress=None):
    """The checks of `parse` on rows already keyed: names {key: header}; data [(row number, {key: value})]."""
    if not data:
        raise JobFailed(_("The file has no data rows."))
    columns, optional = columns_for(kind)
    required = [key for key, _zh, _en in columns if key not in optional]
    errors = Errors()
    regions = nominating_region_codes()
    known = known_enterprises(data)
    rows, seen, references = [], {}, {}
    for done, (number, cells) in enumerate(data, start=1):
        row = RowCheck(errors, names, number, cells)
        for key in required:
            if _blank(cells[key]):
                row.add(key, _("missing value"))
        name = _text(cells["name"])
        if len(name) > NAME_MAX:
            row.add("name", _("longer than %(n)s characters") % {"n": NAME_MAX})
        code = row.code(_text)
        when = row.date()
        year = row.year()
        if _blank(cells["year"]) and kind == Kind.HIGH_TECH and when is not None:
            year = when.year  # 认定年度 left out: the certificate's date says it
        reference = _text(cells["reference"]).upper() if kind == Kind.HIGH_TECH else _text(cells["reference"])
        if len(reference) > REFERENCE_MAX:
            row.add("reference", _("longer than %(n)s characters") % {"n": REFERENCE_MAX})
        elif kind == Kind.HIGH_TECH and reference:
            match = CERTIFICATE.match(reference)
            if match is None:
                row.add("reference", _(
                    "“%(value)s” is not a high-tech enterprise certificate number (GR, the year, the province and the "
                    "serial, as GR202422000123)") % {"value": reference})
            elif year is not None and int(match.group(1)) != year:
                row.add("reference", _(
                    "the certificate %(number)s is of %(cert_year)s, not of the recognition year %(year)s") % {
                    "number": reference, "cert_year": match.group(1), "year": year})
            elif reference in references:
                row.add("reference", _(
                    "the certificate appears more than once in the file (also row %(row)s)") % {
                    "row": references[reference]})
            else:
                references[reference] = number
        batch = _text(cells["batch"])
        if len(batch) > BATCH_MAX:
            row.add("batch", _("longer than %(n)s characters") % {"n": BATCH_MAX})
        row.once_a_year(seen, code, year)
        enterprise_id, region_id = row.enterprise(code, known, regions)
        if row.ok:
            rows.append(RecognitionRow(row=number, name=name, uscc=code, year=year, reference=reference, batch=batch,
                                       date=when, enterprise_id=enterprise_id, region_id=region_id))
        if progress and done % 1000 == 0:
            progress(done, total=PHASES * len(data))
    raise_row_errors(errors)
    return rows


def write(rows, *, kind, by=None, filename="", progress=None):
    """Record a checked list's recognitions (and the enterprises it adds), in one transaction; the pool on commit."""
    result = ImportResult(kind=kind, rows=len(rows))
    reason = f"{kind} list"
    with transaction.atomic():
        new_enterprises = list({r.uscc: Enterprise(name=r.name, uscc=r.uscc, region_id=r.region_id)
                                for r in rows if r.enterprise_id is None}.values())
        bulk_create_with_history(new_enterprises, Enterprise, default_user=by, default_change_reason=reason)
        result.enterprises_created = len(new_enterprises)
        if new_enterprises:
            created_ids = dict(Enterprise.objects.filter(uscc__in=[e.uscc for e in new_enterprises])
                               .values_list("uscc", "pk"))
            for r in rows:
                if r.enterprise_id is None:
                    r.enterprise_id = created_ids[r.uscc]
        ids = sorted({r.enterprise_id for r in rows})
        existing = {}
        for i in range(0, len(ids), 5000):
            for rec in Recognition.objects.filter(kind=kind, enterprise_id__in=ids[i:i + 5000],
                                                  year__in={r.year for r in rows}):
                existing[(rec.enterprise_id, rec.year)] = rec
        new, changed = [], []
        for r in rows:
            evidence = (_("%(file)s, row %(row)s") % {"file": filename or LABELS[kind], "row": r.row})[:EVIDENCE_MAX]
            values = {"reference": r.reference, "batch": r.batch, "recognised_on": r.date, "evidence": evidence}
            rec = existing.get((r.enterprise_id, r.year))
            if rec is None:
                new.append(Recognition(enterprise_id=r.enterprise_id, kind=kind, year=r.year, **values))
                continue
            for name, value in values.items():
                setattr(rec, name, value)
            changed.append(rec)
        bulk_create_with_history(new, Recognition, batch_size=2000, default_user=by, default_change_reason=reason)
        if changed:
            bulk_update_with_history(changed, Recognition, ["reference", "batch", "recognised_on", "evidence"],
                                     batch_size=2000, default_user=by, default_change_reason=reason)
        result.created, result.updated = len(new), len(changed)
        if progress:
            progress(len(rows) * PHASES - 1, total=len(rows) * PHASES, force=True)
        # The pool (培育库): the listed enterprises enter it, their tiers are evaluated again, on commit.
        from .pool import Via, refresh_on_commit

        refresh_on_commit(ids, via=Via.RECOGNITION)
    return result


def import_file(source, *, kind, by=None, filename="", progress=None):
    rows = parse(source, kind=kind, progress=progress)
    return write(rows, kind=kind, by=by, filename=filename, progress=progress)


def import_rows(data, *, kind, by=None, filename="", progress=None):
    """A list's rows already read ([(row number, {key: value})], the keys of the kind's COLUMNS), checked and
    written as a file's (the demo seeds its lists this way)."""
    columns, _optional = columns_for(kind)
    names = {key: zh for key, zh, _en in columns}
    rows = check_rows(names, data, kind=kind, progress=progress)
    return write(rows, kind=kind, by=by, filename=filename, progress=progress)


def import_job(job, progress):
    """Work for run_job: the job's input file; params: kind, filename, language."""
    return run_import_job(job, progress, import_file, kind=job.params["kind"], filename=job.params.get("filename", ""))


def import_dedupe_key(kind):
    return f"enterprises.import_recognitions.{kind}"


def template_rows(kind):
    columns, _optional = columns_for(kind)
    return [[zh for _k, zh, _en in columns]]
