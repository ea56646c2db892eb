"""Annual reports at scale, on PostgreSQL.

    (a) the provincial report for a year with 3,000 nominations (60 selected) in 13 regions:
        the data, the PDF (main part + 3,000-row annex, in chunks), and the whole job as the
        office runs it (data, PDF, workbook, files published)
    (b) the full workbook for 100,000 enterprise-years (every sheet, the enterprise sheet streamed)
    references measured in the same run: openpyxl's bare write-only workbook of the same number
    of rows and columns (no database), and the PDF's main part alone (no annex)

Time (perf_counter, and this process's CPU time beside it: on a shared machine the wall time
includes waiting for the CPU and the database) and peak memory: tracemalloc's peak of Python allocations during each
step (measured in a second, traced run of the step, since tracing slows it) and the process's
peak RSS (resource.getrusage) at the end.

Data are generated with COPY, a fixed random seed.
"""

import datetime
import random
import resource
import tempfile
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

from django.db import connection
from django.utils import timezone, translation

from bench.common import bench_database, copy, report, reset_sequences
from pojian.domain.uscc import numbered

ENTERPRISES = 100_000
NOMINATIONS = 3_000
SELECTED = 60


def uscc(n):
    return numbered("91220101", n)

def build():
    """13 regions, 100,000 enterprises with the year's figures, 3,000 nominations (60 selected) with verdicts."""
    from enterprises.models import Enterprise, EnterpriseNomination, EnterpriseYear, Industry, Registration, Verdict
    from pojian.models import Cycle, NominationState, Region, User

    rng = random.Random(2026)
    year = timezone.localdate().year
    now = timezone.now()
    cycle = Cycle.objects.create(year=year, nomination_opens=now - datetime.timedelta(days=60),
                                 nomination_closes=now + datetime.timedelta(days=30), status="open", is_current=True)
    Cycle.objects.create(year=year - 1, nomination_opens=now - datetime.timedelta(days=420),
                         nomination_closes=now - datetime.timedelta(days=330), status="closed")
    regions = list(Region.objects.nominating())
    assert len(regions) == 13
    office = User.objects.create(username="bench-office", role="office")
    bureaus = {r.pk: User.objects.create(username=f"bench-{r.code}", role="bureau", region=r).pk for r in regions}
    industries = [c for c, _ in Industry.choices]
    ts = now.isoformat()
    copy(Enterprise, ["id", "name", "uscc", "region_id", "address", "industry", "contact_person", "contact_phone",
                      "is_high_tech", "high_tech_cert_no"],
         ((i, f"吉林基准科技有限公司{i:06d}", uscc(i), regions[i % 13].pk, "长春市", industries[i % len(industries)], "", "",
           False, "") for i in range(1, ENTERPRISES + 1)))
    def figures():
        for i in range(1, ENTERPRISES + 1):
            revenue = Decimal(rng.randrange(1_000_000, 250_000_000))
            tax = revenue if i % 3 == 0 else None
            yield (i, i, year, revenue, (revenue * Decimal(rng.randrange(2, 15)) / 100).quantize(Decimal("0.01")),
                   revenue * 2, rng.randrange(10, 600), rng.randrange(5, 400), tax, None, None, None)

    copy(EnterpriseYear, ["id", "enterprise_id", "year", "revenue", "rd_expense", "total_assets", "employees", "tech_staff",
                          "revenue_tax", "rd_expense_tax", "total_assets_tax", "employees_tax"], figures())
    copy(Registration, ["id", "enterprise_id", "year", "number", "status", "listed_number"],
         ((i, i, year, f"{year}2201A{i:07d}", "registered", "") for i in range(1, ENTERPRISES + 1, 2)))
    # 3,000 nominations spread over the regions: 60 selected, the rest in the other states.
    states = [NominationState.ACCEPTED, NominationState.REJECTED, NominationState.SUBMITTED, NominationState.RETURNED,
              NominationState.NOT_SELECTED, NominationState.DRAFT]
    rows, verdicts = [], []
    for k in range(1, NOMINATIONS + 1):
        enterprise = k * (ENTERPRISES // NOMINATIONS)
        region = regions[enterprise % 13]
        state = NominationState.SELECTED if k <= SELECTED else states[k % len(states)]
        rows.append((k, cycle.pk, region.pk, state, "", "", bureaus[region.pk], ts, ts, ts, ts if state != "draft" else None,
                     1, enterprise, ""))
        eligible = state in ("selected", "accepted", "not_selected") or k % 2 == 0
        verdicts.append((k, k, eligible, not eligible and k % 5 == 0, False, False, not eligible and k % 3 == 0, False,
                         not eligible and k % 5 != 0, False, "[]", "{}", ts))
    copy(EnterpriseNomination, ["id", "cycle_id", "region_id", "state", "state_reason", "recommendation", "created_by_id",
                                "created_at", "updated_at", "decided_at", "submitted_at", "version", "enterprise_id", "letter"],
         rows)
    copy(Verdict, ["id", "nomination_id", "eligible", "fail_revenue", "fail_employees", "fail_core_tech_product",
                   "fail_tech_staff_ratio", "fail_ip_and_transfers", "fail_rd_intensity", "fail_registered",
                   "explanation", "figures", "checked_at"], verdicts)
    reset_sequences(Enterprise, EnterpriseYear, Registration, EnterpriseNomination, Verdict)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return cycle, office


def traced(fn):
    """(result, seconds, peak MB of Python allocations) of fn()."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    start = time.perf_counter()
    try:
        result = fn()
    finally:
        seconds = time.perf_counter() - start
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return result, seconds, peak / 2**20


CPU = {}


def timed(fn):
    """(result, wall seconds); the CPU seconds of this process are kept in CPU[fn] (a loaded machine inflates wall time)."""
    start, cpu = time.perf_counter(), time.process_time()
    result = fn()
    CPU["last"] = time.process_time() - cpu
    return result, time.perf_counter() - start


def line(label, seconds, mb=None, extra=""):
    text = f"{label:<58} {seconds:8.2f} s (cpu {CPU.get('last', 0):6.2f} s)"
    if mb is not None:
        text += f"   peak {mb:7.1f} MB"
    print(text + (f"   {extra}" if extra else ""), flush=True)


def main():
    from openpyxl import Workbook

    from pojian.domain.jobs import run_job
    from reports.domain import annual, render
    from reports.domain.figures import report_data

    with bench_database(), tempfile.TemporaryDirectory() as media:
        from django.conf import settings

        settings.MEDIA_ROOT = Path(media)
        _none, seconds = timed(build)
        cycle, office = _none
        print(f"data: {ENTERPRISES:,} enterprise-years, {NOMINATIONS:,} nominations ({SELECTED} selected), 13 regions, "
              f"built in {seconds:.1f} s", flush=True)
        with translation.override("zh-hans"):
            # (a) the provincial report.
            data, t_data = timed(lambda: report_data(year=cycle.year))
            _d, _t, mb_data = traced(lambda: report_data(year=cycle.year))
            line("(a) report data (all sections + 3,000-row annex)", t_data, mb_data)
            main_only = render.pdf_contexts({**data, "nominations": []})
            (_pdf, pages_main), t_main = timed(lambda: render.render_report_pdf(data, contexts=main_only))
            line("    reference: PDF main part only (no annex)", t_main, extra=f"{pages_main} pages")
            (pdf, pages), t_pdf = timed(lambda: render.render_report_pdf(data))
            _r, _t, mb_pdf = traced(lambda: render.render_report_pdf(data))
            chunks = len(render.pdf_contexts(data))
            line("(a) PDF, main part + annex, in chunks", t_pdf, mb_pdf,
                 f"{pages} pages, {chunks} chunks, {len(pdf) / 2**20:.1f} MB file, {(t_pdf - t_main) / max(1, pages - pages_main):.2f} s/annex page")
            # (b) the full workbook.
            out = Path(media) / "bench.xlsx"
            _w, t_xlsx = timed(lambda: render.write_report_workbook(out, data))
            size = out.stat().st_size
            _w, _t, mb_xlsx = traced(lambda: render.write_report_workbook(out, data))
            line(f"(b) workbook, every sheet, {ENTERPRISES:,} enterprise-years", t_xlsx, mb_xlsx, f"{size / 2**20:.1f} MB file")

            def bare():
                wb = Workbook(write_only=True)
                ws = wb.create_sheet("x")
                row = ["吉林基准科技有限公司000001", "912201010000000010", "长春市", "软件", Decimal("12345678.00"), "税务",
                       Decimal("1234567.00"), Decimal("10.00"), Decimal("24691356.00"), 100, 70, "2026A0000001", "已受理"]
                for _ in range(ENTERPRISES):
                    ws.append(row)
                wb.save(Path(media) / "bare.xlsx")

            _b, t_bare = timed(bare)
            line(f"    reference: openpyxl bare write-only, {ENTERPRISES:,} rows x 13", t_bare,
                 extra=f"workbook / bare = x{t_xlsx / t_bare:.1f}")
        # The whole job as the office runs it (its own language override inside). Without a broker the
        # task would run inside request_report on commit; hold it back and run the job here, timed.
        from reports import tasks

        delay = tasks.generate_annual_report.delay
        tasks.generate_annual_report.delay = lambda *args, **kwargs: None
        try:
            annual_report, _created = annual.request_report(year=cycle.year, by=office)
        finally:
            tasks.generate_annual_report.delay = delay
        job, t_job = timed(lambda: run_job(annual_report.job_id, annual.run_report))
        annual_report.refresh_from_db()
        line("(a+b) the whole job: data, PDF, workbook, files published", t_job,
             extra=f"status {job.status}, {annual_report.pages} pages")
        report("     the whole job vs the sum of its steps above", t_job, "data + PDF + workbook", t_data + t_pdf + t_xlsx)
        print(f"process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB", flush=True)
