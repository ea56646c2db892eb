"""The 四科 standard (DESIGN.md's table), as one pure function.

    revenue            销售收入不超过2亿元                      revenue ≤ 200,000,000 yuan
    employees          员工总数不超过500人                      employees ≤ 500
    core_tech_product  拥有关键核心技术的科技产品                at least one
    tech_staff_ratio   科技人员占比大于60%                      tech staff / employees > 60 %
    ip_and_transfers   高价值知识产权和成果转化合计超过5项        high-value IP + transfers > 5
    rd_intensity       研发投入强度高于6%                       R&D expense / revenue > 6 %
    registered         在科技部入库                             registered for the year itself

"不超过" is ≤; "大于", "高于", "超过" are strictly >. Every comparison is exact (integers,
from the decimals' integer ratios); money never passes through float.

The result carries a structured explanation per criterion (code, passed, value, threshold,
note). `describe()` turns one entry into a sentence in the active language, so a stored
verdict is shown in whatever language its reader uses.
"""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

CRITERIA = ("revenue", "employees", "core_tech_product", "tech_staff_ratio", "ip_and_transfers", "rd_intensity", "registered")

REVENUE_MAX = Decimal("200000000")  # 2亿元, 不超过
EMPLOYEES_MAX = 500  # 不超过500人
TECH_STAFF_PERCENT = 60  # 大于60%
RESULTS_MIN = 5  # 合计超过5项
RD_INTENSITY_PERCENT = 6  # 高于6%
_REVENUE, _EMPLOYEES, _TECH_STAFF, _RESULTS, _RD_INTENSITY = (
    str(REVENUE_MAX), str(EMPLOYEES_MAX), str(TECH_STAFF_PERCENT), str(RESULTS_MIN), str(RD_INTENSITY_PERCENT)
)

LABELS = {
    "revenue": gettext_lazy("Sales revenue"),
    "employees": gettext_lazy("Employees"),
    "core_tech_product": gettext_lazy("Core-technology products"),
    "tech_staff_ratio": gettext_lazy("S&T staff share"),
    "ip_and_transfers": gettext_lazy("High-value IP and transfers"),
    "rd_intensity": gettext_lazy("R&D intensity"),
    "registered": gettext_lazy("Tech SME registration"),
}


def label(code):
    return LABELS[code]


@dataclass(slots=True)
class Criterion:
    """One criterion's outcome. `value`/`threshold` are JSON-friendly (str for money and percentages)."""

    code: str
    passed: bool
    value: object
    threshold: str
    note: str = ""  # "", "missing", "no_revenue", "no_employees", "other_year"

    @property
    def label(self):
        return label(self.code)

    @property
    def text(self):
        return describe(self.as_dict())

    def as_dict(self):
        # By hand: dataclasses.asdict deep-copies and is ten times slower (100,000 verdicts a run).
        return {"code": self.code, "passed": self.passed, "value": self.value, "threshold": self.threshold,
                "note": self.note}

    def stored(self):
        """The compact form kept in a Verdict: as_dict without an empty note."""
        d = {"code": self.code, "passed": self.passed, "value": self.value, "threshold": self.threshold}
        if self.note:
            d["note"] = self.note
        return d


@dataclass(frozen=True)
class Result:
    eligible: bool
    failed: list
    criteria: list = field(default_factory=list)

    def explanation(self):
        """The structured explanation, as stored in a Verdict: [{code, passed, value, threshold[, note]}]."""
        return [c.stored() for c in self.criteria]

    def __getitem__(self, code):
        return next(c for c in self.criteria if c.code == code)


# --- inputs -----------------------------------------------------------------------------------


def to_money(value, name="value"):
    """Decimal from a Decimal, int or decimal string; None for None or blank. Floats are refused."""
    if value is None:
        return None
    if type(value) is Decimal and value.is_finite() and value >= 0:  # the common case, from the database
        return value
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError(f"{name}: money must be a Decimal, an int or a decimal string, not {type(value).__name__}")
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, str):
        text = value.strip().replace(",", "")
        if not text:
            return None
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"{name}: {value!r} is not a decimal number") from None
    else:
        raise TypeError(f"{name}: money must be a Decimal, an int or a decimal string, not {type(value).__name__}")
    if not amount.is_finite():
        raise ValueError(f"{name}: {value!r} is not a finite number")
    if amount < 0:
        raise ValueError(f"{name}: {value!r} is negative")
    return amount


def to_count(value, name="value"):
    if value is None:
        return None
    if type(value) is int and value >= 0:  # the common case
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name}: a count must be an int, not {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name}: {value!r} is negative")
    return value


def _integer_ratio(x):
    return (x, 1) if isinstance(x, int) else x.as_integer_ratio()


def compare_percent(part, whole, percent: int):
    """(part / whole > percent %, the percentage as text), exactly, in integers (whole > 0).

    The text has 2 decimals (half up), more when rounding would hide the comparison: 60.0010
    rather than a misleading 60.00 for a share just above 60 %.
    """
    pn, pd = _integer_ratio(part)
    wn, wd = _integer_ratio(whole)
    num, den = pn * wd * 100, pd * wn  # part / whole * 100 == num / den
    limit = den * percent
    for places in (2, 4, 6, 8):
        scale = 10 ** places
        shown, rest = divmod(num * scale, den)
        if 2 * rest >= den:
            shown += 1
        if num == limit or shown != percent * scale:
            break
    digits = str(shown).rjust(places + 1, "0")
    return num > limit, f"{digits[:-places]}.{digits[-places:]}"


def exceeds_percent(part, whole, percent) -> bool:
    """part / whole > percent %, exactly."""
    return compare_percent(part, whole, percent)[0]


def percent_text(part, whole, threshold_percent: int) -> str:
    return compare_percent(part, whole, threshold_percent)[1]


