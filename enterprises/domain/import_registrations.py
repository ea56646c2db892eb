"""Importing the province's registration list (入库登记) from the national evaluation platform.

Columns: 企业名称, 统一社会信用代码, 登记编号, 年度, 状态 (入库 / 撤销), 日期 — an .xlsx workbook or a
.csv file (UTF-8, or GBK as Excel saves it on Chinese Windows).

The list is authoritative:
- a registration the bureau typed keeps its number, and the list's number is stored beside it
  (`listed_number`): a number that disagrees is flagged on the nomination page;
- a registration the portal does not have is created with the list's number;
- an enterprise the portal does not know is created, in the region its code says: digits 3–8
  of the 统一社会信用代码 are the registering authority's division code (GB 32100-2015), matched
  to a portal region by the county's city (2201xx → 长春市) or by its own code (220581 梅河口市);
  a code that maps to no region is refused with the reason;
- a revocation (撤销) makes the registration stop counting (`Registration.objects` leaves it
  out), re-runs the 四科 check of the enterprise's live nominations and tells their bureaus.
A number whose year prefix (its first four digits) is not its 年度 is refused.

All or nothing: every row is checked first, every bad row is reported (in the user's language);
only a clean file writes anything, in one transaction.
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from pojian.domain.jobs import JobFailed, raise_row_errors, run_import_job
from pojian.domain.notifications import notify, region_bureau_users
from pojian.models import Cycle, NominationState

from ..models import Enterprise, EnterpriseNomination, Registration
from . import checks
from .import_tax import Errors, _blank
from .listfile import RowCheck, header_keys, keyed_rows, known_enterprises, nominating_region_codes, read_table

# key, Chinese header, English header
COLUMNS = [
    ("name", "企业名称", "name"),
    ("uscc", "统一社会信用代码", "uscc"),
    ("number", "登记编号", "number"),
    ("year", "年度", "year"),
    ("status", "状态", "status"),
    ("date", "日期", "date"),
]
HEADER_KEYS = header_keys(COLUMNS, {"入库登记编号": "number", "入库编号": "number"})

STATUS_WORDS = {
    "入库": Registration.Status.REGISTERED, "已入库": Registration.Status.REGISTERED,
    "registered": Registration.Status.REGISTERED,
    "撤销": Registration.Status.REVOKED, "已撤销": Registration.Status.REVOKED, "revoked": Registration.Status.REVOKED,
}
NUMBER_MAX = Registration._meta.get_field("number").max_length
NAME_MAX = Enterprise._meta.get_field("name").max_length
PHASES = 2  # reading the file, writing


@dataclass
class ListRow:
    row: int
    name: str
    uscc: str
    number: str
    year: int
    status: str
    date: datetime.date
    enterprise_id: int | None = None
    region_id: int | None = None


@dataclass
class ImportResult:
    rows: int = 0
    enterprises_created: int = 0
    created: int = 0
    updated: int = 0
    disagreeing: int = 0
    revoked: int = 0
    rechecked: int = 0
    notified: int = 0
    revoked_enterprises: list = field(default_factory=list)

    def message(self):
        return _(
            "%(rows)s rows of the registration list imported: %(created)s registrations added, %(updated)s updated, "
            "%(enterprises)s enterprises added; %(disagreeing)s typed numbers disagree with the list; %(revoked)s "
            "revocations, %(rechecked)s nominations re-checked."
        ) % {
            "rows": self.rows, "created": self.created, "updated": self.updated, "enterprises": self.enterprises_created,
            "disagreeing": self.disagreeing, "revoked": self.revoked, "rechecked": self.rechecked,
        }


# --- reading ----------------------------------------------------------------------------------


def parse(source, *, progress=None):
    """Check every row; returns [ListRow] or raises JobFailed listing every bad row."""
    names, data = keyed_rows(read_table(source), HEADER_KEYS, COLUMNS)
    return check_rows(names, data, progress=progress)


def check_rows(names, data, *, progress=None):
    """The checks of `parse` on rows from any source (a file, the API's JSON push).

    names: {key: the column's name as the sender wrote it}; data: [(row number, {key: value})].
    """
    if not data:
        raise JobFailed(_("The file has no data rows."))

    errors = Errors()
    regions = nominating_region_codes()
    known = known_enterprises(data)
    rows, seen, numbers = [], {}, {}
    for done, (number, cells) in enumerate(data, start=1):
        row = RowCheck(errors, names, number, cells)
        for key in ("name", "uscc", "number", "year", "status", "date"):
            if _blank(cells[key]):
                row.add(key, _("missing value"))
        name = "" if _blank(cells["name"]) else str(cells["name"]).strip()
        if len(name) > NAME_MAX:
            row.add("name", _("longer than %(n)s characters") % {"n": NAME_MAX})
        code = row.code()
        year = row.year()
        reg_number = "" if _blank(cells["number"]) else str(cells["number"]).strip().upper()
        if isinstance(cells["number"], float) and cells["number"].is_integer():
            reg_number = str(int(cells["number"]))
        if reg_number:
            if len(reg_number) > NUMBER_MAX:
                row.add("number", _("longer than %(n)s characters") % {"n": NUMBER_MAX})
            elif year is not None and reg_number[:4] != str(year):
                row.add("number", _(
                    "the number %(number)s does not begin with its year %(year)s; a registration number is valid "
                    "for its own year only") % {"number": reg_number, "year": year})
            elif year is not None and (reg_number, year) in numbers:
                row.add("number", _("the number appears more than once in the file (also row %(row)s)")
                        % {"row": numbers[(reg_number, year)]})
            else:
                numbers[(reg_number, year)] = number
        status = None
        if not _blank(cells["status"]):
            status = STATUS_WORDS.get(str(cells["status"]).strip().lower())
            if status is None:
                row.add("status", _("“%(value)s” is not a status: write 入库 or 撤销") % {"value": cells["status"]})
        when = row.date()
        row.once_a_year(seen, code, year)
        enterprise_id, region_id = row.enterprise(code, known, regions)
        if row.ok:
            rows.append(ListRow(row=number, name=name, uscc=code, number=reg_number, year=year, status=status, date=when,
                                enterprise_id=enterprise_id, region_id=region_id))
        if progress and done % 1000 == 0:
            progress(done, total=PHASES * len(data))
    raise_row_errors(errors)
    return rows


# --- writing ----------------------------------------------------------------------------------


def write(rows, *, by=None, progress=None):
    """Apply a checked list: enterprises, registrations, then the re-checks and notices of revocations."""
    now = timezone.now()
    result = ImportResult(rows=len(rows))
    reason = "registration list"
    with transaction.atomic():
        new_enterprises = [Enterprise(name=r.name, uscc=r.uscc, region_id=r.region_id) for r in rows
                           if r.enterprise_id is None]
        # One enterprise may be on the list for two years: create it once.
        unique_new = list({e.uscc: e for e in new_enterprises}.values())
        bulk_create_with_history(unique_new, Enterprise, default_user=by, default_change_reason=reason)
        result.enterprises_created = len(unique_new)
        if unique_new:
            created_ids = dict(Enterprise.objects.filter(uscc__in=[e.uscc for e in unique_new]).values_list("uscc", "pk"))
            for r in rows:
                if r.enterprise_id is None:
                    r.enterprise_id = created_ids[r.uscc]
        existing = {}
        ids = [r.enterprise_id for r in rows]
        for i in range(0, len(ids), 5000):
            for reg in Registration.all_objects.filter(enterprise_id__in=ids[i:i + 5000], year__in={r.year for r in rows}):
                existing[(reg.enterprise_id, reg.year)] = reg
        new, changed, status_changed = [], [], []
        for r in rows:
            reg = existing.get((r.enterprise_id, r.year))
            if reg is None:
                new.append(Registration(enterprise_id=r.enterprise_id, year=r.year, number=r.number, status=r.status,
                                        status_on=r.date, listed_number=r.number, listed_at=now))
                if r.status == Registration.Status.REVOKED:
                    status_changed.append(r)
                continue
            if reg.status != r.status:
                status_changed.append(r)
            reg.status, reg.status_on, reg.listed_number, reg.listed_at = r.status, r.date, r.number, now
            changed.append(reg)
            result.disagreeing += reg.number_disagrees
        bulk_create_with_history(new, Registration, batch_size=2000, default_user=by, default_change_reason=reason)
        if changed:
            bulk_update_with_history(changed, Registration, ["status", "status_on", "listed_number", "listed_at"],
                                     batch_size=2000, default_user=by, default_change_reason=reason)
        result.created, result.updated = len(new), len(changed)
        result.revoked = sum(1 for r in rows if r.status == Registration.Status.REVOKED)
        if progress:
            progress(len(rows) * PHASES - 1, total=len(rows) * PHASES, force=True)
        recheck_and_notify(status_changed, result=result)
        # The pool (培育库): the listed enterprises enter it, their tiers are evaluated again, on commit.
        from .pool import Via, refresh_on_commit

        refresh_on_commit([r.enterprise_id for r in rows], via=Via.REGISTRATION)
    return result


def recheck_and_notify(rows, *, result):
    """Re-check the live nominations of enterprises whose registration status changed; tell their bureaus."""
    if not rows:
        return
    by_enterprise = {r.enterprise_id: r for r in rows}
    # Live: in a year that is not closed, and neither withdrawn nor rejected.
    nominations = list(
        EnterpriseNomination.objects.filter(enterprise_id__in=by_enterprise)
        .exclude(cycle__status=Cycle.Status.CLOSED)
        .exclude(state__in=[NominationState.WITHDRAWN, NominationState.REJECTED])
        .select_related("cycle", "enterprise")
    )
    for year in sorted({n.cycle.year for n in nominations}):
        summary = checks.check_nominations(
            EnterpriseNomination.objects.filter(pk__in=[n.pk for n in nominations if n.cycle.year == year]), year=year)
        result.rechecked += summary.checked
    for n in nominations:
        r = by_enterprise[n.enterprise_id]
        revoked = r.status == Registration.Status.REVOKED
        subject = (_("%(name)s: its tech SME registration for %(year)s was revoked") if revoked
                   else _("%(name)s: its tech SME registration for %(year)s is listed again")) % {
            "name": n.enterprise.name, "year": r.year}
        body = _("The province's registration list (number %(number)s, %(date)s) says: %(status)s. The 四科 check of "
                 "the nomination for %(cycle)s has been run again.") % {
            "number": r.number, "date": r.date.isoformat(), "status": Registration.Status(r.status).label,
            "cycle": n.cycle.year}
        result.notified += len(notify(region_bureau_users(n.region_id), subject=str(subject), body=str(body),
                                      url=reverse("enterprises:bureau_nomination", args=[n.pk])))
        if revoked:
            result.revoked_enterprises.append(n.enterprise.name)


def import_file(source, *, by=None, progress=None):
    rows = parse(source, progress=progress)
    return write(rows, by=by, progress=progress)


def import_rows(names, data, *, by=None, progress=None):
    """The import of rows already read (pushed through the API as JSON): checked and written as a file's."""
    return write(check_rows(names, data, progress=progress), by=by, progress=progress)


def import_job(job, progress):
    """Work for run_job: the job's input file; params: language."""
    return run_import_job(job, progress, import_file)


def import_dedupe_key():
    return "enterprises.import_registrations"


def template_rows():
    return [[zh for _k, zh, _en in COLUMNS]]
