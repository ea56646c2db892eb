"""A bureau's batch nomination import: the .xlsx template, and the import itself.

The import reads the whole workbook first (openpyxl read-only: little memory for big files) and
lists EVERY bad row and column; only a file without a single error changes anything, and then
all of it in one transaction (the job runs atomic). It creates or updates the enterprises of the
bureau's region, their figures and registration for the year, and one draft nomination each,
then runs the 四科 check on the new nominations in the same set-based pass the office uses.

The headers are the programme's Chinese words (the official format, whatever the user's
language); the messages follow the language the user had when starting the import.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from pojian.domain import money
from pojian.domain.jobs import JobFailed
from pojian.domain.uscc import is_valid as uscc_is_valid
from pojian.domain.uscc import normalise
from pojian.domain.xlsx import read_rows
from pojian.models import Cycle, NominationState

from ..models import MONEY, Enterprise, EnterpriseNomination, EnterpriseYear, Industry, Registration

TEMPLATE_FILENAME = "enterprise-nominations-template.xlsx"
DATA_SHEET = "推荐企业"
HELP_SHEET = "填写说明"
TEMPLATE_ROWS = 1000  # rows prepared with validation and text formats
MAX_MONEY = Decimal(10) ** (MONEY["max_digits"] - MONEY["decimal_places"])
YES = {"是", "yes", "y", "true", "1", "√"}
NO = {"否", "no", "n", "false", "0", ""}


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str  # text, uscc, industry, bool, date, money, count
    required: bool
    help: str
    example: str
    max_length: int = 0


COLUMNS = [
    Column("name", "企业名称", "text", True, "营业执照上的企业全称", "长春光谷精密光电科技有限公司", 200),
    Column("uscc", "统一社会信用代码", "uscc", True, "18位,末位校验码按GB 32100-2015核验;每家企业一行", "91220101MA0Y2K8H18", 18),
    Column("address", "通讯地址", "text", False, "企业通讯地址", "长春市高新区硅谷大街1234号", 300),
    Column("industry", "所属行业", "industry", True, "从下拉列表中选择", "电子信息"),
    Column("contact_person", "联系人", "text", False, "企业联系人姓名", "王明", 50),
    Column("contact_phone", "联系电话", "text", False, "手机或座机", "0431-85000000", 30),
    Column("founded_on", "成立日期", "date", False, "日期,格式 2015-05-01", "2015-05-01"),
    Column("is_high_tech", "是否高新技术企业", "bool", False, "填“是”或“否”,空白视为“否”", "是"),
    Column("high_tech_cert_no", "高企证书编号", "text", False, "是高新技术企业时必填", "GR202322000123", 50),
    Column("high_tech_cert_expires", "高企证书有效期至", "date", False, "是高新技术企业时必填,格式 2026-12-31", "2026-12-31"),
    Column("registration_number", "入库登记编号", "text", False, "本年度有效的科技型中小企业入库登记编号;没有则“四科”核验不通过", "2026220101A0001234", 40),
    Column("revenue", "销售收入(元)", "money", True, "上一会计年度销售收入,单位元,最多两位小数;也可写 5600万、1.2亿", "56000000.00"),
    Column("rd_expense", "研发费用(元)", "money", True, "上一会计年度研发费用,单位元,最多两位小数;也可写 480万", "4800000.00"),
    Column("total_assets", "资产总额(元)", "money", True, "年末资产总额,单位元,最多两位小数", "90000000.00"),
    Column("employees", "员工总数(人)", "count", True, "整数", "120"),
    Column("tech_staff", "科技人员数(人)", "count", True, "整数,不大于员工总数", "80"),
    Column("recommendation", "推荐意见", "text", False, "推荐单位的推荐理由", "研发投入强度高,成果转化突出。"),
]
BY_HEADER = {c.header: c for c in COLUMNS}
# Headers of earlier templates, read as today's (the glossary's words: 员工总数, pojian/glossary.py).
HEADER_ALIASES = {"职工总数(人)": "员工总数(人)"}
ENTERPRISE_KEYS = ("name", "uscc", "address", "industry", "contact_person", "contact_phone", "founded_on",
                   "is_high_tech", "high_tech_cert_no", "high_tech_cert_expires")
FIGURE_KEYS = ("revenue", "rd_expense", "total_assets", "employees", "tech_staff")


def industry_labels():
    """{accepted text (Chinese label, English label, code): code}, and the Chinese labels for the list."""
    accepted, chinese = {}, []
    for code, label in Industry.choices:
        with translation.override("zh-hans"):
            zh = str(label)
        with translation.override("en"):
            en = str(label)
        chinese.append(zh)
        accepted.update({zh: code, en.lower(): code, code: code})
    return accepted, chinese


# --- the template -------------------------------------------------------------------------------


def template_workbook(target):
    """Write the import template to a path or a binary file object."""
    _accepted, industries = industry_labels()
    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for i, col in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=i, value=col.header)
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(i)].width = max(12, min(40, len(col.header) * 2 + 6))
        if col.kind in ("uscc", "text") and col.key in ("uscc", "registration_number", "contact_phone", "high_tech_cert_no"):
            # Long codes typed into Excel would otherwise become numbers and lose digits.
            for r in range(2, TEMPLATE_ROWS + 2):
                ws.cell(row=r, column=i).number_format = "@"
        if col.kind == "date":
            for r in range(2, TEMPLATE_ROWS + 2):
                ws.cell(row=r, column=i).number_format = "yyyy-mm-dd"
    ws.freeze_panes = "C2"

    def validate(col, dv):
        letter = get_column_letter(COLUMNS.index(col) + 1)
        dv.error, dv.errorTitle = f"请按“{col.header}”的要求填写:{col.help}", col.header
        dv.prompt, dv.promptTitle = col.help, col.header
        dv.showErrorMessage = dv.showInputMessage = True
        ws.add_data_validation(dv)
        dv.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")

    for col in COLUMNS:
        if col.kind == "industry":
            validate(col, DataValidation(type="list", formula1='"' + ",".join(industries) + '"', allow_blank=True))
        elif col.kind == "bool":
            validate(col, DataValidation(type="list", formula1='"是,否"', allow_blank=True))
        elif col.kind == "money":
            # Any value: the import reads 12万 and 1,234,567.89 too (pojian.domain.money); a prompt only.
            validate(col, DataValidation(allow_blank=True))
        elif col.kind == "count":
            validate(col, DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True))
        elif col.kind == "date":
            validate(col, DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True))
        elif col.kind == "uscc":
            validate(col, DataValidation(type="textLength", operator="equal", formula1="18", allow_blank=True))

    help_ws = wb.create_sheet(HELP_SHEET)
    for i, (header, width) in enumerate([("列名", 22), ("是否必填", 10), ("填写要求", 60), ("示例", 34)], start=1):
        help_ws.cell(row=1, column=i, value=header).font = bold
        help_ws.column_dimensions[get_column_letter(i)].width = width
    for r, col in enumerate(COLUMNS, start=2):
        help_ws.cell(row=r, column=1, value=col.header)
        help_ws.cell(row=r, column=2, value="必填" if col.required else "选填")
        help_ws.cell(row=r, column=3, value=col.help).alignment = Alignment(wrap_text=True)
        help_ws.cell(row=r, column=4, value=col.example).number_format = "@"
    notes = [
        "",
        "说明:",
        "1. 每家企业填写一行,从“推荐企业”工作表第2行开始,不要修改第1行的列名。",
        "2. 导入“全部成功或全部不导入”:只要有一处错误,系统列出所有出错的行和列,不导入任何数据。",
        "3. 企业须属于本推荐单位所在地区;已在其他地区登记的企业(同一统一社会信用代码)不能导入。",
        "4. 本年度已推荐的企业不能重复推荐;同一文件中同一企业只能出现一次。",
        "5. 导入后生成“草稿”状态的推荐,请在系统中补充知识产权、成果转化、核心技术产品并上传盖章推荐函后提交。",
        "6. 所属行业可选:" + "、".join(industries) + "。",
    ]
    for offset, line in enumerate(notes, start=len(COLUMNS) + 2):
        help_ws.cell(row=offset, column=1, value=line)
    wb.save(target)
    return target


# --- reading and checking -----------------------------------------------------------------------


class RowErrors:
    def __init__(self):
        self.items = []

    def add(self, row, column, message):
        self.items.append({"row": row, "column": column, "message": str(message)})

    def __bool__(self):
        return bool(self.items)


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_money(value):
    """Decimal yuan from a cell (12万, 1.5亿, 1,234,567.89 ...); raises ValueError with the user's message."""
    return money.parse_money(value, maximum=MAX_MONEY - Decimal("0.01"))


