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

import datetime
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

# The comparisons a rulebook may use: a value "op" a threshold.
OPS = ("le", "lt", "gt", "ge")
OP_SIGNS = {"le": "≤", "lt": "<", "gt": ">", "ge": "≥"}
# Each criterion with a threshold: (its default threshold, its default comparison), as the document words it.
DEFAULT_OPS = {"revenue": "le", "employees": "le", "tech_staff_ratio": "gt", "ip_and_transfers": "gt",
               "rd_intensity": "gt"}


def holds(value, op, threshold) -> bool:
    """value op threshold, for exact numbers (int, Decimal)."""
    if op == "le":
        return value <= threshold
    if op == "lt":
        return value < threshold
    if op == "gt":
        return value > threshold
    if op == "ge":
        return value >= threshold
    raise ValueError(f"unknown comparison {op!r}")


def number_text(value) -> str:
    """A threshold as text: 200000000, 60, 60.5 (no trailing zeros, never an exponent)."""
    if isinstance(value, int):
        return str(value)
    value = Decimal(value)
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


@dataclass(frozen=True)
class Rules:
    """The values of a year's rulebook that `evaluate` needs (the defaults are the document's).

    `previous_registration_until`: a registration of the year before the programme year is
    accepted when the check runs on or before this date (None: only the programme year's).
    """

    revenue_max: Decimal = REVENUE_MAX
    revenue_op: str = "le"
    employees_max: int = EMPLOYEES_MAX
    employees_op: str = "le"
    tech_staff_percent: Decimal = Decimal(TECH_STAFF_PERCENT)
    tech_staff_op: str = "gt"
    results_min: int = RESULTS_MIN
    results_op: str = "gt"
    rd_percent: Decimal = Decimal(RD_INTENSITY_PERCENT)
    rd_op: str = "gt"
    previous_registration_until: object = None  # datetime.date or None

    def threshold(self, code):
        return {"revenue": self.revenue_max, "employees": self.employees_max,
                "tech_staff_ratio": self.tech_staff_percent, "ip_and_transfers": self.results_min,
                "rd_intensity": self.rd_percent}[code]

    def op(self, code):
        return {"revenue": self.revenue_op, "employees": self.employees_op, "tech_staff_ratio": self.tech_staff_op,
                "ip_and_transfers": self.results_op, "rd_intensity": self.rd_op}[code]

    def registration_years(self, year, on=None):
        """The registration years accepted for programme year `year` on date `on`, newest first."""
        year = int(year)
        until = self.previous_registration_until
        if until is not None and (on is None or on <= until):
            return (year, year - 1)
        return (year,)


DEFAULT_RULES = Rules()


def rules_of(rulebook):
    """A Rules from None (the defaults), a Rules, or anything with a `rules()` method (a Rulebook)."""
    if rulebook is None:
        return DEFAULT_RULES
    if isinstance(rulebook, Rules):
        return rulebook
    return rulebook.rules()


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
    note: str = ""  # "", "missing", "no_revenue", "no_employees", "figures_disagree", "other_year"
    op: str = ""  # the comparison, when the rulebook's differs from the document's ("le", "lt", "gt", "ge")

    @property
    def label(self):
        return label(self.code)

    @property
    def text(self):
        return describe(self.as_dict())

    def as_dict(self):
        # By hand: dataclasses.asdict deep-copies and is ten times slower (100,000 verdicts a run).
        d = {"code": self.code, "passed": self.passed, "value": self.value, "threshold": self.threshold,
             "note": self.note}
        if self.op:
            d["op"] = self.op
        return d

    def stored(self):
        """The compact form kept in a Verdict: as_dict without an empty note."""
        d = {"code": self.code, "passed": self.passed, "value": self.value, "threshold": self.threshold}
        if self.note:
            d["note"] = self.note
        if self.op:
            d["op"] = self.op
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


