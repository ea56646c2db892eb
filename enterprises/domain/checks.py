"""Running the 四科 check on nominations and storing the verdicts.

One code path for one nomination and for a whole year: `check_nominations(queryset, year=)`
reads the nominations with their year's figures in one query (a filtered join to the year's
EnterpriseYear, Coalesce(tax, declared) for the effective values), then the counts it needs in
five aggregate queries over the same set of enterprises (high-value IP granted and transfers
dated up to the end of the year, core products, registrations of the year, the latest other
one), evaluates each nomination with `eligibility.evaluate` (`check_row`, the one place) and
stores the verdicts with bulk upserts in batches (INSERT … ON CONFLICT (nomination) DO UPDATE).

For a big set on PostgreSQL the check is set-based (sql_check.py): one statement computes the
verdicts in the database, the year's rulebook as parameters, and writes only the verdicts whose
inputs, rules or outcome changed (in place; the missing ones inserted); `evaluate` stays the
reference (test_sql_check.py holds the two together).
The COPY writer below (`copy_verdicts`) is the earlier Python-side bulk path, kept for callers
that have rows already checked in Python.
"""

import datetime
import io
import itertools
import json
import json.encoder
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
COPY_CHUNK = 10_000  # rows fetched, then checked and copied, at a time
COPY_READ = 1 << 16  # characters COPY asks for at a time
ANALYZE_AFTER = 10_000
# The advisory lock key of the verdict set-rewrites (any fixed number no other code uses).
SET_REWRITE_LOCK = 0x5A4B_0001
FIGURES = ("revenue", "rd_expense", "total_assets", "employees", "tech_staff")
MONEY = ("revenue", "rd_expense", "total_assets")
CENT = Decimal("0.01")
VERDICT_FIELDS = ["eligible", *(f"fail_{c}" for c in Verdict.CRITERIA), "stored_explanation", "stored_figures",
                  "used_year", "rulebook", "stored_rules",
                  "checked_at"]


@dataclass
class CheckSummary:
    checked: int = 0
    eligible: int = 0
    rulebook: object = None
    written: int = 0  # verdicts inserted or updated (the set-based check leaves unchanged ones alone)

    @property
    def not_eligible(self):
        return self.checked - self.eligible


@dataclass
class Counts:
    """What the check counts for each enterprise of the set, by enterprise id."""

    high_value_ip: dict
    transfers: dict
    core_products: set
    registration: dict  # enterprise id -> (year, number) for the newest accepted year it has
    latest_other_year: dict  # enterprise id -> the latest registration year, for those without an accepted one


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


def ip_counted_q(rulebook, *, year):
    """The IP items that count as high-value results under the rulebook for programme year `year`:
    of a kind the rulebook counts, granted by the end of the year, and valid then unless lapsed items count."""
    year_end = datetime.date(year, 12, 31)
    q = Q(kind__in=list(rulebook.high_value_kinds), granted_on__lte=year_end)
    if not rulebook.lapsed_counts:
        q &= Q(lapsed_on__isnull=True) | Q(lapsed_on__gt=year_end)
    return q


def transfer_counted_q(rulebook, *, year):
    """The transfers that count: dated by the end of the year, with a contract number and an amount when the rulebook asks."""
    q = Q(date__lte=datetime.date(year, 12, 31))
    if rulebook.transfers_need_contract:
        q &= ~Q(contract_no="") & Q(amount__isnull=False) & Q(amount__gt=0)
    return q


def contract_counted_q(rulebook, *, year):
    """The registered technology contracts (双千工程) that count as transfers: the enterprise is the buyer
    (受让方), registered by the end of the year, not cancelled, with an amount actually paid by then; and each
    contract once: not when a counted transfer of the enterprise already carries its registration number."""
    from django.db.models import Exists, OuterRef

    from techtransfer.models import ContractPayment

    year_end = datetime.date(year, 12, 31)
    paid = ContractPayment.objects.filter(contract=OuterRef("pk"), paid_on__lte=year_end, amount__gt=0)
    typed = Transfer.objects.filter(transfer_counted_q(rulebook, year=year), enterprise_id=OuterRef("enterprise_id"),
                                    contract_no=OuterRef("registration_number"))
    return (Q(enterprise_role="buyer", registered_on__lte=year_end, cancelled_at__isnull=True) & Exists(paid)
            & ~Exists(typed))