def parse_count(value):
    if isinstance(value, bool):
        raise ValueError(_("is not a number"))
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        text = _text(value).replace(",", "")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValueError(_("“%(value)s” is not a number") % {"value": _text(value)}) from None
        if not amount.is_finite() or amount != amount.to_integral_value():
            raise ValueError(_("must be a whole number"))
        number = int(amount)
    if number < 0:
        raise ValueError(_("must not be negative"))
    if number > 10_000_000:
        raise ValueError(_("is too large"))
    return number


def parse_date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("“%(value)s” is not a date (write it as 2015-05-01)") % {"value": text})


def parse_bool(value):
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValueError(_("write 是 or 否"))


def parse_rows(rows, *, progress=None, total=None):
    """[(row number, {key: value})] and the RowErrors of every cell that could not be read."""
    accepted_industries, _labels = industry_labels()
    errors = RowErrors()
    parsed = []
    for index, (number, raw) in enumerate(rows, start=1):
        values = {}
        for col in COLUMNS:
            cell = raw.get(col.header)
            blank = cell is None or (isinstance(cell, str) and not cell.strip())
            if blank:
                if col.required:
                    errors.add(number, col.header, _("is missing"))
                values[col.key] = None if col.kind in ("money", "count", "date") else ""
                if col.kind == "bool":
                    values[col.key] = False
                continue
            try:
                if col.kind == "money":
                    values[col.key] = parse_money(cell)
                elif col.kind == "count":
                    values[col.key] = parse_count(cell)
                elif col.kind == "date":
                    values[col.key] = parse_date(cell)
                elif col.kind == "bool":
                    values[col.key] = parse_bool(cell)
                elif col.kind == "industry":
                    text = _text(cell)
                    code = accepted_industries.get(text) or accepted_industries.get(text.lower())
                    if code is None:
                        raise ValueError(_("“%(value)s” is not one of the industries of the list") % {"value": text})
                    values[col.key] = code
                elif col.kind == "uscc":
                    text = normalise(_text(cell))
                    if not uscc_is_valid(text):
                        raise ValueError(
                            _("“%(value)s” is not a valid unified social credit code (18 characters, check character "
                              "per GB 32100-2015)") % {"value": _text(cell)})
                    values[col.key] = text
                else:
                    text = _text(cell)
                    if col.max_length and len(text) > col.max_length:
                        raise ValueError(_("is longer than %(n)s characters") % {"n": col.max_length})
                    values[col.key] = text
            except ValueError as e:
                values[col.key] = None
                errors.add(number, col.header, e.args[0])
        if values.get("is_high_tech"):
            for key in ("high_tech_cert_no", "high_tech_cert_expires"):
                if not values.get(key) and not any(e["row"] == number and e["column"] == header(key) for e in errors.items):
                    errors.add(number, header(key), _("is required for a high-tech enterprise"))
        if values.get("employees") is not None and values.get("tech_staff") is not None \
                and values["tech_staff"] > values["employees"]:
            errors.add(number, header("tech_staff"), _("is larger than the number of employees"))
        parsed.append((number, values))
        if progress:
            progress(index, total=total)
    return parsed, errors


