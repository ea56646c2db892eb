"""研发投入后补助: the candidate computation over 200,000 enterprises with two fiscal years of tax figures.

Target (issue 15): ≤ 10 s on this machine, the explanation stored for each candidate. Prints the
time of each stage (delete, the one INSERT … SELECT, commit), the machine's load, and a reference: a bare scan of
the same figures in SQL. `BENCH_RD_N` sets the number of enterprises (default 200,000). It builds its own test database
(test_<name>): run it with a DATABASE_URL whose test database no test run is using.
"""

import os
import random
import time
from decimal import Decimal

from .common import bench_database, copy, report, reset_sequences, two_years

N = int(os.environ.get("BENCH_RD_N", "200000"))
YEAR = 2026


def uscc(n):
    from pojian.domain.uscc import numbered

    return numbered("91220100", n)


def build(n):
    from enterprises.models import Enterprise, EnterpriseYear, Registration
    from funding.models import Budget, FundingLine
    from pojian.models import Region

    cycles = two_years(YEAR)
    regions = list(Region.objects.values_list("pk", flat=True))
    rng = random.Random(15)
    copy(Enterprise, ("id", "name", "uscc", "region_id", "industry"),
         ((i, f"研发企业{i}", uscc(i), regions[i % len(regions)], "other") for i in range(1, n + 1)))
    rows = []
    for i in range(1, n + 1):
        revenue = Decimal(rng.randrange(1_000, 200_000) * 1000)
        expense = (revenue * Decimal(rng.randrange(1, 15)) / 100).quantize(Decimal("1"))
        previous = (expense * Decimal(rng.randrange(70, 130)) / 100).quantize(Decimal("1"))
        rows.append((2 * i - 1, i, YEAR - 1, expense, revenue))
        rows.append((2 * i, i, YEAR - 2, previous, revenue))
    copy(EnterpriseYear, ("id", "enterprise_id", "year", "rd_expense_tax", "revenue_tax"), rows)
    copy(Registration, ("id", "enterprise_id", "year", "number", "status"),
         ((i, i, YEAR, f"R{i}", "registered") for i in range(1, n + 1) if i % 5))
    reset_sequences(Enterprise, EnterpriseYear, Registration)
    line = FundingLine.objects.get(code=FundingLine.RD_POST)
    Budget.objects.create(cycle=cycles[YEAR], line=line, amount=Decimal("300000000"), document_no="bench")
    return cycles[YEAR]


def main():
    from django.db import connection

    from funding.domain import rd_subsidy
    from funding.models import RdCandidate
    from pojian.models import User

    with bench_database():
        t0 = time.perf_counter()
        cycle = build(N)
        print(f"built {N:,} enterprises × 2 fiscal years in {time.perf_counter() - t0:.1f} s", flush=True)
        office = User.objects.create(username="bench-rd-office", role="office")
        rule = rd_subsidy.rule_for_year(cycle=cycle, by=office)
        rule = rd_subsidy.update_rule(rule=rule, values={"cap": Decimal("500000"), "min_intensity": Decimal("3")},
                                      version=rule.version, by=office)
        t = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*), sum(rd_expense_tax) FROM enterprises_enterpriseyear WHERE year = %s",
                           [YEAR - 1])
            cursor.fetchall()
        scan = time.perf_counter() - t
        stages = {}
        last = [time.perf_counter()]

        def progress(done, total=None, message=None, force=False):
            now = time.perf_counter()
            stages[done] = now - last[0]
            last[0] = now

        load_before = os.getloadavg()
        t = time.perf_counter()
        summary = rd_subsidy.compute_candidates(rule=rule, by=office, progress=progress)
        elapsed = time.perf_counter() - t
        load_after = os.getloadavg()
        stored = RdCandidate.objects.filter(rule=rule).exclude(explanation=[]).count()
        print(f"candidates {summary['candidates']:,}, qualified {summary['qualified']:,}, "
              f"scaled {summary['scaled']}, total {summary['total']:,.0f} yuan, explanations stored {stored:,}")
        staged = stages.get(1, 0) + stages.get(2, 0) + stages.get(4, 0)
        print(f"stages: delete {stages.get(1, 0):.2f} s, one INSERT … SELECT (evaluate, allocate, explain, store) "
              f"{stages.get(2, 0):.2f} s, summary+save {stages.get(4, 0):.2f} s, commit "
              f"{elapsed - staged:.2f} s")
        print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (2 cores, shared)")
        report(f"R&D candidates, {N:,} enterprises", elapsed, "bare SQL scan", scan, target=10)