def contract_counts(rulebook, *, year, enterprises):
    """The counted contracts by enterprise: a values queryset of (enterprise_id, n)."""
    from techtransfer.models import TechContract

    return (TechContract.objects.filter(contract_counted_q(rulebook, year=year), enterprise_id__in=enterprises)
            .order_by().values("enterprise_id").annotate(n=Count("pk")).values("enterprise_id", "n"))


def contract_status(contract, rulebook, *, year, typed_numbers=()):
    """(counted, why not) for one contract: `contract_counted_q` for one object, with the reason in words."""
    year_end = datetime.date(year, 12, 31)
    if contract.cancelled_at is not None:
        return False, _("the contract was cancelled: %(reason)s") % {"reason": contract.cancel_reason}
    if contract.enterprise_role != "buyer":
        return False, _("the enterprise is not the buyer (受让方) of this contract")
    if contract.registered_on > year_end:
        return False, _("registered after the end of %(year)s") % {"year": year}
    if not any(p.paid_on <= year_end and p.amount > 0 for p in contract.payments.all()):
        return False, _("nothing paid on it by the end of %(year)s") % {"year": year}
    if contract.registration_number in typed_numbers:
        return False, _("already counted as the transfer with this contract number")
    return True, ""


class ContractAsTransfer:
    """A technology contract shown among the transfers (kind, number, amount paid, date), marked counted or not."""

    def __init__(self, contract, *, counted, why):
        from django.db.models import Sum

        self.contract = contract
        self.pk = f"contract-{contract.pk}"
        self.contract_no = contract.registration_number
        self.amount = sum((p.amount for p in contract.payments.all()), Decimal("0")) if hasattr(
            contract, "_prefetched_objects_cache") else contract.payments.aggregate(s=Sum("amount"))["s"]
        self.date = contract.registered_on
        self.counted, self.not_counted_because = counted, why

    def get_kind_display(self):
        return _("Registered technology contract (%(kind)s)") % {"kind": self.contract.get_kind_display()}


def ip_item_status(item, rulebook, *, year):
    """(counted, why not) for one IP item: `ip_counted_q` for one object, with the reason in words."""
    year_end = datetime.date(year, 12, 31)
    if item.kind not in rulebook.high_value_kinds:
        return False, _("this kind does not count as high-value IP this year")
    if item.granted_on > year_end:
        return False, _("granted after the end of %(year)s") % {"year": year}
    if not rulebook.lapsed_counts and item.lapsed_on is not None and item.lapsed_on <= year_end:
        return False, _("lapsed on %(date)s") % {"date": item.lapsed_on.isoformat()}
    return True, ""


def transfer_status(transfer, rulebook, *, year):
    """(counted, why not) for one transfer: `transfer_counted_q` for one object, with the reason in words."""
    if transfer.date > datetime.date(year, 12, 31):
        return False, _("dated after the end of %(year)s") % {"year": year}
    if rulebook.transfers_need_contract:
        if not transfer.contract_no:
            return False, _("no contract number")
        if transfer.amount is None or transfer.amount <= 0:
            return False, _("no amount")
    return True, ""


def counted_results(nomination, *, verdict=None):
    """The enterprise's IP items and transfers, each marked with whether it counted and why not.

    Judged by the rulebook the nomination's verdict was judged by (the year's current one when it
    has none), so the office, the bureau, the expert and the 推荐表 say the same. Returns
    (rulebook, ip_items, transfers); each item carries `.counted` and `.not_counted_because`.
    """
    from .rulebook import rulebook_for

    year = nomination.cycle.year
    judged_by = (verdict.rulebook if verdict is not None and verdict.rulebook_id else None) or rulebook_for(year)
    marked = []
    for items, status in ((nomination.enterprise.ip_items.all(), ip_item_status),
                          (nomination.enterprise.transfers.all(), transfer_status)):
        items = list(items)
        for item in items:
            item.counted, item.not_counted_because = status(item, judged_by, year=year)
        marked.append(items)
    typed = {t.contract_no for t in marked[1] if t.counted and t.contract_no}
    for contract in nomination.enterprise.tech_contracts.prefetch_related("payments"):
        counted, why = contract_status(contract, judged_by, year=year, typed_numbers=typed)
        marked[1].append(ContractAsTransfer(contract, counted=counted, why=why))
    return judged_by, marked[0], marked[1]