# --- the function -----------------------------------------------------------------------------


def evaluate(*, year, revenue, employees, tech_staff, has_core_tech_product, high_value_ip, transfers, rd_expense,
             registered_year):
    """Apply the 四科 standard to one enterprise's figures for `year`."""
    revenue = to_money(revenue, "revenue")
    rd_expense = to_money(rd_expense, "rd_expense")
    employees = to_count(employees, "employees")
    tech_staff = to_count(tech_staff, "tech_staff")
    high_value_ip = to_count(high_value_ip, "high_value_ip") or 0
    transfers = to_count(transfers, "transfers") or 0

    criteria = []

    # 销售收入不超过2亿元
    if revenue is None:
        criteria.append(Criterion("revenue", False, None, _REVENUE, "missing"))
    else:
        criteria.append(Criterion("revenue", revenue <= REVENUE_MAX, str(revenue), _REVENUE))

    # 员工总数不超过500人
    if employees is None:
        criteria.append(Criterion("employees", False, None, _EMPLOYEES, "missing"))
    else:
        criteria.append(Criterion("employees", employees <= EMPLOYEES_MAX, employees, _EMPLOYEES))

    # 拥有关键核心技术的科技产品
    has_product = bool(has_core_tech_product)
    criteria.append(Criterion("core_tech_product", has_product, has_product, "1"))

    # 科技人员占比大于60%: tech_staff * 100 > employees * 60, in integers.
    if employees is None or tech_staff is None:
        criteria.append(Criterion("tech_staff_ratio", False, None, _TECH_STAFF, "missing"))
    elif employees == 0:
        criteria.append(Criterion("tech_staff_ratio", False, None, _TECH_STAFF, "no_employees"))
    else:
        above, shown = compare_percent(tech_staff, employees, TECH_STAFF_PERCENT)
        criteria.append(Criterion("tech_staff_ratio", above, shown, _TECH_STAFF))

    # 以高价值知识产权为代表的自主科技创新成果和成果转化合计超过5项
    results = high_value_ip + transfers
    criteria.append(Criterion("ip_and_transfers", results > RESULTS_MIN, results, _RESULTS))

    # 研发投入强度高于6%: rd_expense / revenue > 6 %, exactly.
    if revenue is None or revenue == 0:
        criteria.append(Criterion("rd_intensity", False, None, _RD_INTENSITY, "no_revenue"))
    elif rd_expense is None:
        criteria.append(Criterion("rd_intensity", False, None, _RD_INTENSITY, "missing"))
    else:
        above, shown = compare_percent(rd_expense, revenue, RD_INTENSITY_PERCENT)
        criteria.append(Criterion("rd_intensity", above, shown, _RD_INTENSITY))

    # 在科技部入库: a registration valid for this very year.
    if registered_year is None:
        criteria.append(Criterion("registered", False, None, str(year), "missing"))
    elif int(registered_year) != int(year):
        criteria.append(Criterion("registered", False, int(registered_year), str(year), "other_year"))
    else:
        criteria.append(Criterion("registered", True, int(registered_year), str(year)))

    failed = [c.code for c in criteria if not c.passed]
    return Result(eligible=not failed, failed=failed, criteria=criteria)


# --- words ------------------------------------------------------------------------------------


def _yuan(value):
    return _("%(amount)s yuan") % {"amount": f"{Decimal(value):,.2f}"}


def rule_text(code, threshold):
    """The criterion's requirement in words, in the active language."""
    if code == "revenue":
        return _("at most %(amount)s") % {"amount": _yuan(threshold)}
    if code == "employees":
        return _("at most %(n)s people") % {"n": threshold}
    if code == "core_tech_product":
        return _("at least one product with key core technology")
    if code == "tech_staff_ratio":
        return _("more than %(percent)s%% of employees") % {"percent": threshold}
    if code == "ip_and_transfers":
        return _("more than %(n)s in total") % {"n": threshold}
    if code == "rd_intensity":
        return _("more than %(percent)s%% of sales revenue") % {"percent": threshold}
    if code == "registered":
        return _("a registration valid for %(year)s") % {"year": threshold}
    raise KeyError(code)


def value_text(code, value, note=""):
    """The value the check used, in words."""
    if note == "no_revenue":
        return _("cannot be computed: no sales revenue")
    if note == "no_employees":
        return _("cannot be computed: no employees")
    if note == "missing":
        return _("not registered") if code == "registered" else _("not given")
    if code == "revenue":
        return _yuan(value)
    if code == "employees":
        return _("%(n)s people") % {"n": value}
    if code == "core_tech_product":
        return _("declared") if value else _("none declared")
    if code in ("tech_staff_ratio", "rd_intensity"):
        return f"{value}%"
    if code == "ip_and_transfers":
        return _("%(n)s items") % {"n": value}
    if code == "registered":
        return _("registered for %(year)s") % {"year": value}
    raise KeyError(code)


def describe(entry):
    """One stored explanation entry as a sentence in the active language."""
    outcome = _("met") if entry["passed"] else _("not met")
    return _("%(label)s: %(value)s; required: %(rule)s — %(outcome)s.") % {
        "label": label(entry["code"]),
        "value": value_text(entry["code"], entry.get("value"), entry.get("note", "")),
        "rule": rule_text(entry["code"], entry["threshold"]),
        "outcome": outcome,
    }


def explain(entries):
    """[{code, label, passed, value, rule, text}] for a template, in the active language."""
    return [
        {
            **e,
            "label": label(e["code"]),
            "value_text": value_text(e["code"], e.get("value"), e.get("note", "")),
            "rule": rule_text(e["code"], e["threshold"]),
            "text": describe(e),
        }
        for e in entries
    ]