def header(key):
    return next(c.header for c in COLUMNS if c.key == key)


def check_against_database(parsed, errors, *, region, cycle):
    """Duplicates in the file, enterprises of other regions, nominations that already exist."""
    first_row = {}
    usccs = {v["uscc"] for _n, v in parsed if v.get("uscc")}
    existing = {e.uscc: e for e in Enterprise.objects.filter(uscc__in=usccs).select_related("region")}
    nominated = set(
        EnterpriseNomination.objects.filter(cycle=cycle, enterprise__uscc__in=usccs)
        .exclude(state=NominationState.WITHDRAWN)
        .values_list("enterprise__uscc", flat=True)
    )
    column = header("uscc")
    for number, values in parsed:
        uscc = values.get("uscc")
        if not uscc:
            continue
        if uscc in first_row:
            errors.add(number, column, _("the same enterprise is already in row %(row)s of this file") % {
                "row": first_row[uscc]})
            continue
        first_row[uscc] = number
        enterprise = existing.get(uscc)
        if enterprise is not None and enterprise.region_id != region.pk:
            errors.add(number, column, _("this enterprise is registered under %(region)s, not your region") % {
                "region": enterprise.region.name})
        elif uscc in nominated:
            errors.add(number, column, _("this enterprise is already nominated for %(year)s") % {"year": cycle.year})
    return existing


