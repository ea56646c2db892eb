"""The cultivation pool (培育库) at scale: N enterprises (default 100,000) with three fiscal years.

    (a) the backfill: every enterprise into the pool and every tier evaluated   (seconds, printed)
    (b) the pool list page, office and bureau: default, region + tier filter, a later page, a name search
                                                  median ms and queries a page   target < 150 ms, constant queries
    (c) a cohort's page (office, bureau) and its chart data                      target < 1 s

    (d) the refresh an import sends: 10,000 enterprises re-entered and re-evaluated   (seconds, printed)

The issue's size is 500,000 enterprises: BENCH_POOL_N=500000 make bench BENCH_ARGS=pool (about ten
minutes of loading on this machine). Data are generated with COPY, with a fixed random seed.
BENCH_POOL_KEEP=1 keeps the database (test_<name>) afterwards and reuses its data on the next run
(the backfill is then a re-evaluation of every tier).
"""

import contextlib
import datetime
import os
import random
import statistics
import time
from decimal import Decimal

from django.conf import settings
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bench.common import bench_database, copy, reset_sequences
from pojian.domain.uscc import numbered
from tests.otp import mark_verified

N = int(os.environ.get("BENCH_POOL_N", 100_000))
COHORT = max(60, N // 100)  # selected a year (the programme selects about 60; a larger cohort is the harder case)
SAMPLES = 30
TARGETS = {"page_ms": 150, "cohort_s": 1.0}


def generate(*, year, cycles, bureaus, regions, rng):
    from enterprises.models import Enterprise, EnterpriseNomination, EnterpriseYear, Recognition, Registration

    now = timezone.now()
    ids = range(1, N + 1)
    region_of = {i: regions[i % len(regions)] for i in ids}
    copy(Enterprise, ["id", "name", "uscc", "region_id", "address", "industry", "contact_person", "contact_phone",
                      "founded_on", "is_high_tech", "high_tech_cert_no", "high_tech_cert_expires"],
         ((i, f"吉林省培育科技有限公司{i:06d}", numbered("91220101", i), region_of[i], "长春市", "software", "张三",
           "0431-80000000", datetime.date(2010 + i % 12, 1 + i % 12, 1), False, "", None) for i in ids))

    def figures():
        fid = 0
        for i in ids:
            revenue = Decimal(rng.randrange(1_000_000, 180_000_000))
            growth = Decimal(rng.choice(["1.2", "1.1", "1.0", "0.9"]))
            staff = rng.randrange(10, 450)
            for k, fy in enumerate(range(year - 3, year)):
                fid += 1
                r = (revenue * growth ** k).quantize(Decimal("1"))
                yield (fid, i, fy, r, (r * Decimal(rng.randrange(2, 14)) / 100).quantize(Decimal("1")), r * 2,
                       staff + 5 * k, staff // 2, None, None, None, None, None)

    copy(EnterpriseYear, ["id", "enterprise_id", "year", "revenue", "rd_expense", "total_assets", "employees",
                          "tech_staff", "revenue_tax", "rd_expense_tax", "total_assets_tax", "employees_tax",
                          "tax_imported_at"], figures())

    def registrations():
        rid = 0
        for i in ids:
            for fy in range(year - 3, year + 1):
                if (i + fy) % 7:
                    rid += 1
                    yield (rid, i, fy, f"{fy}220101A{i:07d}", "registered", "")

    copy(Registration, ["id", "enterprise_id", "year", "number", "status", "listed_number"], registrations())

    def recognitions():
        rid = 0
        for i in ids:
            if i % 5 == 0:
                rid += 1
                yield (rid, i, "high_tech", year - 3 + i % 3, "GR")
            if i % 23 == 0:
                rid += 1
                yield (rid, i, "specialised", year - 2 + i % 2, "ZJTX")

    copy(Recognition, ["id", "enterprise_id", "kind", "year", "reference"], recognitions())
    rows, nid = [], 0
    for cycle in cycles:
        chosen = rng.sample(range(1, N + 1), COHORT)
        for i in chosen:
            nid += 1
            rows.append((nid, cycle.pk, region_of[i], "selected", "", "推荐", bureaus[region_of[i]], now, now, now, now,
                         1, i, ""))
    copy(EnterpriseNomination, ["id", "cycle_id", "region_id", "state", "state_reason", "recommendation",
                                "created_by_id", "created_at", "updated_at", "submitted_at", "decided_at", "version",
                                "enterprise_id", "letter"], rows)
    reset_sequences(Enterprise, EnterpriseYear, Registration, Recognition, EnterpriseNomination)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


@contextlib.contextmanager
def kept_database():
    """Like bench_database, but the database stays for the next run (BENCH_POOL_KEEP=1)."""
    from django.test.utils import setup_databases

    setup_databases(verbosity=0, interactive=False, keepdb=True)
    yield


def load():
    return f"load {os.getloadavg()[0]:.1f}"


def page(client, url, samples=SAMPLES):
    """(median ms, queries of one request) for a GET of url."""
    client.get(url)
    reset_queries()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    queries = len(ctx.captured_queries)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(samples):
        t = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000, queries


def verdict(ms, target):
    return f"target < {target} ms: {'met' if ms < target else 'NOT met'}"


def main():
    from enterprises.domain import cohorts, pool
    from enterprises.models import PoolEntry, TierStanding
    from pojian.models import Cycle, Region, User

    settings.DEBUG = False
    print(f"load average at start: {os.getloadavg()[0]:.2f} (2 cores; other work slows every line alike)", flush=True)
    keep = bool(os.environ.get("BENCH_POOL_KEEP"))
    with kept_database() if keep else bench_database():
        from enterprises.models import Enterprise

        rng = random.Random(2026)
        now = timezone.now()
        year = now.year
        region_objs = list(Region.objects.nominating())
        if keep and Enterprise.objects.count() == N:
            bureau_users = {r.pk: User.objects.get(username=f"bureau-{r.code}") for r in region_objs}
            office = User.objects.get(username="office")
            print(f"data: {N:,} enterprises kept from the last run", flush=True)
        else:
            cycles = [Cycle.objects.create(year=y, nomination_opens=now - datetime.timedelta(days=400 * (year - y) + 30),
                                           nomination_closes=now - datetime.timedelta(days=400 * (year - y) - 30),
                                           status="closed", is_current=False) for y in (year - 2, year - 1)]
            regions = [r.pk for r in region_objs]
            bureau_users = {r.pk: User.objects.create(username=f"bureau-{r.code}", role="bureau", region=r)
                            for r in region_objs}
            bureaus = {pk: u.pk for pk, u in bureau_users.items()}
            office = User.objects.create(username="office", role="office", is_staff=True)

            t = time.perf_counter()
            generate(year=year, cycles=cycles, bureaus=bureaus, regions=regions, rng=rng)
            print(f"data: {N:,} enterprises, {3 * N:,} fiscal years, cohorts of {COHORT:,} in {year - 2} and "
                  f"{year - 1}: {time.perf_counter() - t:.1f} s", flush=True)

        t = time.perf_counter()
        created, written = pool.backfill()
        print(f"(a) backfill: {created:,} entries, {written:,} tier standings          {time.perf_counter() - t:8.1f} s"
              f"   | {load()}", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        assert PoolEntry.objects.count() == N and TierStanding.objects.exists()

        client = Client()
        client.force_login(office)
        mark_verified(client, office)
        changchun = Region.objects.get(code="220100")
        bureau = bureau_users[changchun.pk]
        bureau_client = Client()
        bureau_client.force_login(bureau)
        mark_verified(bureau_client, bureau)

        base = reverse("enterprises:pool")
        for who, c, query in [
            ("office", client, ""),
            ("office", client, f"?region={changchun.pk}&tier=high-tech"),
            ("office", client, f"?region={changchun.pk}&tier=tech-sme&status=in_pool"),
            ("office", client, "?tier=specialised&page=50"),
            ("office", client, "?q=" + numbered("91220101", N // 2)),
            ("office", client, f"?q=有限公司{N // 20:05d}"),  # a name search: 10 of N names (trigram index)
            ("office", client, f"?region={changchun.pk}&q=有限公司{N // 20:05d}"),
            ("bureau", bureau_client, ""),
            ("bureau", bureau_client, "?tier=high-tech&page=5"),
        ]:
            ms, queries = page(c, base + query)
            print(f"(b) pool list, {who:<6} {query or '(default)':<44} {ms:8.1f} ms median, {queries} queries"
                  f"   | {verdict(ms, TARGETS['page_ms'])} | {load()}", flush=True)

        for who, c in (("office", client), ("bureau", bureau_client)):
            ms, queries = page(c, reverse("enterprises:pool_cohort", args=[year - 2]), samples=10)
            print(f"(c) cohort page {year - 2}, {who:<6}                          {ms:8.1f} ms median, {queries} queries"
                  f"   | target < {TARGETS['cohort_s'] * 1000:.0f} ms: "
                  f"{'met' if ms < TARGETS['cohort_s'] * 1000 else 'NOT met'} | {load()}", flush=True)
        times = []
        for _ in range(5):
            t = time.perf_counter()
            figures = cohorts.figures_by_year(year - 2)
            cohorts.tiers_by_year(year - 2)
            cohorts.index_chart(figures["rows"])
            times.append(time.perf_counter() - t)
        print(f"(c) cohort chart data {year - 2}, all regions ({COHORT:,} enterprises)   "
              f"{statistics.median(times):8.3f} s median   | target < {TARGETS['cohort_s']} s: "
              f"{'met' if statistics.median(times) < TARGETS['cohort_s'] else 'NOT met'} | {load()}", flush=True)
        t = time.perf_counter()
        cohorts.pool_growth()
        print(f"(c) the pool's growth by tier and year (all regions)          {time.perf_counter() - t:8.3f} s"
              f"   | {load()}", flush=True)

        ids = rng.sample(range(1, N + 1), min(10_000, N))
        t = time.perf_counter()
        pool.refresh(enterprise_ids=ids, via=PoolEntry.Via.REGISTRATION)
        print(f"(d) an import's refresh of {len(ids):,} enterprises (enter + tiers)     {time.perf_counter() - t:8.1f} s"
              f"   | {load()}", flush=True)


if __name__ == "__main__":
    main()
