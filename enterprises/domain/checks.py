"""Running the 四科 check on nominations and storing the verdicts.

One code path for one nomination and for a whole year: `check_nominations(queryset, year=)`
reads every nomination of the queryset with the figures it needs in ONE query (a filtered
join to the year's figures, Coalesce(tax, declared) for the effective values, correlated
Subquery counts of high-value IP and transfers up to the end of the year, Exists for core
products, the registration's year), evaluates each with `eligibility.evaluate`, and upserts
the verdicts in batches (INSERT … ON CONFLICT (nomination) DO UPDATE). No query per enterprise.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from pojian.models import NominationState

from ..models import (
    CoreProduct,
    EnterpriseNomination,
    EnterpriseYear,
    FigureSource,
    IPItem,
    Registration,
    Transfer,
    Verdict,
)
from . import eligibility

BATCH_SIZE = 2000
FIGURES = ("revenue", "rd_expense", "total_assets", "employees", "tech_staff")
VERDICT_FIELDS = ["eligible", *(f"fail_{c}" for c in Verdict.CRITERIA), "explanation", "figures", "checked_at"]


@dataclass
class CheckSummary:
    checked: int = 0
    eligible: int = 0

    @property
    def not_eligible(self):
        return self.checked - self.eligible


def _count(model, *, year_end, date_field, **filters):
    """Correlated COUNT(*) of an enterprise's rows dated up to the end of the year (0 when none)."""
    sub = (
        model.objects.filter(enterprise=OuterRef("enterprise_id"), **{f"{date_field}__lte": year_end}, **filters)
        .order_by()
        .values("enterprise")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


def with_figures(queryset, *, year):
    """The nominations as dicts with everything the check uses, in one query."""
    year_end = datetime.date(year, 12, 31)
    registrations = Registration.objects.filter(enterprise=OuterRef("enterprise_id"))
    this_year = registrations.filter(year=year)
    # The year's registration, else the latest other one (so the explanation can say which year it was for).
    latest = registrations.order_by("-year")
    annotations = {
        "figures_id": F("fy__id"),
        "high_value_ip": _count(IPItem, year_end=year_end, date_field="granted_on", high_value=True),
        "transfer_count": _count(Transfer, year_end=year_end, date_field="date"),
        "has_core_product": Exists(CoreProduct.objects.filter(enterprise=OuterRef("enterprise_id"))),
        "registration_number": Subquery(this_year.values("number")[:1]),
        "registration_year": Coalesce(Subquery(this_year.values("year")[:1]), Subquery(latest.values("year")[:1])),
        "tech_staff_value": F("fy__tech_staff"),
    }
    for name in EnterpriseYear.TAXED:
        annotations[f"{name}_value"] = Coalesce(F(f"fy__{name}_tax"), F(f"fy__{name}"))
        annotations[f"{name}_is_tax"] = ExpressionWrapper(
            Q(**{f"fy__{name}_tax__isnull": False}), output_field=BooleanField()
        )
    return (
        queryset.order_by()
        .annotate(fy=FilteredRelation("enterprise__years", condition=Q(enterprise__years__year=year)))
        .annotate(**annotations)
        .values("pk", *annotations)
    )


def _source(row, name):
    if name in EnterpriseYear.TAXED and row[f"{name}_is_tax"]:
        return FigureSource.TAX.value
    return FigureSource.DECLARED.value


CENT = Decimal("0.01")
MONEY = ("revenue", "rd_expense", "total_assets")


def verdict_for(row, *, year, now):
    """An unsaved Verdict for one row of `with_figures`."""
    for name in MONEY:
        if row[f"{name}_value"] is not None:  # exactly two places, whatever the database returns
            row[f"{name}_value"] = Decimal(row[f"{name}_value"]).quantize(CENT)
    result = eligibility.evaluate(
        year=year,
        revenue=row["revenue_value"],
        employees=row["employees_value"],
        tech_staff=row["tech_staff_value"],
        has_core_tech_product=row["has_core_product"],
        high_value_ip=row["high_value_ip"],
        transfers=row["transfer_count"],
        rd_expense=row["rd_expense_value"],
        registered_year=row["registration_year"],
    )
    figures = {
        "year": year,
        "figures_id": row["figures_id"],
        **{
            name: {
                "value": None if row[f"{name}_value"] is None else str(row[f"{name}_value"]),
                "source": _source(row, name),
            }
            for name in FIGURES
        },
        "high_value_ip": row["high_value_ip"],
        "transfers": row["transfer_count"],
        "core_tech_product": bool(row["has_core_product"]),
        "registration_number": row["registration_number"],
        "registration_year": row["registration_year"],
    }
    failed = set(result.failed)
    return Verdict(
        nomination_id=row["pk"],
        eligible=result.eligible,
        explanation=result.explanation(),
        figures=figures,
        checked_at=now,
        **{f"fail_{c}": c in failed for c in Verdict.CRITERIA},
    )


def _write(batch):
    Verdict.objects.bulk_create(
        batch, update_conflicts=True, unique_fields=["nomination"], update_fields=VERDICT_FIELDS,
    )


def check_nominations(queryset, *, year, progress=None, batch_size=BATCH_SIZE):
    """Check every nomination of `queryset` (all of `year`) and store its verdict. Returns a CheckSummary."""
    now = timezone.now()
    summary = CheckSummary()
    total = queryset.count() if progress else None
    if progress:
        progress(0, total=total, force=True)
    batch = []
    for row in with_figures(queryset, year=year).iterator(chunk_size=batch_size):
        verdict = verdict_for(row, year=year, now=now)
        summary.checked += 1
        summary.eligible += verdict.eligible
        batch.append(verdict)
        if len(batch) >= batch_size:
            _write(batch)
            batch = []
            if progress:
                progress(summary.checked, total=total)
    if batch:
        _write(batch)
    if progress:
        progress(summary.checked, total=total, force=True)
    return summary


def live_nominations(year):
    """The nominations of a year that a check concerns: all but the withdrawn ones."""
    return EnterpriseNomination.objects.filter(cycle__year=year).exclude(state=NominationState.WITHDRAWN)


def check_nomination(nomination):
    """Check one nomination for its year and store (create or update) its verdict."""
    year = nomination.cycle.year
    check_nominations(EnterpriseNomination.objects.filter(pk=nomination.pk), year=year)
    return Verdict.objects.get(nomination_id=nomination.pk)


def check_year(*, year, progress=None):
    """The office's year-wide run: every live nomination of the year."""
    return check_nominations(live_nominations(year), year=year, progress=progress)


def year_check_job(job, progress):
    """Work function for `pojian.domain.jobs.run_job`: job.params = {"year": …, "language": …}."""
    year = int(job.params["year"])
    with override(job.params.get("language") or settings.LANGUAGE_CODE):
        summary = check_year(year=year, progress=progress)
        return _("%(checked)s nominations of %(year)s checked: %(eligible)s meet the 四科 standard, %(not)s do not.") % {
            "checked": summary.checked, "year": year, "eligible": summary.eligible, "not": summary.not_eligible,
        }


def year_check_dedupe_key(year):
    return f"enterprises.check_year:{year}"


def figure_comparison(figures):
    """Rows for showing one EnterpriseYear: declared, tax, the one used, and whether they differ.

    [{field, label, declared, tax, used, source, differs, difference}]; money as Decimal, counts as int.
    """
    if figures is None:
        return []
    rows = []
    for name in FIGURES:
        declared = getattr(figures, name)
        tax = getattr(figures, f"{name}_tax", None)
        used, source = figures.effective(name)
        differs = tax is not None and declared is not None and tax != declared
        rows.append({
            "field": name,
            "label": EnterpriseYear._meta.get_field(name).verbose_name,
            "money": name in ("revenue", "rd_expense", "total_assets"),
            "declared": declared,
            "tax": tax,
            "used": used,
            "source": source,
            "taxed": name in EnterpriseYear.TAXED,
            "differs": differs,
            "difference": (tax - declared) if differs else None,
        })
    return rows
