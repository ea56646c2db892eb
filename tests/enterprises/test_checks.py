"""Storing 四科 verdicts: one nomination, the year-wide set-based run, and the Celery tasks."""

import datetime
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from enterprises import tasks
from enterprises.domain import checks
from enterprises.domain.eligibility import describe
from enterprises.domain.rulebook import rulebook_for
from enterprises.models import EnterpriseYear, FigureSource, Verdict
from pojian.domain.jobs import start_job
from pojian.models import Job, NominationState
from tests import factories as core
from tests.enterprises.factories import (
    CoreProductFactory,
    EnterpriseFactory,
    EnterpriseNominationFactory,
    EnterpriseYearFactory,
    IPItemFactory,
    RegistrationFactory,
    TransferFactory,
    eligible_enterprise,
    ensure_regions,
)


def nominate(enterprise, cycle, **kw):
    return EnterpriseNominationFactory(enterprise=enterprise, cycle=cycle, **kw)


@pytest.mark.django_db
def test_check_nomination_eligible_enterprise_stores_eligible_verdict(cycle):
    n = nominate(eligible_enterprise(year=cycle.year), cycle)
    verdict = checks.check_nomination(n)
    assert verdict.eligible is True
    assert verdict.failed == []
    assert [e["code"] for e in verdict.explanation] == list(Verdict.CRITERIA)
    assert verdict.figures["revenue"] == {"value": "50000000.00", "source": "declared"}
    assert verdict.figures["high_value_ip"] == 4 and verdict.figures["transfers"] == 2
    assert verdict.figures["registration_year"] == cycle.year


@pytest.mark.django_db
def test_check_nomination_tax_figure_wins_over_declared(cycle):
    enterprise = eligible_enterprise(year=cycle.year)
    ey = EnterpriseYear.objects.get(enterprise=enterprise, year=cycle.year - 1)  # the figures year
    ey.revenue_tax = Decimal("250000000.00")  # declared 50,000,000
    ey.employees_tax = 90
    ey.save()
    verdict = checks.check_nomination(nominate(enterprise, cycle))
    assert verdict.failed == ["revenue", "rd_intensity"]  # 5,000,000 / 250,000,000 = 2 %
    for name in ("revenue", "rd_expense", "total_assets", "employees", "tech_staff"):
        value, source = ey.effective(name)
        assert verdict.figures[name] == {"value": None if value is None else str(value), "source": str(source)}
    assert verdict.figures["revenue"]["source"] == FigureSource.TAX
    assert verdict.figures["rd_expense"]["source"] == FigureSource.DECLARED


@pytest.mark.django_db
def test_check_nomination_counts_only_high_value_ip_and_transfers_up_to_the_year_end(cycle):
    year = cycle.year
    enterprise = eligible_enterprise(year=year, ip=3, transfers=2)  # 5: not more than 5
    # Not counted by the default rulebook: a utility model, a lapsed invention patent, one granted
    # after the year, a transfer after the year, transfers without a contract number or an amount.
    IPItemFactory(enterprise=enterprise, kind="utility", granted_on=datetime.date(year, 1, 1))
    IPItemFactory(enterprise=enterprise, granted_on=datetime.date(year, 1, 1), lapsed_on=datetime.date(year, 5, 1))
    IPItemFactory(enterprise=enterprise, high_value=True, granted_on=datetime.date(year + 1, 1, 1))
    TransferFactory(enterprise=enterprise, date=datetime.date(year + 1, 1, 1))
    TransferFactory(enterprise=enterprise, contract_no="")
    TransferFactory(enterprise=enterprise, amount=None)
    n = nominate(enterprise, cycle)
    verdict = checks.check_nomination(n)
    assert verdict.failed == ["ip_and_transfers"]
    assert verdict.figures["high_value_ip"] == 3 and verdict.figures["transfers"] == 2
    # One more high-value item granted on the last day of the year tips it over.
    IPItemFactory(enterprise=enterprise, high_value=True, granted_on=datetime.date(year, 12, 31))
    assert checks.check_nomination(n).eligible