def counts_for(queryset, *, year, rulebook=None, on=None):
    """The counts for every enterprise nominated in `queryset`: five aggregate queries, no loop over enterprises."""
    from .rulebook import rulebook_for

    rulebook = rulebook or rulebook_for(year)
    accepted = rulebook.rules().registration_years(year, on)
    enterprises = queryset.order_by().values("enterprise_id")  # a subquery, never a list of ids

    registrations = Registration.objects.filter(enterprise_id__in=enterprises).order_by()
    registration = {}
    for e, y, n in registrations.filter(year__in=accepted).order_by("year").values_list("enterprise_id", "year", "number"):
        registration[e] = (y, n)  # the newest accepted year last, so it wins
    transfers = dict(
        Transfer.objects.filter(transfer_counted_q(rulebook, year=year), enterprise_id__in=enterprises)
        .order_by().values("enterprise_id").annotate(n=Count("pk")).values_list("enterprise_id", "n")
    )
    for e, n in contract_counts(rulebook, year=year, enterprises=enterprises).values_list("enterprise_id", "n"):
        transfers[e] = transfers.get(e, 0) + n
    return Counts(
        high_value_ip=dict(
            IPItem.objects.filter(ip_counted_q(rulebook, year=year), enterprise_id__in=enterprises)
            .order_by().values("enterprise_id").annotate(n=Count("pk")).values_list("enterprise_id", "n")
        ),
        transfers=transfers,
        core_products=set(
            CoreProduct.objects.filter(enterprise_id__in=enterprises).order_by().values_list("enterprise_id", flat=True).distinct()
        ),
        registration=registration,
        latest_other_year=dict(
            registrations.exclude(year__in=accepted).values("enterprise_id").annotate(y=Max("year")).values_list("enterprise_id", "y")
        ),
    )


TAX, DECLARED = FigureSource.TAX.value, FigureSource.DECLARED.value


# (figure, its key in a `with_figures` row, the key telling whether it is the tax figure, or None)
_FIGURE_KEYS = [(name, f"{name}_value", f"{name}_is_tax" if name in EnterpriseYear.TAXED else None) for name in FIGURES]
_FAIL_KEYS = [(c, f"fail_{c}") for c in Verdict.CRITERIA]


@dataclass(slots=True)
class Checked:
    """One nomination checked: the result of `eligibility.evaluate` and what it was given."""

    nomination_id: int
    result: eligibility.Result
    figures_id: int | None
    figures: list  # [(name, value as text or None, source)] in FIGURES order
    high_value_ip: int
    transfers: int
    has_product: bool
    registration_number: str | None
    registration_year: int | None


def check_row(row, counts, *, year, rules=None, on=None):
    """Evaluate one row of `with_figures` with the Counts of its set: the single place the check is applied."""
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
        rulebook=rules,
        on=on,
    )
    figures = []
    for name, key, tax_key in _FIGURE_KEYS:
        value = row[key]
        figures.append((name, None if value is None else str(value), TAX if tax_key and row[tax_key] else DECLARED))
    return Checked(row["pk"], result, row["figures_id"], figures, high_value_ip, transfers, has_product,
                   registration_number, registration_year)