def rules_from_snapshot(snapshot):
    """The Rules a verdict was judged by, from the snapshot it keeps (`Rulebook.snapshot`); defaults for {}."""
    if not snapshot:
        return DEFAULT_RULES
    until = snapshot.get("previous_registration_until")
    return Rules(
        revenue_max=Decimal(snapshot["revenue_max"]), revenue_op=snapshot["revenue_op"],
        employees_max=int(snapshot["employees_max"]), employees_op=snapshot["employees_op"],
        tech_staff_percent=Decimal(snapshot["tech_staff_percent"]), tech_staff_op=snapshot["tech_staff_op"],
        results_min=int(snapshot["results_min"]), results_op=snapshot["results_op"],
        rd_percent=Decimal(snapshot["rd_percent"]), rd_op=snapshot["rd_op"],
        previous_registration_until=datetime.date.fromisoformat(until) if until else None,
    )


def explanation_from(*, figures, rules):
    """A stored verdict's explanation, derived again from the figures and rule values it keeps.

    The set-based check stores no explanation (building it per row in SQL was about half of its time);
    `evaluate` is pure, so the same inputs give the same entries. `figures["accepted_years"]` holds the
    registration years accepted when it ran (they depend on the day of the check).
    """
    def value(name, cast):
        found = (figures.get(name) or {}).get("value")
        return None if found is None else cast(found)

    rules = rules_from_snapshot(rules)
    year = int(figures["year"])
    accepted = figures.get("accepted_years") or [year]
    # The day only chooses the accepted years: before any cut-off both, after it the programme year's alone.
    on = None if len(accepted) > 1 else datetime.date.max
    return evaluate(
        year=year, revenue=value("revenue", Decimal), employees=value("employees", int),
        tech_staff=value("tech_staff", int), has_core_tech_product=bool(figures.get("core_tech_product")),
        high_value_ip=int(figures.get("high_value_ip") or 0), transfers=int(figures.get("transfers") or 0),
        rd_expense=value("rd_expense", Decimal), registered_year=figures.get("registration_year"), rulebook=rules, on=on,
    ).explanation()


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


def compare_percent(part, whole, percent, op="gt"):
    """(part / whole op percent %, the percentage as text), exactly, in integers (whole > 0).

    The text has 2 decimals (half up), more when rounding would hide the comparison: 60.0010
    rather than a misleading 60.00 for a share just above 60 %.
    """
    pn, pd = _integer_ratio(part)
    wn, wd = _integer_ratio(whole)
    tn, td = _integer_ratio(percent)
    num, den = pn * wd * 100 * td, pd * wn * td  # part / whole * 100 == num / den (den carries td)
    limit = pd * wn * tn  # percent == limit / den
    for places in (2, 4, 6, 8):
        scale = 10 ** places
        shown, rest = divmod(num * scale, den)
        if 2 * rest >= den:
            shown += 1
        if num == limit or shown * td != tn * scale:
            break
    digits = str(shown).rjust(places + 1, "0")
    return holds(num, op, limit), f"{digits[:-places]}.{digits[-places:]}"


def exceeds_percent(part, whole, percent) -> bool:
    """part / whole > percent %, exactly."""
    return compare_percent(part, whole, percent)[0]


def percent_text(part, whole, threshold_percent) -> str:
    return compare_percent(part, whole, threshold_percent)[1]


# --- the function -----------------------------------------------------------------------------


def _criterion(code, passed, value, threshold, note, op, rules=None):
    return Criterion(code, passed, value, threshold, note, "" if op == DEFAULT_OPS[code] else op)


