"""The API: a 1,000-row page of nominations over 100,000 (cursor pagination), and a 50,000-row tax
push as JSON against the same rows uploaded as a workbook (the same import behind both).

    make bench BENCH_ARGS=api          (BENCH_API_N=100000; the push has BENCH_ENTERPRISES_N // 2 rows)
"""

import datetime
import json
import os
import random
import tempfile
import time
from pathlib import Path

from django.test import Client
from django.utils import timezone

from bench import bench_enterprises
from bench.bench_enterprises import generate, load, tax_file, uscc
from bench.common import bench_database, median_ms, report, settings

N = int(os.environ.get("BENCH_API_N", "100000"))
TAX_ROWS = bench_enterprises.TAX_ROWS  # the same rows as the enterprises bench: BENCH_ENTERPRISES_N // 2
SAMPLES = 15


def main():
    from api.domain import tokens
    from enterprises.domain import checks
    from enterprises.domain import import_tax as tax
    from pojian.models import Cycle, Job, Region, User

    settings.DEBUG = False
    print(f"load average at start: {load()}", flush=True)
    with bench_database(), tempfile.TemporaryDirectory() as tmp:
        now = timezone.now()
        cycle = Cycle.objects.create(year=now.year, nomination_opens=now - datetime.timedelta(days=30),
                                     nomination_closes=now + datetime.timedelta(days=30), status="open", is_current=True)
        regions = list(Region.objects.nominating().values_list("pk", flat=True))
        bureaus = {r.pk: User.objects.create(username=f"bureau-{r.code}", role="bureau", region=r).pk
                   for r in Region.objects.nominating()}
        office = User.objects.create(username="office", role="office", is_staff=True)
        generate(0, N, cycle=cycle, bureaus=bureaus, regions=regions, rng=random.Random(2026))
        checks.check_year(year=cycle.year)
        _token, key = tokens.issue(user=office, name="bench", by=office)
        client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")

        url = "/api/v1/enterprises/nominations/?page_size=1000"
        times, deep = [], None
        for i in range(SAMPLES):
            t = time.perf_counter()
            response = client.get(url if deep is None or i % 2 == 0 else deep)
            times.append(time.perf_counter() - t)
            assert response.status_code == 200 and len(response.json()["results"]) == 1000
            deep = response.json()["next"]  # the next page: cursor, not OFFSET
        print(f"GET 1,000-row page of nominations over {N:,}: median {median_ms(times):.0f} ms "
              f"(target ≤ 200 ms) over {SAMPLES} requests, first and next pages", flush=True)

        # The same 50,000 rows: as a workbook through the upload's import, then as a JSON push.
        year = cycle.year
        path = Path(tmp) / "tax.xlsx"
        tax_file(path, year)
        t = time.perf_counter()
        with open(path, "rb") as f:
            tax.import_tax(f, year=year, by=office)
        upload_s = time.perf_counter() - t
        rng = random.Random(8)
        rows = []
        for i in range(1, TAX_ROWS + 1):
            revenue = rng.randrange(1_000_000, 250_000_000)
            rows.append({"uscc": uscc(i), "year": year, "revenue": revenue, "rd_expense": str(round(revenue * 0.07, 2)),
                         "total_assets": revenue * 2, "employees": rng.randrange(5, 600)})
        body = json.dumps({"year": year, "rows": rows})
        t = time.perf_counter()
        response = client.post("/api/v1/tax/pushes/", body, content_type="application/json",
                               HTTP_IDEMPOTENCY_KEY="bench-1")
        push_s = time.perf_counter() - t  # tasks run in-process in benches: the import is inside
        job = Job.objects.get(pk=response.json()["id"])
        assert job.status == Job.Status.DONE, job.message
        report(f"tax push of {TAX_ROWS:,} rows as JSON (request to import done)", push_s,
               "the same rows as an uploaded workbook", upload_s)