def verdict_values(row, counts, *, year, now, rulebook=None, figures_year=None, on=None):
    """The Verdict's field values for one row of `with_figures`, with the Counts of its set."""
    rules = rulebook.rules() if rulebook else None
    checked = check_row(row, counts, year=year, rules=rules, on=on)
    figures = {"year": year, "figures_year": figures_year or year, "figures_id": checked.figures_id}
    for name, value, source in checked.figures:
        figures[name] = {"value": value, "source": source}
    figures.update(high_value_ip=checked.high_value_ip, transfers=checked.transfers,
                   core_tech_product=checked.has_product, registration_number=checked.registration_number,
                   registration_year=checked.registration_year,
                   accepted_years=list(eligibility.rules_of(rules).registration_years(year, on)))
    result = checked.result
    failed = result.failed
    values = {"nomination_id": checked.nomination_id, "eligible": result.eligible}
    for code, key in _FAIL_KEYS:
        values[key] = code in failed
    values.update(stored_explanation=result.explanation(), stored_figures=figures, used_year=None, checked_at=now,
                  rulebook_id=rulebook.pk if rulebook else None,
                  stored_rules={})  # no used_* columns: the next set-based check writes this verdict once more
    return values


def verdict_for(row, counts, *, year, now, **kwargs):
    """An unsaved Verdict for one row of `with_figures`."""
    return Verdict(**verdict_values(row, counts, year=year, now=now, **kwargs))


# --- writing the verdicts ------------------------------------------------------------------------

COLUMNS = ["nomination_id", "eligible", *(f"fail_{c}" for c in Verdict.CRITERIA), "explanation", "figures",
           "rulebook_id", "rules", "checked_at"]


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


# The COPY path writes the same verdicts as text, without building the dicts and without the json
# module (a third of the time of a year's run went into json.dumps): the JSON is put together here.
# test_check_year_copy_path_matches_the_orm_path holds the two to the same stored values.
_json_str = json.encoder.encode_basestring  # the C encoder: a quoted, escaped JSON string, non-ASCII kept


def _json_scalar(value):
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is int:
        return str(value)
    return _json_str(str(value))


def _criterion_json(c):
    note = f',"note":{_json_str(c.note)}' if c.note else ""
    if c.op:
        note += f',"op":{_json_str(c.op)}'
    return (f'{{"code":"{c.code}","passed":{"true" if c.passed else "false"},"value":{_json_scalar(c.value)},'
            f'"threshold":{_json_str(c.threshold)}{note}}}')


# Criteria whose values take few distinct values (a head count, a yes/no, a count of results, a
# year): their JSON is made once per distinct value in a run.
_FEW_VALUES = frozenset({"employees", "core_tech_product", "ip_and_transfers", "registered"})


class _CriterionCache(dict):
    def json(self, c):
        if c.code not in _FEW_VALUES:
            return _criterion_json(c)
        key = (c.code, c.passed, c.value, c.threshold, c.note, c.op)
        text = self.get(key)
        if text is None:
            if len(self) > 50_000:
                self.clear()
            text = self[key] = _criterion_json(c)
        return text


def _copy_json(text):
    """JSON in PostgreSQL's COPY text format: JSON has no raw tab or newline; only its backslashes need escaping."""
    return text.replace("\\", "\\\\") if "\\" in text else text


def copy_line(checked, *, year, checked_at_text, cache=None, figures_year=None, rules_text="\\N\t{}", accepted=None):
    """One Verdict row in COPY text format, for `COLUMNS`."""
    result = checked.result
    failed = result.failed
    flags = "\t".join(["t" if code in failed else "f" for code in Verdict.CRITERIA])
    encode = _criterion_json if cache is None else cache.json
    explanation = "[" + ",".join([encode(c) for c in result.criteria]) + "]"
    figures = "".join([
        f'"{name}":{{"value":{"null" if value is None else _json_str(value)},"source":"{source}"}},'
        for name, value, source in checked.figures
    ])
    figures = (
        f'{{"year":{int(year)},"figures_year":{int(figures_year or year)},'
        f'"figures_id":{_json_scalar(checked.figures_id)},{figures}'
        f'"high_value_ip":{int(checked.high_value_ip)},"transfers":{int(checked.transfers)},'
        f'"core_tech_product":{"true" if checked.has_product else "false"},'
        f'"registration_number":{_json_scalar(checked.registration_number)},'
        f'"registration_year":{_json_scalar(checked.registration_year)},'
        f'"accepted_years":[{",".join(str(int(y)) for y in (accepted or (year,)))}]}}'
    )
    return (f"{checked.nomination_id}\t{'t' if result.eligible else 'f'}\t{flags}\t"
            f"{_copy_json(explanation)}\t{_copy_json(figures)}\t{rules_text}\t{checked_at_text}\n")