def evaluate(*, year, revenue, employees, tech_staff, has_core_tech_product, high_value_ip, transfers, rd_expense,
             registered_year, rulebook=None, on=None):
    """Apply the 四科 standard to one enterprise's figures for `year`.

    rulebook: the year's Rulebook (or a Rules); None for the document's own values.
    on: the date the check runs (for the registration years accepted); None counts as "not after any cut-off".
    """
    rules = rules_of(rulebook)
    revenue = to_money(revenue, "revenue")
    rd_expense = to_money(rd_expense, "rd_expense")
    employees = to_count(employees, "employees")
    tech_staff = to_count(tech_staff, "tech_staff")
    high_value_ip = to_count(high_value_ip, "high_value_ip") or 0
    transfers = to_count(transfers, "transfers") or 0
    default = rules is DEFAULT_RULES

    criteria = []
    if default:
        t_revenue, t_employees, t_staff, t_results, t_rd = _DEFAULT_TEXTS
    else:
        t_revenue, t_employees, t_staff, t_results, t_rd = (
            number_text(rules.revenue_max), number_text(rules.employees_max), number_text(rules.tech_staff_percent),
            number_text(rules.results_min), number_text(rules.rd_percent))

    # 销售收入不超过2亿元
    op = rules.revenue_op
    if revenue is None:
        criteria.append(_criterion("revenue", False, None, t_revenue, "missing", op, rules))
    else:
        criteria.append(_criterion("revenue", holds(revenue, op, rules.revenue_max), str(revenue), t_revenue, "", op,
                                   rules))

    # 员工总数不超过500人
    op = rules.employees_op
    if employees is None:
        criteria.append(_criterion("employees", False, None, t_employees, "missing", op, rules))
    else:
        criteria.append(_criterion("employees", holds(employees, op, rules.employees_max), employees, t_employees,
                                   "", op, rules))

    # 拥有关键核心技术的科技产品
    has_product = bool(has_core_tech_product)
    criteria.append(Criterion("core_tech_product", has_product, has_product, "1"))

    # 科技人员占比大于60%: in integers. More S&T staff than the headcount used means the figures
    # disagree (declared S&T staff against a tax headcount): the criterion fails, never a share above 100 %.
    op = rules.tech_staff_op
    if employees is None or tech_staff is None:
        criteria.append(_criterion("tech_staff_ratio", False, None, t_staff, "missing", op, rules))
    elif employees == 0:
        criteria.append(_criterion("tech_staff_ratio", False, None, t_staff, "no_employees", op, rules))
    elif tech_staff > employees:
        criteria.append(_criterion("tech_staff_ratio", False, None, t_staff, "figures_disagree", op, rules))
    else:
        passed, shown = compare_percent(tech_staff, employees, rules.tech_staff_percent, op)
        criteria.append(_criterion("tech_staff_ratio", passed, shown, t_staff, "", op, rules))

    # 以高价值知识产权为代表的自主科技创新成果和成果转化合计超过5项
    op = rules.results_op
    results = high_value_ip + transfers
    criteria.append(_criterion("ip_and_transfers", holds(results, op, rules.results_min), results, t_results, "", op,
                               rules))

    # 研发投入强度高于6%: rd_expense / revenue, exactly.
    op = rules.rd_op
    if revenue is None or revenue == 0:
        criteria.append(_criterion("rd_intensity", False, None, t_rd, "no_revenue", op, rules))
    elif rd_expense is None:
        criteria.append(_criterion("rd_intensity", False, None, t_rd, "missing", op, rules))
    else:
        passed, shown = compare_percent(rd_expense, revenue, rules.rd_percent, op)
        criteria.append(_criterion("rd_intensity", passed, shown, t_rd, "", op, rules))

    # 在科技部入库: a registration valid for this very year (or the previous one, until the rulebook's cut-off).
    accepted = rules.registration_years(year, on)
    t_registered = ",".join(str(y) for y in sorted(accepted))
    if registered_year is None:
        criteria.append(Criterion("registered", False, None, t_registered, "missing"))
    elif int(registered_year) not in accepted:
        criteria.append(Criterion("registered", False, int(registered_year), t_registered, "other_year"))
    else:
        criteria.append(Criterion("registered", True, int(registered_year), t_registered))

    failed = [c.code for c in criteria if not c.passed]
    return Result(eligible=not failed, failed=failed, criteria=criteria)