@pytest.mark.django_db
def test_check_nomination_registration_of_another_year_fails(cycle):
    enterprise = EnterpriseFactory()
    EnterpriseYearFactory(enterprise=enterprise, year=cycle.year - 1)
    CoreProductFactory(enterprise=enterprise)
    IPItemFactory.create_batch(6, enterprise=enterprise)
    RegistrationFactory(enterprise=enterprise, year=cycle.year - 1)
    verdict = checks.check_nomination(nominate(enterprise, cycle))
    assert verdict.failed == ["registered"]
    entry = next(e for e in verdict.explanation if e["code"] == "registered")
    assert entry["value"] == cycle.year - 1 and entry["note"] == "other_year"


@pytest.mark.django_db
def test_check_nomination_without_figures_fails_the_figure_criteria(cycle):
    enterprise = EnterpriseFactory()
    CoreProductFactory(enterprise=enterprise)
    IPItemFactory.create_batch(6, enterprise=enterprise)
    RegistrationFactory(enterprise=enterprise, year=cycle.year)
    # Figures of the programme year itself do not count: the figures year is the year before.
    EnterpriseYearFactory(enterprise=enterprise, year=cycle.year)
    verdict = checks.check_nomination(nominate(enterprise, cycle))
    assert verdict.failed == ["revenue", "employees", "tech_staff_ratio", "rd_intensity"]
    assert verdict.figures["figures_id"] is None


@pytest.mark.django_db
def test_check_nomination_without_core_product_fails(cycle):
    enterprise = eligible_enterprise(year=cycle.year)
    enterprise.core_products.all().delete()
    assert checks.check_nomination(nominate(enterprise, cycle)).failed == ["core_tech_product"]


@pytest.mark.django_db
def test_check_nomination_again_updates_the_same_verdict(cycle):
    enterprise = eligible_enterprise(year=cycle.year, tech_staff=60)  # exactly 60 %: fails
    n = nominate(enterprise, cycle)
    first = checks.check_nomination(n)
    assert first.failed == ["tech_staff_ratio"]
    EnterpriseYear.objects.filter(enterprise=enterprise).update(tech_staff=61)
    second = checks.check_nomination(n)
    assert second.pk == first.pk and second.eligible
    assert Verdict.objects.count() == 1


@pytest.mark.django_db
def test_stored_explanation_is_rendered_in_the_readers_language(cycle):
    enterprise = eligible_enterprise(year=cycle.year, revenue=Decimal("0"))
    verdict = checks.check_nomination(nominate(enterprise, cycle))
    entry = next(e for e in verdict.explanation if e["code"] == "rd_intensity")
    with translation.override("en"):
        assert "no sales revenue" in describe(entry)
    with translation.override("zh-hans"):
        assert "没有销售收入" in describe(entry)


def _make_year(cycle, n):
    """n nominations: every third fails a different criterion (and the year's rulebook made)."""
    rulebook_for(cycle.year)
    made = []
    for i in range(n):
        kind = i % 3
        if kind == 0:
            e = eligible_enterprise(year=cycle.year)
        elif kind == 1:
            e = eligible_enterprise(year=cycle.year, employees=501, tech_staff=400)
        else:
            e = eligible_enterprise(year=cycle.year, rd_expense=Decimal("100"))
        made.append(nominate(e, cycle, state=NominationState.SUBMITTED))
    return made


def _queries(fn):
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_check_year_query_count_does_not_grow_with_nominations(cycle):
    _make_year(cycle, 3)
    few = _queries(lambda: checks.check_year(year=cycle.year))
    _make_year(cycle, 12)
    many = _queries(lambda: checks.check_year(year=cycle.year))
    assert few == many
    assert Verdict.objects.count() == 15


@pytest.mark.django_db
def test_check_year_matches_one_by_one_and_skips_withdrawn_and_other_years(cycle):
    made = _make_year(cycle, 6)
    withdrawn = nominate(eligible_enterprise(year=cycle.year), cycle, state=NominationState.WITHDRAWN)
    old_cycle = core.CycleFactory(year=cycle.year - 1, is_current=False)
    old = nominate(eligible_enterprise(year=old_cycle.year), old_cycle)
    summary = checks.check_year(year=cycle.year)
    assert summary.checked == 6 and summary.eligible == 2
    assert not Verdict.objects.filter(nomination__in=[withdrawn, old]).exists()
    year_run = {v.nomination_id: (v.eligible, v.failed, v.figures) for v in Verdict.objects.all()}
    Verdict.objects.all().delete()
    for n in made:
        v = checks.check_nomination(n)
        assert year_run[n.pk] == (v.eligible, v.failed, v.figures)
    assert {tuple(v.failed) for v in Verdict.objects.all()} == {(), ("employees",), ("rd_intensity",)}