class _Stream(io.TextIOBase):
    """A file-like object whose lines are made as COPY reads them, so PostgreSQL parses one part
    while Python makes the next (two cores at work instead of one after the other)."""

    def __init__(self, lines):
        self.lines = iter(lines)
        self.rest = ""

    def readable(self):
        return True

    def read(self, size=-1):
        if size is None or size < 0:
            size = 1 << 62
        out, length = [self.rest], len(self.rest)
        for line in self.lines:
            out.append(line)
            length += len(line)
            if length >= size:
                break
        text = "".join(out)
        self.rest = text[size:] if len(text) > size else ""
        return text[:size]


def copy_verdicts(queryset, rows, counts, *, year, now, summary, chunk=COPY_CHUNK, progress=None, total=None,
                  rulebook=None, figures_year=None, on=None):
    """PostgreSQL: the set's verdicts replaced in one transaction: one DELETE, then COPY straight into the table.

    The set's old verdicts are deleted and the new ones copied in, chunk by chunk: each chunk's
    rows are fetched (the connection is free between two COPYs), then checked and encoded while
    COPY reads them. Several times faster than bulk upserts of 100,000 rows with two JSON columns.
    Readers are never blocked and see the old verdicts until the commit.

    Two set-rewrites of overlapping sets (the year-wide run and a tax import's re-check) must not
    interleave: the second's DELETE would miss the rows the first inserts, and its COPY would then
    break the unique constraint. They take one transaction-level advisory lock, so they run one
    after the other. A single-nomination check is not held up: its INSERT … ON CONFLICT waits at
    most for the row it touches and then updates the new verdict.
    """
    table = Verdict._meta.db_table
    ids_sql, ids_params = queryset.order_by().values("pk").query.sql_with_params()
    stamp = now.isoformat()
    sql = f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN"

    cache = _CriterionCache()
    rules = rulebook.rules() if rulebook else None
    accepted = eligibility.rules_of(rules).registration_years(year, on)
    rules_text = (f"{rulebook.pk}\t{_copy_json(json.dumps(rulebook.snapshot(), ensure_ascii=False))}"
                  if rulebook else "\\N\t{}")

    def lines(batch):
        for row in batch:
            checked = check_row(row, counts, year=year, rules=rules, on=on)
            summary.checked += 1
            summary.eligible += checked.result.eligible
            yield copy_line(checked, year=year, checked_at_text=stamp, cache=cache, figures_year=figures_year,
                            rules_text=rules_text, accepted=accepted)

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SET_REWRITE_LOCK])
        cursor.execute(f"DELETE FROM {table} WHERE nomination_id IN ({ids_sql})", ids_params)
        source = iter(rows)
        while batch := list(itertools.islice(source, chunk)):
            cursor.cursor.copy_expert(sql, _Stream(lines(batch)), size=COPY_READ)
            if progress:  # written aside by the job's Progress, so the bar moves during the transaction
                progress(summary.checked, total=total)
    if summary.checked >= ANALYZE_AFTER and not connection.in_atomic_block:
        tidy(Verdict)  # inside a tax import the import tidies once it has committed


def tidy(*models):
    """After a bulk rewrite of most of a table (PostgreSQL): fresh statistics, and dead rows cleared.

    Fresh statistics keep the office's filtered lists on good plans. Outside a transaction (the
    office's year-wide run, a tax import once committed) a VACUUM also makes the old rows' space
    reusable at once, so a table does not grow by a year's rows at every run, and it marks the
    pages all-visible, so the lists' counts read only the covering index (the primary key, which
    INCLUDEs the flags).
    Inside a transaction only ANALYZE is possible; autovacuum, where it runs, follows.
    """
    if connection.vendor != "postgresql":
        return
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")


