"""Importing the technology market's contract registration list (技术合同登记).

Columns: 合同登记号, 登记日期, 合同类型, 项目名称, 买方名称, 买方统一社会信用代码, 卖方名称, 卖方统一社会信用代码,
合同金额, 技术交易额 — an .xlsx workbook or a .csv file (UTF-8, or GBK as Excel saves it on Chinese Windows).

The registry lists every contract of the province. A row concerns the portal when one party is an
enterprise of the portal and the other an institution of the portal (the enterprise is the buyer
(受让方) or the seller); a row between parties the portal does not know at all is skipped and
counted. A row with a portal enterprise but an unknown institution is an error (add the institution
first). A contract already recorded (by its registration number) is updated from the list, which
is authoritative; payments are never touched.

All or nothing: every row is checked first and every bad row reported; only a clean file writes,
in one transaction.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from enterprises.domain.import_tax import Errors, _blank, parse_money
from enterprises.domain.listfile import header_keys, keyed_rows, parse_date, read_table
from enterprises.models import Enterprise
from pojian.domain import uscc as uscc_code
from pojian.domain.jobs import JobFailed, raise_row_errors, run_import_job

from ..models import Institution, TechContract

COLUMNS = [
    ("number", "合同登记号", "registration number"),
    ("date", "登记日期", "registered on"),
    ("kind", "合同类型", "type"),
    ("title", "项目名称", "project name"),
    ("buyer_name", "买方名称", "buyer"),
    ("buyer_uscc", "买方统一社会信用代码", "buyer uscc"),
    ("seller_name", "卖方名称", "seller"),
    ("seller_uscc", "卖方统一社会信用代码", "seller uscc"),
    ("amount", "合同金额", "contract value"),
    ("tech_amount", "技术交易额", "technology transaction value"),
]
HEADER_KEYS = header_keys(COLUMNS, {
    "登记号": "number", "技术合同登记号": "number", "受让方名称": "buyer_name", "受让方统一社会信用代码": "buyer_uscc",
    "让与方名称": "seller_name", "让与方统一社会信用代码": "seller_uscc", "合同成交额": "amount", "合同名称": "title"})

KIND_WORDS = {
    "技术开发": TechContract.Kind.DEVELOPMENT, "开发": TechContract.Kind.DEVELOPMENT,
    "技术转让": TechContract.Kind.TRANSFER, "转让": TechContract.Kind.TRANSFER,
    "技术许可": TechContract.Kind.LICENCE, "许可": TechContract.Kind.LICENCE,
    "技术咨询": TechContract.Kind.CONSULTING, "咨询": TechContract.Kind.CONSULTING,
    "技术服务": TechContract.Kind.SERVICE, "服务": TechContract.Kind.SERVICE,
}
for _value, _label in TechContract.Kind.choices:
    KIND_WORDS[_value] = _value
TITLE_MAX = TechContract._meta.get_field("title").max_length
PHASES = 2
UPDATE_BATCH = 250  # bulk_update's CASE … WHEN grows with the batch: small batches are faster


@dataclass
class ContractRow:
    row: int
    number: str
    date: object
    kind: str
    title: str
    amount: object
    tech_amount: object
    enterprise_id: int
    institution_id: int
    role: str


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    unchanged: int = 0

    def message(self):
        return _("%(rows)s rows of the contract registration list read: %(created)s contracts added, %(updated)s "
                 "updated, %(unchanged)s unchanged; %(skipped)s rows between parties not in the portal skipped.") % {
            "rows": self.rows, "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
            "skipped": self.skipped}


def _number(value):
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    return str(value).strip().replace(" ", "")


def parse(source, *, progress=None):
    """Check every row: (rows to write, rows skipped) or JobFailed listing every bad row."""
    names, data = keyed_rows(read_table(source), HEADER_KEYS, COLUMNS)
    if not data:
        raise JobFailed(_("The file has no data rows."))
    return check_rows(names, data, progress=progress)


def _codes(data, key):
    return {uscc_code.normalise(str(c[key])) for _n, c in data if not _blank(c[key])}


def check_rows(names, data, *, progress=None):
    errors = Errors()
    codes = list(_codes(data, "buyer_uscc") | _codes(data, "seller_uscc"))
    enterprises, institutions = {}, {}
    for i in range(0, len(codes), 5000):
        enterprises.update(Enterprise.objects.filter(uscc__in=codes[i:i + 5000]).values_list("uscc", "pk"))
        institutions.update(Institution.objects.filter(uscc__in=codes[i:i + 5000]).values_list("uscc", "pk"))
    rows, skipped, seen = [], 0, {}
    for done, (n, cells) in enumerate(data, start=1):
        ok = True
        for key in names:
            if _blank(cells[key]):
                errors.add(n, names[key], _("missing value"))
                ok = False
        number = "" if _blank(cells["number"]) else _number(cells["number"])
        if number:
            if not (number.isdigit() and 14 <= len(number) <= 18):
                errors.add(n, names["number"], _("“%(value)s”: a registration number has 14 to 18 digits") % {
                    "value": number})
                ok = False
            elif number in seen:
                errors.add(n, names["number"], _("the number appears more than once in the file (also row %(row)s)")
                           % {"row": seen[number]})
                ok = False
            else:
                seen[number] = n
        when = None
        if not _blank(cells["date"]):
            try:
                when = parse_date(cells["date"])
            except ValueError as e:
                errors.add(n, names["date"], e)
                ok = False
        kind = None
        if not _blank(cells["kind"]):
            word = str(cells["kind"]).strip().removesuffix("合同")
            kind = KIND_WORDS.get(word)
            if kind is None:
                errors.add(n, names["kind"], _("“%(value)s” is not a contract type: write 技术开发, 技术转让, 技术许可, "
                                               "技术咨询 or 技术服务") % {"value": cells["kind"]})
                ok = False
        title = "" if _blank(cells["title"]) else str(cells["title"]).strip()
        if len(title) > TITLE_MAX:
            errors.add(n, names["title"], _("longer than %(n)s characters") % {"n": TITLE_MAX})
            ok = False
        amounts = {}
        for key in ("amount", "tech_amount"):
            if not _blank(cells[key]):
                try:
                    amounts[key] = parse_money(cells[key])
                except ValueError as e:
                    errors.add(n, names[key], e)
                    ok = False
        if len(amounts) == 2 and amounts["tech_amount"] > amounts["amount"]:
            errors.add(n, names["tech_amount"], _("the technology transaction value exceeds the contract value"))
            ok = False
        parties = {}
        for side in ("buyer", "seller"):
            key = f"{side}_uscc"
            code = "" if _blank(cells[key]) else uscc_code.normalise(str(cells[key]))
            if code and not uscc_code.is_valid(code):
                errors.add(n, names[key], _("“%(code)s” is not a valid unified social credit code (check character)")
                           % {"code": code})
                ok = False
            parties[side] = code
        if not ok:
            continue
        buyer, seller = parties["buyer"], parties["seller"]
        if buyer in enterprises or seller in enterprises:
            role, enterprise, other, side = (("buyer", buyer, seller, "seller") if buyer in enterprises
                                             else ("seller", seller, buyer, "buyer"))
            if other not in institutions:
                errors.add(n, names[f"{side}_uscc"], _(
                    "the enterprise %(enterprise)s is in the portal but %(name)s (%(code)s) is not one of its "
                    "institutions; add the institution first") % {
                    "enterprise": cells[f"{role}_name"], "name": cells[f"{side}_name"], "code": other})
                continue
            rows.append(ContractRow(row=n, number=number, date=when, kind=kind, title=title, amount=amounts["amount"],
                                    tech_amount=amounts["tech_amount"], enterprise_id=enterprises[enterprise],
                                    institution_id=institutions[other], role=role))
        else:
            skipped += 1
        if progress and done % 1000 == 0:
            progress(done, total=PHASES * len(data))
    raise_row_errors(errors)
    return rows, skipped


def write(rows, *, skipped=0, by, progress=None):
    now = timezone.now()
    result = ImportResult(rows=len(rows) + skipped, skipped=skipped)
    reason = "contract registration list"
    with transaction.atomic():
        existing = {}
        numbers = [r.number for r in rows]
        for i in range(0, len(numbers), 5000):
            existing.update({c.registration_number: c for c in
                             TechContract.objects.filter(registration_number__in=numbers[i:i + 5000])})
        new, changed = [], []
        for r in rows:
            fields = dict(registered_on=r.date, kind=r.kind, title=r.title, contract_amount=r.amount,
                          tech_amount=r.tech_amount, enterprise_id=r.enterprise_id, institution_id=r.institution_id,
                          enterprise_role=r.role, imported_at=now)
            contract = existing.get(r.number)
            if contract is None:
                new.append(TechContract(registration_number=r.number, created_by=by, **fields))
            elif any(getattr(contract, name) != value for name, value in fields.items() if name != "imported_at"):
                for name, value in fields.items():
                    setattr(contract, name, value)
                changed.append(contract)
            else:
                result.unchanged += 1  # as recorded: no write, no history entry
        bulk_create_with_history(new, TechContract, batch_size=2000, default_user=by, default_change_reason=reason)
        if changed:
            bulk_update_with_history(changed, TechContract, ["registered_on", "kind", "title", "contract_amount",
                                                             "tech_amount", "enterprise", "institution",
                                                             "enterprise_role", "imported_at"],
                                     batch_size=UPDATE_BATCH, default_user=by, default_change_reason=reason)
        result.created, result.updated = len(new), len(changed)
        if progress:
            progress(len(rows) * PHASES, total=len(rows) * PHASES, force=True)
    return result


def import_file(source, *, by, progress=None):
    rows, skipped = parse(source, progress=progress)
    return write(rows, skipped=skipped, by=by, progress=progress)


def import_job(job, progress):
    """Work for run_job: the job's input file; params: language."""
    return run_import_job(job, progress, import_file)


KIND = "techtransfer.import_contracts"
