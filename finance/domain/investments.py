"""Investments: recording one, importing many, and deciding 投早投小 (early or small).

An investment counts as 投早投小 when, at its date, the enterprise was younger than the office's
age limit (3 years by default) or its sales revenue for the investment's year (the latest year
up to it that has figures; the tax figure wins) was below the office's revenue limit. The
decision and what it rested on are stored with the investment (`basis`).
"""

import datetime
import unicodedata
from decimal import Decimal

from django.conf import settings as django_settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from enterprises.models import Enterprise, EnterpriseYear
from pojian.domain.errors import PermissionDenied, ValidationError
from pojian.domain.jobs import JobFailed
from pojian.domain.money import parse_money
from pojian.domain.uscc import is_valid, normalise
from pojian.domain.xlsx import read_rows, write_workbook
from pojian.models import User

from ..models import FinanceInstitution, FinanceSettings, Investment

# ---------------------------------------------------------------------------------------------
# 投早投小


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def revenue_for(enterprise_id, on: datetime.date, years=None):
    """(effective revenue, its year) from the latest figures up to the investment's year, or (None, None)."""
    if years is None:
        years = EnterpriseYear.objects.filter(enterprise_id=enterprise_id, year__lte=on.year).order_by("-year")
    for fy in sorted((y for y in years if y.year <= on.year), key=lambda y: -y.year):
        value, _source = fy.effective("revenue")
        if value is not None:
            return value, fy.year
    return None, None


def classify(enterprise, on: datetime.date, *, limits=None, years=None):
    """(early_or_small, basis) for an investment in `enterprise` on `on`."""
    limits = limits or FinanceSettings.load()
    basis = {"age_limit_years": limits.early_age_years, "revenue_limit": str(limits.small_revenue_limit)}
    young = None
    if enterprise.founded_on:
        young = on < add_years(enterprise.founded_on, limits.early_age_years)
        basis["founded_on"] = enterprise.founded_on.isoformat()
    revenue, revenue_year = revenue_for(enterprise.pk, on, years)
    small = None
    if revenue is not None:
        small = revenue < limits.small_revenue_limit
        basis.update(revenue=str(revenue), revenue_year=revenue_year)
    basis.update(young=young, small=small)
    return bool(young or small), basis


def describe_basis(basis) -> str:
    """The stored basis as a sentence in the active language."""
    if not basis:
        return ""
    parts = []
    if basis.get("young") is None:
        parts.append(_("founding date unknown"))
    elif basis["young"]:
        parts.append(_("founded %(date)s, under %(n)s years old at the investment") % {
            "date": basis["founded_on"], "n": basis["age_limit_years"]})
    else:
        parts.append(_("founded %(date)s, %(n)s years old or more at the investment") % {
            "date": basis["founded_on"], "n": basis["age_limit_years"]})
    if basis.get("small") is None:
        parts.append(_("no revenue figures"))
    else:
        values = {"year": basis["revenue_year"], "revenue": _money(basis["revenue"]), "limit": _money(basis["revenue_limit"])}
        if basis["small"]:
            parts.append(_("%(year)s sales revenue %(revenue)s yuan, below %(limit)s yuan") % values)
        else:
            parts.append(_("%(year)s sales revenue %(revenue)s yuan, not below %(limit)s yuan") % values)
    return _("; ").join(parts)


def _money(text):
    from pojian.templatetags.portal import yuan

    return yuan(Decimal(text))


# ---------------------------------------------------------------------------------------------
# Who may record investments for which institution


def allowed_institutions(user):
    """The institutions `user` may record investments for: None = all (office), else a queryset."""
    if user.is_superuser or user.role == User.Role.OFFICE:
        return None
    if user.role == User.Role.PARTNER:
        return FinanceInstitution.objects.filter(users=user)
    return FinanceInstitution.objects.none()


def _check_may_record(user, institution):
    allowed = allowed_institutions(user)
    if allowed is not None and not allowed.filter(pk=institution.pk).exists():
        raise PermissionDenied(_("You may only record investments of your own institution."))


# ---------------------------------------------------------------------------------------------
# Typed entry


def record_investment(*, institution, enterprise, date, amount, round, by, note=""):
    """Record one typed investment, classified as 投早投小 or not."""
    _check_may_record(by, institution)
    investment = Investment(institution=institution, enterprise=enterprise, date=date, amount=amount, round=round, note=note)
    return _save(investment, by=by, reason="record")


def update_investment(investment, *, by, **fields):
    """Change a recorded investment; 投早投小 is decided again on the new facts."""
    _check_may_record(by, investment.institution)
    for name, value in fields.items():
        setattr(investment, name, value)
    _check_may_record(by, investment.institution)
    return _save(investment, by=by, reason="update")