def check_nominations(queryset, *, year, progress=None, bulk_copy=None, rulebook=None, on=None):
    """Check every nomination of `queryset` (all of `year`) and store its verdict. Returns a CheckSummary.

    rulebook: the year's rules (default: its current rulebook); the figures are those of its figures year.
    on: the day the check runs (default: today), for the registration years the rulebook accepts.
    bulk_copy: write with COPY (PostgreSQL); by default when there are more than a batch of nominations.
    """
    from .rulebook import rulebook_for

    now = timezone.now()
    on = on or timezone.localdate()
    rulebook = rulebook or rulebook_for(year)
    figures_year = rulebook.figures_year
    summary = CheckSummary()
    summary.rulebook = rulebook
    total = queryset.count()
    if progress:
        progress(0, total=total, force=True)
    many = total > BATCH_SIZE if bulk_copy is None else bulk_copy
    ids = queryset.order_by().values("pk")
    if many and connection.vendor == "postgresql":
        # Set-based: PostgreSQL computes the verdicts, the rules as data, and writes only those that
        # changed (sql_check.py); it returns the enterprises whose outcome is new or changed.
        from .sql_check import sql_verdicts

        moved = sql_verdicts(queryset, year=year, rulebook=rulebook, on=on, now=now, summary=summary,
                             progress=progress, total=total)
        if summary.written >= ANALYZE_AFTER and not connection.in_atomic_block:  # an import tidies after it
            # Fresh statistics and the rewritten rows' old versions cleared, on a worker once committed
            # (the lists read the verdicts meanwhile as before, only without their index-only counts).
            from pojian.domain.jobs import send_on_commit

            from ..tasks import tidy_verdicts

            send_on_commit(tidy_verdicts)
    else:
        # Each nomination's outcome before this check: the pool needs to hear only of the ones that change.
        before = dict(Verdict.objects.filter(nomination__in=ids).values_list("nomination_id", "eligible"))
        counts = counts_for(queryset, year=year, rulebook=rulebook, on=on)
        rows = with_figures(queryset, year=figures_year).iterator(chunk_size=BATCH_SIZE)
        out = OrmWriter()
        for row in rows:
            values = verdict_values(row, counts, year=year, now=now, rulebook=rulebook, figures_year=figures_year,
                                    on=on)
            summary.checked += 1
            summary.eligible += values["eligible"]
            out.add(values)
            if progress and summary.checked % BATCH_SIZE == 0:
                progress(summary.checked, total=total)
        out.close()
        summary.written = summary.checked
        moved = {enterprise_id for pk, enterprise_id, eligible in Verdict.objects.filter(nomination__in=ids)
                 .values_list("nomination_id", "nomination__enterprise_id", "eligible") if before.get(pk) != eligible}
        moved.update(queryset.filter(enterprise__pool_entry__isnull=True).values_list("enterprise_id", flat=True))
    if progress:
        progress(summary.checked, total=total, force=True)
    # A verdict places an enterprise on the 四科 tier (or off it): the pool re-evaluates, on commit, the
    # enterprises whose outcome is new or changed, and any not in the pool yet (a year-wide re-run that
    # changes nothing sends nothing; refreshing all 81,000 cost a worker about 28 s).
    from .pool import Via, refresh_on_commit

    refresh_on_commit(sorted(moved), via=Via.NOMINATION)
    return summary


def live_nominations(year):
    """The nominations of a year that a check concerns: all but the withdrawn ones."""
    return EnterpriseNomination.objects.filter(cycle__year=year).exclude(state=NominationState.WITHDRAWN)


def check_nomination(nomination):
    """Check one nomination for its year and store (create or update) its verdict."""
    year = nomination.cycle.year
    check_nominations(EnterpriseNomination.objects.filter(pk=nomination.pk), year=year)
    return Verdict.objects.get(nomination_id=nomination.pk)


def check_year(*, year, progress=None, on=None):
    """The office's year-wide run: every live nomination of the year, by the year's current rulebook
    (run again when the rulebook got a new version while it ran)."""
    from .rulebook import current

    while True:
        summary = check_nominations(live_nominations(year), year=year, progress=progress, on=on)
        latest = current(year)
        if latest is None or latest.pk == summary.rulebook.pk:
            return summary


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