@pytest.mark.django_db
def test_check_year_reports_progress(cycle):
    _make_year(cycle, 4)
    calls = []
    checks.check_year(year=cycle.year, progress=lambda done, total=None, **kw: calls.append((done, total)))
    assert calls[0] == (0, 4) and calls[-1] == (4, 4)


@pytest.mark.django_db
def test_figure_comparison_marks_differences(cycle):
    ey = EnterpriseYearFactory(revenue=Decimal("100.00"), revenue_tax=Decimal("120.00"), employees=10, employees_tax=10)
    rows = {r["field"]: r for r in checks.figure_comparison(ey)}
    assert rows["revenue"]["differs"] and rows["revenue"]["difference"] == Decimal("20.00")
    assert rows["revenue"]["source"] == FigureSource.TAX and rows["revenue"]["used"] == Decimal("120.00")
    assert not rows["employees"]["differs"]
    assert not rows["tech_staff"]["taxed"]
    assert checks.figure_comparison(None) == []


# --- the Celery tasks, through a real worker on Redis ------------------------------------------------


@pytest.fixture
def regions(transactional_db):
    ensure_regions()


def _wait_for_job(job, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if not job.is_active:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job.pk} still {job.status}")


@pytest.mark.worker
def test_check_nomination_task_runs_on_the_worker(celery_worker_on_broker, regions, cycle):
    n = nominate(eligible_enterprise(year=cycle.year, employees=501, tech_staff=400), cycle)
    result = tasks.check_nomination.delay(n.pk)
    assert result.get(timeout=60) is False
    assert Verdict.objects.get(nomination=n).failed == ["employees"]


@pytest.mark.worker
def test_check_year_task_runs_as_a_job_with_progress(celery_worker_on_broker, regions, cycle, office):
    _make_year(cycle, 6)
    job, created = start_job(kind="enterprises.check_year", title="t", by=office, task=tasks.check_year,
                             params={"year": cycle.year, "language": "en"},
                             dedupe_key=checks.year_check_dedupe_key(cycle.year))
    assert created
    job = _wait_for_job(job)
    assert job.status == Job.Status.DONE, job.message
    assert job.total == 6 and job.progress == 6
    assert "6 nominations of" in job.message and "2 meet" in job.message
    assert Verdict.objects.filter(nomination__cycle=cycle).count() == 6


@pytest.mark.django_db
def test_check_year_copy_path_matches_the_orm_path(cycle):
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's; SQLite always takes the ORM path")
    made = _make_year(cycle, 6)
    checks.check_year(year=cycle.year)  # few nominations: bulk upserts
    by_orm = {v.nomination_id: (v.eligible, v.failed, v.explanation, v.figures) for v in Verdict.objects.all()}
    ids = set(Verdict.objects.values_list("pk", flat=True))
    checked_at = dict(Verdict.objects.values_list("nomination_id", "checked_at"))
    # Change one enterprise's figures, then the set-based path writes that verdict only, in place.
    EnterpriseYear.objects.filter(enterprise=made[0].enterprise).update(employees=1000, tech_staff=900)
    summary = checks.check_nominations(checks.live_nominations(cycle.year), year=cycle.year, bulk_copy=True)
    assert summary.checked == 6
    by_copy = {v.nomination_id: (v.eligible, v.failed, v.explanation, v.figures) for v in Verdict.objects.all()}
    assert Verdict.objects.count() == 6 and ids == set(Verdict.objects.values_list("pk", flat=True))
    # The five ORM-written verdicts kept an explanation: the set-based path rewrites them once, without it.
    assert summary.written == 6
    assert all(v.checked_at > checked_at[v.nomination_id] for v in Verdict.objects.all())
    # Run again on the same inputs: nothing is written, each verdict keeps when it was last judged.
    checked_at = dict(Verdict.objects.values_list("nomination_id", "checked_at"))
    again = checks.check_nominations(checks.live_nominations(cycle.year), year=cycle.year, bulk_copy=True)
    assert (again.checked, again.written) == (6, 0)
    assert dict(Verdict.objects.values_list("nomination_id", "checked_at")) == checked_at
    EnterpriseYear.objects.filter(enterprise=made[1].enterprise).update(tech_staff=1)
    again = checks.check_nominations(checks.live_nominations(cycle.year), year=cycle.year, bulk_copy=True)
    assert again.written == 1
    assert [n for n, at in Verdict.objects.values_list("nomination_id", "checked_at") if at != checked_at[n]] == [
        made[1].pk]
    changed = by_copy.pop(made[0].pk)
    assert changed[1] == ["employees"]
    by_orm.pop(made[0].pk)
    assert by_copy == by_orm