def _save(investment, *, by, reason):
    if Investment.objects.filter(
        institution=investment.institution, enterprise=investment.enterprise, date=investment.date, round=investment.round
    ).exclude(pk=investment.pk).exists():
        raise ValidationError(_("This investment is already recorded."), code="duplicate")
    investment.early_or_small, investment.basis = classify(investment.enterprise, investment.date)
    if investment.pk is None:
        investment.created_by = by
    investment._history_user = by
    investment._change_reason = reason
    with transaction.atomic():
        investment.save()
    return investment


def reclassify(queryset=None):
    """Decide 投早投小 again for investments (after the office changed the limits). Returns how many changed."""
    limits = FinanceSettings.load()
    changed = 0
    for investment in (queryset or Investment.objects.all()).select_related("enterprise"):
        flag, basis = classify(investment.enterprise, investment.date, limits=limits)
        if (flag, basis) != (investment.early_or_small, investment.basis):
            Investment.objects.filter(pk=investment.pk).update(early_or_small=flag, basis=basis)
            changed += 1
    return changed


# ---------------------------------------------------------------------------------------------
# Import from .xlsx (all or nothing, every bad row listed)

COLUMNS = [
    ("institution_uscc", gettext_lazy("Institution credit code")),
    ("enterprise_uscc", gettext_lazy("Enterprise credit code")),
    ("date", gettext_lazy("Investment date")),
    ("amount", gettext_lazy("Investment amount (yuan)")),
    ("round", gettext_lazy("Round")),
    ("note", gettext_lazy("Note")),
]
REQUIRED = ("institution_uscc", "enterprise_uscc", "date", "amount", "round")
EXTRA_ROUND_NAMES = {
    "种子轮": "seed", "种子": "seed", "天使轮": "angel", "天使": "angel", "a轮": "a", "pre-a": "a", "pre-a轮": "a",
    "b轮": "b", "c轮": "later", "d轮": "later", "b轮以后": "later", "后续轮次": "later", "pre-ipo": "later",
    "贷款": "loan", "债权": "loan", "a": "a", "b": "b", "series a": "a", "series b": "b",
}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


def _labels(label):
    """A column label in every language the portal speaks."""
    names = set()
    for code, _name in django_settings.LANGUAGES:
        with translation.override(code):
            names.add(str(label).strip())
    return names


def _header(text):
    return unicodedata.normalize("NFKC", str(text)) if text is not None else text


def header_map():
    """{header text as it may appear in a sheet: column key}."""
    mapping = {}
    for key, label in COLUMNS:
        mapping[key] = key
        for name in _labels(label):
            mapping[name] = key
            # 投资金额（元） and 投资金额(元) are one header: sheets typed with either brackets import.
            mapping[unicodedata.normalize("NFKC", name)] = key
    return mapping


def round_names():
    names = dict(EXTRA_ROUND_NAMES)
    for value, label in Investment.Round.choices:
        names[value] = value
        for name in _labels(label):
            names[name.lower().replace(" ", "")] = value
            names[name.lower()] = value
    return names


def template_headers():
    return [str(label) for _key, label in COLUMNS]


def write_template(path):
    """An empty import sheet with the headers in the active language and one example row."""
    example = ["91220101MA84F3QK2P", "91220101MA0Y2K8H18", datetime.date(timezone.localdate().year, 3, 31),
               Decimal("5000000.00"), str(Investment.Round.A.label), ""]
    return write_workbook(path, [(str(_("Investments")), template_headers(), [example], [24, 24, 14, 18, 12, 30])])


def parse_date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        for fmt in DATE_FORMATS:
            try:
                return datetime.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
    raise ValueError


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def import_investments(job, progress):
    """The job's work: read job.input_file, check every row, then record all rows or none.

    Messages are in Chinese (the province's working language) whatever the requester's setting.
    """
    with translation.override(django_settings.LANGUAGE_CODE):
        return _import(job, progress)


