"""Running the 四科 check on nominations and storing the verdicts.

One code path for one nomination and for a whole year: `check_nominations(queryset, year=)`
reads the nominations with their year's figures in one query (a filtered join to the year's
EnterpriseYear, Coalesce(tax, declared) for the effective values), then the counts it needs in
four aggregate queries over the same set of enterprises (high-value IP granted and transfers
dated up to the end of the year, core products, registrations), evaluates each nomination with
`eligibility.evaluate` and stores the verdicts: bulk upserts in batches (INSERT … ON CONFLICT
(nomination) DO UPDATE), or for a big set on PostgreSQL one DELETE and one COPY in a transaction.
Seven queries plus the writes, whatever the number of nominations.
"""

import datetime
import io
import json
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, F, FilteredRelation, Max, Q
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
ANALYZE_AFTER = 10_000
FIGURES = ("revenue", "rd_expense", "total_assets", "employees", "tech_staff")
MONEY = ("revenue", "rd_expense", "total_assets")
CENT = Decimal("0.01")
VERDICT_FIELDS = ["eligible", *(f"fail_{c}" for c in Verdict.CRITERIA), "explanation", "figures", "checked_at"]


@dataclass
class CheckSummary:
    checked: int = 0
    eligible: int = 0

    @property
    def not_eligible(self):
        return self.checked - self.eligible


@dataclass
class Counts:
    """What the check counts for each enterprise of the set, by enterprise id."""

    high_value_ip: dict
    transfers: dict
    core_products: set
    registration: dict  # enterprise id -> (year, number) for the year itself
    latest_other_year: dict  # enterprise id -> the latest registration year, for those without one this year


def with_figures(queryset, *, year):
    """The nominations as dicts with their year's effective figures and their sources: one query."""
    annotations = {"figures_id": F("fy__id"), "tech_staff_value": F("fy__tech_staff")}
    for name in EnterpriseYear.TAXED:
        annotations[f"{name}_value"] = Coalesce(F(f"fy__{name}_tax"), F(f"fy__{name}"))
        annotations[f"{name}_is_tax"] = ExpressionWrapper(
            Q(**{f"fy__{name}_tax__isnull": False}), output_field=BooleanField()
        )
    return (
        queryset.order_by()
        .annotate(fy=FilteredRelation("enterprise__years", condition=Q(enterprise__years__year=year)))
        .annotate(**annotations)
        .values("pk", "enterprise_id", *annotations)
    )


def counts_for(queryset, *, year):
    """The counts for every enterprise nominated in `queryset`: four aggregate queries, no loop over enterprises."""
    year_end = datetime.date(year, 12, 31)
    enterprises = queryset.order_by().values("enterprise_id")  # a subquery, never a list of ids

    def per_enterprise(model, **filters):
        return dict(
            model.objects.filter(enterprise_id__in=enterprises, **filters)
            .order_by().values("enterprise_id").annotate(n=Count("pk")).values_list("enterprise_id", "n")
        )

    registrations = Registration.objects.filter(enterprise_id__in=enterprises).order_by()
    return Counts(
        high_value_ip=per_enterprise(IPItem, high_value=True, granted_on__lte=year_end),
        transfers=per_enterprise(Transfer, date__lte=year_end),
        core_products=set(
            CoreProduct.objects.filter(enterprise_id__in=enterprises).order_by().values_list("enterprise_id", flat=True).distinct()
        ),
        registration={e: (y, n) for e, y, n in registrations.filter(year=year).values_list("enterprise_id", "year", "number")},
        latest_other_year=dict(
            registrations.exclude(year=year).values("enterprise_id").annotate(y=Max("year")).values_list("enterprise_id", "y")
        ),
    )


TAX, DECLARED = FigureSource.TAX.value, FigureSource.DECLARED.value


# (figure, its key in a `with_figures` row, the key telling whether it is the tax figure, or None)
_FIGURE_KEYS = [(name, f"{name}_value", f"{name}_is_tax" if name in EnterpriseYear.TAXED else None) for name in FIGURES]
_FAIL_KEYS = [(c, f"fail_{c}") for c in Verdict.CRITERIA]


def verdict_values(row, counts, *, year, now):
    """The Verdict's field values for one row of `with_figures`, with the Counts of its set."""
    for name in MONEY:
        key = f"{name}_value"
        if row[key] is not None:  # exactly two places, whatever the database returns
            row[key] = Decimal(row[key]).quantize(CENT)
    enterprise_id = row["enterprise_id"]
    registration_year, registration_number = counts.registration.get(enterprise_id, (None, None))
    if registration_year is None:
        registration_year = counts.latest_other_year.get(enterprise_id)
    high_value_ip = counts.high_value_ip.get(enterprise_id, 0)
    transfers = counts.transfers.get(enterprise_id, 0)
    has_product = enterprise_id in counts.core_products
    result = eligibility.evaluate(
        year=year,
        revenue=row["revenue_value"],
        employees=row["employees_value"],
        tech_staff=row["tech_staff_value"],
        has_core_tech_product=has_product,
        high_value_ip=high_value_ip,
        transfers=transfers,
        rd_expense=row["rd_expense_value"],
        registered_year=registration_year,
    )
    figures = {"year": year, "figures_id": row["figures_id"]}
    for name, key, tax_key in _FIGURE_KEYS:
        value = row[key]
        figures[name] = {
            "value": None if value is None else str(value),
            "source": TAX if tax_key and row[tax_key] else DECLARED,
        }
    figures.update(high_value_ip=high_value_ip, transfers=transfers, core_tech_product=has_product,
                   registration_number=registration_number, registration_year=registration_year)
    failed = result.failed
    values = {"nomination_id": row["pk"], "eligible": result.eligible}
    for code, key in _FAIL_KEYS:
        values[key] = code in failed
    values.update(explanation=result.explanation(), figures=figures, checked_at=now)
    return values


