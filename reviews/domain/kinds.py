"""The kinds of nomination a round can review, and what the review needs to know of each.

One small registry: which model holds the nominations of a kind, how to read the nominee's
name / USCC / region / industry, the tie-break value (enterprises: R&D intensity from the
四科 verdict's figures; other kinds: none) and the year's quota. Models of apps that are not
installed yet (incubators, finance, assessment) are looked up lazily; a kind whose model does
not exist simply has no nominations.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.apps import apps


@dataclass(frozen=True)
class NomineeKind:
    kind: str
    model_labels: tuple  # candidates, the first that exists wins
    quota_field: str | None  # Cycle field with the year's quota
    gate: str | None = None  # dotted path of a function () -> Q: the nominations that may be reviewed and selected

    def model(self):
        for label in self.model_labels:
            app_label, _, model_name = label.partition(".")
            if not apps.is_installed(app_label):
                continue
            try:
                return apps.get_model(app_label, model_name)
            except LookupError:
                continue
        return None


KINDS = {
    "enterprises": NomineeKind("enterprises", ("enterprises.EnterpriseNomination",), "enterprise_quota",
                                  "enterprises.domain.gate.reviewable_q"),
    "incubators": NomineeKind("incubators", ("incubators.IncubatorNomination",), "incubator_quota"),
    "finance": NomineeKind("finance", ("finance.FinanceNomination", "finance.InstitutionNomination"), None),
    "bureau_summaries": NomineeKind("bureau_summaries", ("assessment.BureauSummary",), None),
    # 验收: supported projects, put into a round by funding.domain.acceptance (never by populate_round).
    "acceptance": NomineeKind("acceptance", ("funding.Project",), None),
}


def nomination_model(kind):
    entry = KINDS.get(kind)
    return entry.model() if entry else None


def gate_q(kind):
    """The Q of nominations of `kind` that pass its gate (the 四科 check for enterprises), or None."""
    from django.utils.module_loading import import_string

    entry = KINDS.get(kind)
    return import_string(entry.gate)() if entry and entry.gate else None


def ungated_ids(round_, object_ids):
    """Of these nominations of the round's kind, the ids that do not pass the kind's gate."""
    q = gate_q(round_.kind)
    model = nomination_model(round_.kind)
    if q is None or model is None or not object_ids:
        return set()
    ids = set(object_ids)
    return ids - set(model._default_manager.filter(q, pk__in=ids).values_list("pk", flat=True))


def quota_for(round_):
    entry = KINDS.get(round_.kind)
    if entry is None or entry.quota_field is None:
        return None
    return getattr(round_.cycle, entry.quota_field, None)


def _decimal(value):
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def rd_intensity(nomination):
    """R&D expense / sales revenue as used by the 四科 check (Verdict.figures), else from the figures.

    None when it cannot be known (no verdict and no figures, or no revenue).
    """
    if nomination is None or nomination.__class__.__name__ != "EnterpriseNomination":
        return None
    verdict = getattr(nomination, "verdict", None) if _has_verdict(nomination) else None
    figures = (verdict.figures or {}) if verdict is not None else {}
    for key in ("rd_intensity", "rd_intensity_ratio"):
        value = figures.get(key)
        if isinstance(value, dict):
            value = value.get("value")
        value = _decimal(value)
        if value is not None:
            return value
    revenue = _decimal(_figure(figures, "revenue"))
    rd = _decimal(_figure(figures, "rd_expense"))
    if revenue is None or rd is None:
        year = nomination.enterprise.years.filter(year=nomination.cycle.year).first()
        if year is None:
            return None
        revenue = year.effective("revenue")[0]
        rd = year.effective("rd_expense")[0]
    if not revenue or rd is None:
        return None
    return (Decimal(rd) / Decimal(revenue)).quantize(Decimal("0.000001"))


def _figure(figures, key):
    value = figures.get(key)
    if isinstance(value, dict):
        value = value.get("value")
    return value


def _has_verdict(nomination):
    from django.core.exceptions import ObjectDoesNotExist

    try:
        return nomination.verdict is not None
    except ObjectDoesNotExist:
        return False


def nominee_facts(nomination):
    """{name, uscc, region_id, industry, submitted_at, rd_intensity} of any kind of nomination."""
    name = _try(lambda: nomination.nominee_name) or str(nomination)
    uscc = _try(lambda: nomination.nominee_uscc) or ""
    industry = ""
    for path in ("enterprise", "incubator", "institution"):
        target = getattr(nomination, path, None)
        if target is not None and getattr(target, "industry", None):
            industry = target.industry
            break
    return {
        "nominee_name": str(name)[:200],
        "nominee_uscc": (uscc or "").strip().upper()[:18],
        "region_id": nomination.region_id,
        "industry": industry or "",
        "submitted_at": getattr(nomination, "submitted_at", None),
        "rd_intensity": rd_intensity(nomination),
    }


def _try(fn):
    try:
        return fn()
    except (NotImplementedError, AttributeError):
        return None


def kind_list_name(kind):
    """What a kind's list is called publicly (public notice titles and headings)."""
    from django.utils.translation import gettext as _

    names = {
        "enterprises": _("science and technology SMEs"),
        "incubators": _("incubators and maker spaces"),
        "finance": _("finance investment service institutions"),
        "bureau_summaries": _("nominating units' work"),
        "acceptance": _("projects for acceptance"),
    }
    return names.get(kind, kind)