# --- the import ---------------------------------------------------------------------------------


def import_nominations(source, *, region, cycle, by, progress=None):
    """Import a filled-in template; all or nothing. Returns the new nominations. Raises JobFailed."""
    if not (by.has_perm("enterprises.import_nominations") and by.region_id == region.pk):
        raise JobFailed(_("You may not import nominations for this region."))
    if cycle is None or cycle.is_closed:
        raise JobFailed(_("There is no open programme year to nominate for."))

    def check_headers(headers):
        headers = {HEADER_ALIASES.get(h, h) for h in headers}  # last year's template said 职工总数
        missing = [c.header for c in COLUMNS if c.header not in headers]
        if missing:
            raise JobFailed(
                _("The file is not the nomination template: columns are missing."),
                errors=[{"row": 1, "column": h, "message": _("column missing")} for h in missing],
            )

    try:
        rows = [(n, {HEADER_ALIASES.get(k, k): v for k, v in raw.items()})
                for n, raw in read_rows(source, check_headers=check_headers)]
    except JobFailed:
        raise
    except Exception as e:  # noqa: BLE001 - an unreadable workbook is the user's error, said plainly
        raise JobFailed(_("The file could not be read as an Excel workbook: %(error)s") % {"error": e}) from e
    if not rows:
        raise JobFailed(_("The file has no rows to import."))
    parsed, errors = parse_rows(rows, progress=progress, total=len(rows) * 2)
    existing = check_against_database(parsed, errors, region=region, cycle=cycle)
    if errors:
        errors.items.sort(key=lambda e: (e["row"], [c.header for c in COLUMNS].index(e["column"])
                                         if e["column"] in BY_HEADER else 0))
        raise JobFailed(
            _("Nothing was imported: %(n)s problems in %(rows)s rows. Correct them and upload the file again.")
            % {"n": len(errors.items), "rows": len({e["row"] for e in errors.items})},
            errors=errors.items,
        )
    created = save_rows([v for _n, v in parsed], existing=existing, region=region, cycle=cycle, by=by)
    if progress:
        progress(len(rows) * 2, total=len(rows) * 2, force=True)
    return created