def _import(job, progress):
    by = job.created_by
    allowed = allowed_institutions(by)
    allowed_ids = None if allowed is None else set(allowed.values_list("pk", flat=True))
    headers = header_map()
    label_of = {key: str(label) for key, label in COLUMNS}

    def check_headers(names):
        present = {headers[_header(h)] for h in names if _header(h) in headers}  # either bracket width
        missing = [label_of[k] for k in REQUIRED if k not in present]
        if missing:
            raise JobFailed(
                _("Required columns are missing: %(columns)s.") % {"columns": _("、").join(missing)},
                [{"row": 1, "column": c, "message": _("This column is missing.")} for c in missing],
            )

    job.input_file.open("rb")
    try:
        rows = list(read_rows(job.input_file, check_headers=check_headers))
    except JobFailed:
        raise
    except Exception:  # noqa: BLE001 - any unreadable file gets the same clear answer
        raise JobFailed(_("The file could not be read as an Excel (.xlsx) workbook.")) from None
    finally:
        job.input_file.close()
    if not rows:
        raise JobFailed(_("The file has no rows to import."))
    total = len(rows)
    progress(0, total=total, force=True)

    institution_codes, enterprise_codes = set(), set()
    for _number, row in rows:
        data = {headers[_header(h)]: v for h, v in row.items() if _header(h) in headers}
        institution_codes.add(normalise(_text(data.get("institution_uscc"))))
        enterprise_codes.add(normalise(_text(data.get("enterprise_uscc"))))
    institutions = {i.uscc: i for i in FinanceInstitution.objects.filter(uscc__in=institution_codes)}
    enterprises = {e.uscc: e for e in Enterprise.objects.filter(uscc__in=enterprise_codes)}
    names = round_names()
    today = timezone.localdate()

    errors, parsed, seen = [], [], {}
    for done, (number, row) in enumerate(rows, start=1):
        data = {headers[_header(h)]: v for h, v in row.items() if _header(h) in headers}
        row_errors = []

        def err(key, message, number=number, row_errors=row_errors):
            row_errors.append({"row": number, "column": label_of[key], "message": str(message)})

        for key in REQUIRED:
            if _text(data.get(key)) == "":
                err(key, _("This field is required."))
        institution = enterprise = date = amount = round_code = None
        code = normalise(_text(data.get("institution_uscc")))
        if code:
            if not is_valid(code):
                err("institution_uscc", _("“%(value)s” is not a valid unified social credit code.") % {"value": code})
            elif code not in institutions:
                err("institution_uscc", _("No finance institution with the credit code %(value)s is in the portal.") % {"value": code})
            else:
                institution = institutions[code]
                if allowed_ids is not None and institution.pk not in allowed_ids:
                    err("institution_uscc", _("You may only import investments of your own institution."))
                    institution = None
        code = normalise(_text(data.get("enterprise_uscc")))
        if code:
            if not is_valid(code):
                err("enterprise_uscc", _("“%(value)s” is not a valid unified social credit code.") % {"value": code})
            elif code not in enterprises:
                err("enterprise_uscc", _("No enterprise with the credit code %(value)s is in the portal.") % {"value": code})
            else:
                enterprise = enterprises[code]
        raw = data.get("date")
        if _text(raw):
            try:
                date = parse_date(raw)
            except ValueError:
                err("date", _("“%(value)s” is not a date (write it as 2025-03-31).") % {"value": _text(raw)})
            else:
                if date > today:
                    err("date", _("The date %(date)s is in the future.") % {"date": date.isoformat()})
                    date = None
        raw = data.get("amount")
        if _text(raw):
            try:
                amount = parse_money(raw)
            except ValueError as e:
                err("amount", str(e))
            else:
                if amount <= 0:
                    err("amount", _("The amount must be more than zero."))
                    amount = None
        raw = _text(data.get("round"))
        if raw:
            round_code = names.get(raw.lower()) or names.get(raw.lower().replace(" ", ""))
            if round_code is None:
                err("round", _("“%(value)s” is not a known round (seed, angel, A, B, later rounds, loan).") % {"value": raw})
        note = _text(data.get("note"))
        if len(note) > 300:
            err("note", _("The note may have at most 300 characters."))
        if not row_errors and None not in (institution, enterprise, date, amount, round_code):
            key = (institution.pk, enterprise.pk, date, round_code)
            if key in seen:
                err("round", _("The same investment is already in row %(row)d of this file.") % {"row": seen[key]})
            else:
                seen[key] = number
                parsed.append(Investment(institution=institution, enterprise=enterprise, date=date, amount=amount,
                                         round=round_code, note=note, created_by=by))
        errors.extend(row_errors)
        progress(done, force=done == total)

    if parsed:
        existing = Investment.objects.filter(
            institution__in={i.institution_id for i in parsed}, enterprise__in={i.enterprise_id for i in parsed}
        ).values_list("institution_id", "enterprise_id", "date", "round")
        existing = set(existing)
        for investment, number in zip(parsed, [seen[(i.institution_id, i.enterprise_id, i.date, i.round)] for i in parsed],
                                      strict=True):
            if (investment.institution_id, investment.enterprise_id, investment.date, investment.round) in existing:
                errors.append({"row": number, "column": label_of["round"], "message": _("This investment is already recorded.")})
    if errors:
        errors.sort(key=lambda e: e["row"])
        bad_rows = len({e["row"] for e in errors})
        raise JobFailed(
            _("Nothing was imported: %(bad)d of %(total)d rows have problems. Correct them and import the file again.")
            % {"bad": bad_rows, "total": total},
            errors,
        )

    limits = FinanceSettings.load()
    figures = {}
    for fy in EnterpriseYear.objects.filter(enterprise__in={i.enterprise_id for i in parsed}):
        figures.setdefault(fy.enterprise_id, []).append(fy)
    for investment in parsed:
        investment.early_or_small, investment.basis = classify(
            investment.enterprise, investment.date, limits=limits, years=figures.get(investment.enterprise_id, [])
        )
    with transaction.atomic():
        bulk_create_with_history(parsed, Investment, default_user=by, default_change_reason="import")
    return _("%(n)d investments imported.") % {"n": len(parsed)}