@pytest.mark.django_db
@pytest.mark.parametrize("size", [4, 40])
def test_check_year_is_set_based_a_few_queries_whatever_the_size(cycle, size, django_assert_max_num_queries):
    """The rulebook, the count, five aggregate queries for the set, one read of the figures, one bulk write,
    the rulebook again (did it change meanwhile?), and the outcomes before and after with the enterprises not
    in the pool (what the pool must re-evaluate): no query per nomination."""
    _make_year(cycle, size)
    with django_assert_max_num_queries(14):
        summary = checks.check_year(year=cycle.year)
    assert summary.checked == size
    assert Verdict.objects.count() == size
    # Again, now updating every verdict in place: still the same few queries.
    with django_assert_max_num_queries(14):
        checks.check_year(year=cycle.year)
    assert Verdict.objects.count() == size


@pytest.mark.django_db
def test_check_year_copy_path_is_a_few_queries_too(cycle, django_assert_max_num_queries):
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    _make_year(cycle, 30)
    with django_assert_max_num_queries(13):
        checks.check_nominations(checks.live_nominations(cycle.year), year=cycle.year, bulk_copy=True)
    assert Verdict.objects.count() == 30


@pytest.mark.django_db
def test_check_year_copy_path_matches_the_orm_path_for_odd_values(cycle):
    """The COPY path writes its JSON by hand: text that needs escaping, missing figures, tax figures, notes."""
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    year = cycle.year
    odd = eligible_enterprise(year=year)
    odd.registrations.update(number='A"B\\C\td\n号')
    no_figures = EnterpriseFactory()
    RegistrationFactory(enterprise=no_figures, year=year - 2)
    taxed = eligible_enterprise(year=year, revenue=Decimal("0"))
    EnterpriseYear.objects.filter(enterprise=taxed).update(revenue_tax=Decimal("12.30"), employees_tax=0)
    made = [nominate(e, cycle) for e in (odd, no_figures, taxed)] + _make_year(cycle, 3)

    def stored():
        return {v.nomination_id: (v.eligible, v.failed, v.explanation, v.figures, v.checked_at is not None)
                for v in Verdict.objects.all()}

    checks.check_nominations(checks.live_nominations(year), year=year, bulk_copy=False)
    by_orm = stored()
    checks.check_nominations(checks.live_nominations(year), year=year, bulk_copy=True)
    by_copy = stored()
    assert len(by_copy) == len(made) and by_copy == by_orm
    assert by_copy[made[0].pk][3]["registration_number"] == 'A"B\\C\td\n号'
    assert by_copy[made[1].pk][3]["revenue"] == {"value": None, "source": "declared"}
    assert by_copy[made[2].pk][3]["employees"] == {"value": "0", "source": "tax"}
    assert {e["code"]: e.get("note") for e in by_copy[made[2].pk][2]}["tech_staff_ratio"] == "no_employees"


@pytest.mark.django_db
def test_check_year_copy_path_in_several_chunks(cycle):
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    made = _make_year(cycle, 7)
    summary = checks.CheckSummary()
    checks.copy_verdicts(checks.live_nominations(cycle.year),
                         checks.with_figures(checks.live_nominations(cycle.year), year=cycle.year - 1).iterator(chunk_size=2),
                         checks.counts_for(checks.live_nominations(cycle.year), year=cycle.year),
                         year=cycle.year, now=datetime.datetime.now(datetime.UTC), summary=summary, chunk=3)
    assert summary.checked == 7 and summary.eligible == 3
    assert set(Verdict.objects.values_list("nomination_id", flat=True)) == {n.pk for n in made}