def save_rows(rows, *, existing, region, cycle, by):
    """Write checked rows with bulk statements (history kept). Returns the new nominations."""
    year = cycle.year
    reason = "import"
    new_enterprises, changed_enterprises = [], []
    for values in rows:
        fields = {k: values[k] for k in ENTERPRISE_KEYS}
        if not fields["is_high_tech"]:
            fields.update(high_tech_cert_no="", high_tech_cert_expires=None)
        enterprise = existing.get(values["uscc"])
        if enterprise is None:
            enterprise = Enterprise(region=region, **fields)
            new_enterprises.append(enterprise)
            existing[values["uscc"]] = enterprise
        else:
            for k, v in fields.items():
                setattr(enterprise, k, v)
            changed_enterprises.append(enterprise)
    bulk_create_with_history(new_enterprises, Enterprise, default_user=by, default_change_reason=reason)
    if changed_enterprises:
        bulk_update_with_history(changed_enterprises, Enterprise, [k for k in ENTERPRISE_KEYS if k != "uscc"],
                                 default_user=by, default_change_reason=reason)
    by_uscc = dict(Enterprise.objects.filter(uscc__in=[v["uscc"] for v in rows]).values_list("uscc", "pk"))

    from .rulebook import figures_year_for

    figures_year = figures_year_for(year)  # the figures are the fiscal year's the rulebook judges on
    figures = {f.enterprise_id: f for f in EnterpriseYear.objects.filter(enterprise_id__in=by_uscc.values(),
                                                                         year=figures_year)}
    registrations = {r.enterprise_id: r for r in
                     Registration.all_objects.filter(enterprise_id__in=by_uscc.values(), year=year)}
    new_figures, old_figures, new_regs, old_regs, stale_regs, nominations = [], [], [], [], [], []
    for values in rows:
        enterprise_id = by_uscc[values["uscc"]]
        row = figures.get(enterprise_id)
        if row is None:
            new_figures.append(EnterpriseYear(enterprise_id=enterprise_id, year=figures_year,
                                              **{k: values[k] for k in FIGURE_KEYS}))
        else:
            for k in FIGURE_KEYS:
                setattr(row, k, values[k])
            old_figures.append(row)
        number = values["registration_number"]
        registration = registrations.get(enterprise_id)
        if number and registration is None:
            new_regs.append(Registration(enterprise_id=enterprise_id, year=year, number=number))
        elif number and registration.number != number:
            registration.number = number
            old_regs.append(registration)
        elif not number and registration is not None:
            stale_regs.append(registration.pk)
        nominations.append(EnterpriseNomination(
            cycle=cycle, region=region, enterprise_id=enterprise_id, created_by=by,
            recommendation=values["recommendation"], state=NominationState.DRAFT,
        ))
    bulk_create_with_history(new_figures, EnterpriseYear, default_user=by, default_change_reason=reason)
    if old_figures:
        bulk_update_with_history(old_figures, EnterpriseYear, list(FIGURE_KEYS), default_user=by,
                                 default_change_reason=reason)
    bulk_create_with_history(new_regs, Registration, default_user=by, default_change_reason=reason)
    if old_regs:
        bulk_update_with_history(old_regs, Registration, ["number"], default_user=by, default_change_reason=reason)
    if stale_regs:
        Registration.all_objects.filter(pk__in=stale_regs).delete()
    bulk_create_with_history(nominations, EnterpriseNomination, default_user=by, default_change_reason=reason)
    created = EnterpriseNomination.objects.filter(cycle=cycle, region=region, enterprise_id__in=by_uscc.values()) \
        .exclude(state=NominationState.WITHDRAWN)
    from .checks import check_nominations

    check_nominations(created, year=year)  # it queues the pool's refresh of these enterprises on commit
    return list(created)


def import_job(job, progress):
    """Work function for `pojian.domain.jobs.run_job` (atomic): job.params = {"cycle": …, "language": …}."""
    cycle = Cycle.objects.filter(pk=job.params.get("cycle")).first()
    with translation.override(job.params.get("language") or settings.LANGUAGE_CODE):
        with job.input_file.open("rb") as f:
            created = import_nominations(f, region=job.region, cycle=cycle, by=job.created_by, progress=progress)
        return _("%(n)s draft nominations imported for %(year)s. Add their results and letters, then submit them.") % {
            "n": len(created), "year": cycle.year}
