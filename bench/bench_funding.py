"""Funding: the office's ledger page and the execution-rate report on a year with 60 projects,
5,000 subsidy grants and 10,000 payments.

Prints the median time of each over 20 requests and the number of queries, measured first with
500 grants and then with the full set, so a query count that grows with the data shows.
"""

import datetime
import random
from decimal import Decimal

N_PROJECTS = 60
N_GRANTS = 5_000
N_PAYMENTS = 10_000
RUNS = 20


def build(cycle, office, approver, *, start, count, enterprises, lines, regions):
    from django.contrib.contenttypes.models import ContentType

    from enterprises.models import Enterprise
    from funding.models import Grant, Payment

    ct = ContentType.objects.get_for_model(Enterprise)
    rng = random.Random(start)
    grants = []
    for i in range(start, start + count):
        e = enterprises[i]
        line = lines["project_support"] if i < N_PROJECTS else lines[("rd_post", "tech_contract", "incubator_post")[i % 3]]
        amount = Decimal(500000) if i < N_PROJECTS else Decimal(rng.randrange(10, 200) * 1000)
        grants.append(Grant(cycle=cycle, line=line, beneficiary_type=ct, beneficiary_id=e.pk, beneficiary_name=e.name,
                            region_id=e.region_id, amount=amount, state="paid", paid_amount=amount, proposed_by=office,
                            approved_by=approver, approved_at=datetime.datetime.now(datetime.UTC)))
    grants = Grant.objects.bulk_create(grants, batch_size=5000)
    payments = []
    for g in grants:  # two tranches each: 10,000 payments for 5,000 grants
        first = (g.amount * Decimal("0.7")).quantize(Decimal("1"))
        for n, amount in ((1, first), (2, g.amount - first)):
            payments.append(Payment(grant=g, tranche=n, paid_on=datetime.date(cycle.year, 6 + n, 1),
                                    document_no=f"吉财拨〔{cycle.year}〕{g.pk}-{n}号", amount=amount, account="0701",
                                    state="confirmed", recorded_by=office, confirmed_by=approver))
    Payment.objects.bulk_create(payments, batch_size=5000)


def measure(client, url, params=None):
    import time

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.common import median_ms

    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get(url, params or {})
        samples.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as q:
        client.get(url, params or {})
    return median_ms(samples), len(q.captured_queries)


def measure_fn(fn):
    import time

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.common import median_ms

    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    with CaptureQueriesContext(connection) as q:
        fn()
    return median_ms(samples), len(q.captured_queries)


def main():
    from django.test import Client
    from django.utils import timezone

    from bench.common import bench_database, office_and_bureaus, timer, two_years
    from enterprises.models import Enterprise
    from funding.domain import ledger
    from funding.models import Budget, FundingLine
    from pojian.domain.uscc import numbered as uscc
    from pojian.models import Region, User

    year = timezone.localdate().year
    with bench_database():
        t = {}
        with timer(t, "build"):
            cycle = two_years(year)[year]
            regions = list(Region.objects.nominating())
            office, _bureaus = office_and_bureaus(regions)
            approver = User.objects.create(username="bench-approver", role="approver")
            lines = {line.code: line for line in FundingLine.objects.all()}
            for line in lines.values():
                Budget.objects.create(cycle=cycle, line=line, amount=Decimal("300000000"), document_no="吉财〔bench〕1号")
            enterprises = Enterprise.objects.bulk_create([
                Enterprise(name=f"企业{i}", uscc=uscc("91220101", i + 1), region=regions[i % len(regions)])
                for i in range(N_GRANTS + N_PROJECTS)
            ], batch_size=5000)
            build(cycle, office, approver, start=0, count=500, enterprises=enterprises, lines=lines, regions=regions)
        client = Client()
        client.force_login(office)
        from tests.otp import mark_verified

        mark_verified(client, office)  # the office signs in with its second factor
        url = "/funding/ledger/"
        results = {}
        for label in ("500 grants, 1,000 payments", f"{N_GRANTS + N_PROJECTS:,} grants, {2 * (N_GRANTS + N_PROJECTS):,} payments"):
            results[label] = {
                "ledger": measure(client, url, {"year": year}),
                "ledger filtered": measure(client, url, {"year": year, "line": lines["rd_post"].pk, "page": 3}),
                "execution report": measure_fn(lambda: ledger.execution(cycle)),
            }
            if label.startswith("500"):
                with timer(t, "build2"):
                    build(cycle, office, approver, start=500, count=N_GRANTS + N_PROJECTS - 500, enterprises=enterprises,
                          lines=lines, regions=regions)
        print(f"data set built in {t['build'] + t['build2']:.1f} s: {N_PROJECTS} projects, {N_GRANTS:,} subsidy grants, "
              f"{2 * (N_GRANTS + N_PROJECTS):,} payments", flush=True)
        for label, rows in results.items():
            for what, (ms, queries) in rows.items():
                print(f"{what:<20} {label:<34} median {ms:7.1f} ms   {queries:3d} queries   | target < 150 ms", flush=True)