def verdict_for(row, counts, *, year, now):
    """An unsaved Verdict for one row of `with_figures`."""
    return Verdict(**verdict_values(row, counts, year=year, now=now))


# --- writing the verdicts ------------------------------------------------------------------------

COLUMNS = ["nomination_id", "eligible", *(f"fail_{c}" for c in Verdict.CRITERIA), "explanation", "figures", "checked_at"]


class OrmWriter:
    """Any database: bulk upserts of Verdict objects, a batch at a time."""

    def __init__(self):
        self.batch = []

    def add(self, values):
        self.batch.append(Verdict(**values))
        if len(self.batch) >= BATCH_SIZE:
            self.flush()

    def flush(self):
        if self.batch:
            Verdict.objects.bulk_create(
                self.batch, update_conflicts=True, unique_fields=["nomination"], update_fields=VERDICT_FIELDS,
            )
            self.batch = []

    def close(self):
        self.flush()


_encode_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _copy_text(value):
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, (dict, list)):
        text = _encode_json(value)  # JSON has no raw tab or newline; only its backslashes need escaping
        return text.replace("\\", "\\\\") if "\\" in text else text
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class _Lines(io.TextIOBase):
    """A file-like object over a list of lines, for COPY … FROM STDIN."""

    def __init__(self, lines):
        self.lines = lines
        self.position = 0

    def readable(self):
        return True

    def read(self, size=-1):
        if size is None or size < 0:
            size = 1 << 62
        out, length = [], 0
        while self.position < len(self.lines) and length < size:
            line = self.lines[self.position]
            self.position += 1
            out.append(line)
            length += len(line)
        return "".join(out)


class CopyWriter:
    """PostgreSQL: the set's verdicts replaced in one transaction by a COPY straight into the table.

    The verdicts are computed first (Python), then the table is locked against other writers (a
    single-nomination check waits the few seconds), the set's old verdicts deleted and the new
    ones copied in: one statement each, several times faster than bulk upserts of 100,000 rows
    with two JSON columns. Readers are never blocked and see the old verdicts until the commit.
    """

    def __init__(self, queryset):
        self.queryset = queryset
        self.lines = []
        self._stamp = (None, "")

    def _checked_at(self, when):
        if self._stamp[0] is not when:  # the same timestamp for a whole run: format it once
            self._stamp = (when, _copy_text(when))
        return self._stamp[1]

    def add(self, values):
        flags = "\t".join(["t" if values[f"fail_{c}"] else "f" for c in Verdict.CRITERIA])
        self.lines.append(
            f"{values['nomination_id']}\t{'t' if values['eligible'] else 'f'}\t{flags}\t"
            f"{_copy_text(values['explanation'])}\t{_copy_text(values['figures'])}\t"
            f"{self._checked_at(values['checked_at'])}\n"
        )

    def close(self):
        table = Verdict._meta.db_table
        ids_sql, ids_params = self.queryset.order_by().values("pk").query.sql_with_params()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute(f"DELETE FROM {table} WHERE nomination_id IN ({ids_sql})", ids_params)
            cursor.cursor.copy_expert(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN", _Lines(self.lines))
        if len(self.lines) >= ANALYZE_AFTER:
            # A year's run rewrites most of the table: fresh statistics keep the office's filtered lists fast.
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {table}")
        self.lines = []


def writer(queryset, many):
    return CopyWriter(queryset) if many and connection.vendor == "postgresql" else OrmWriter()


def check_nominations(queryset, *, year, progress=None, bulk_copy=None):
    """Check every nomination of `queryset` (all of `year`) and store its verdict. Returns a CheckSummary.

    bulk_copy: write with COPY (PostgreSQL); by default when there are more than a batch of nominations.
    """
    now = timezone.now()
    summary = CheckSummary()
    total = queryset.count()
    if progress:
        progress(0, total=total, force=True)
    counts = counts_for(queryset, year=year)
    out = writer(queryset, many=total > BATCH_SIZE if bulk_copy is None else bulk_copy)
    for row in with_figures(queryset, year=year).iterator(chunk_size=BATCH_SIZE):
        values = verdict_values(row, counts, year=year, now=now)
        summary.checked += 1
        summary.eligible += values["eligible"]
        out.add(values)
        if progress and summary.checked % BATCH_SIZE == 0:
            progress(summary.checked, total=total)
    out.close()
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


def year_summary(year):
    """Counts for a year's live nominations, in one aggregate query: checked, eligible, failed per criterion."""
    qs = live_nominations(year)
    aggregates = {
        "total": Count("pk"),
        "checked": Count("verdict"),
        "eligible": Count("verdict", filter=Q(verdict__eligible=True)),
        **{f"fail_{c}": Count("verdict", filter=Q(**{f"verdict__fail_{c}": True})) for c in Verdict.CRITERIA},
    }
    data = qs.aggregate(**aggregates)
    data["not_eligible"] = data["checked"] - data["eligible"]
    data["unchecked"] = data["total"] - data["checked"]
    data["failed"] = [
        {"code": c, "label": eligibility.label(c), "count": data[f"fail_{c}"]} for c in Verdict.CRITERIA
    ]
    return data


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