_DEFAULT_TEXTS = (str(REVENUE_MAX), str(EMPLOYEES_MAX), str(TECH_STAFF_PERCENT), str(RESULTS_MIN),
                  str(RD_INTENSITY_PERCENT))


# --- words ------------------------------------------------------------------------------------


def _yuan(value):
    return _("%(amount)s yuan") % {"amount": f"{Decimal(value):,.2f}"}


_COMPARED = {
    # (code, op) -> the requirement in words
    ("revenue", "le"): gettext_lazy("at most %(value)s"),
    ("revenue", "lt"): gettext_lazy("less than %(value)s"),
    ("revenue", "gt"): gettext_lazy("more than %(value)s"),
    ("revenue", "ge"): gettext_lazy("at least %(value)s"),
    ("employees", "le"): gettext_lazy("at most %(value)s people"),
    ("employees", "lt"): gettext_lazy("fewer than %(value)s people"),
    ("employees", "gt"): gettext_lazy("more than %(value)s people"),
    ("employees", "ge"): gettext_lazy("at least %(value)s people"),
    ("tech_staff_ratio", "le"): gettext_lazy("at most %(value)s%% of employees"),
    ("tech_staff_ratio", "lt"): gettext_lazy("less than %(value)s%% of employees"),
    ("tech_staff_ratio", "gt"): gettext_lazy("more than %(value)s%% of employees"),
    ("tech_staff_ratio", "ge"): gettext_lazy("at least %(value)s%% of employees"),
    ("ip_and_transfers", "le"): gettext_lazy("at most %(value)s in total"),
    ("ip_and_transfers", "lt"): gettext_lazy("fewer than %(value)s in total"),
    ("ip_and_transfers", "gt"): gettext_lazy("more than %(value)s in total"),
    ("ip_and_transfers", "ge"): gettext_lazy("at least %(value)s in total"),
    ("rd_intensity", "le"): gettext_lazy("at most %(value)s%% of sales revenue"),
    ("rd_intensity", "lt"): gettext_lazy("less than %(value)s%% of sales revenue"),
    ("rd_intensity", "gt"): gettext_lazy("more than %(value)s%% of sales revenue"),
    ("rd_intensity", "ge"): gettext_lazy("at least %(value)s%% of sales revenue"),
}


def rule_text(code, threshold, op=""):
    """The criterion's requirement in words, in the active language (op: the comparison, "" for the document's)."""
    if code == "core_tech_product":
        return _("at least one product with key core technology")
    if code == "registered":
        years = str(threshold).split(",")
        if len(years) == 2:
            return _("a registration valid for %(year)s or %(previous)s") % {"year": years[1], "previous": years[0]}
        return _("a registration valid for %(year)s") % {"year": threshold}
    if code not in DEFAULT_OPS:
        raise KeyError(code)
    value = _yuan(threshold) if code == "revenue" else threshold
    return str(_COMPARED[(code, op or DEFAULT_OPS[code])]) % {"value": value}


def value_text(code, value, note=""):
    """The value the check used, in words."""
    if note == "no_revenue":
        return _("cannot be computed: no sales revenue")
    if note == "no_employees":
        return _("cannot be computed: no employees")
    if note == "figures_disagree":
        return _("cannot be computed: the S&T staff exceed the headcount used, the figures disagree")
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
        "rule": rule_text(entry["code"], entry["threshold"], entry.get("op", "")),
        "outcome": outcome,
    }


def explain(entries):
    """[{code, label, passed, value, rule, text}] for a template, in the active language."""
    return [
        {
            **e,
            "label": label(e["code"]),
            "value_text": value_text(e["code"], e.get("value"), e.get("note", "")),
            "rule": rule_text(e["code"], e["threshold"], e.get("op", "")),
            "text": describe(e),
        }
        for e in entries
    ]
