"""The bureaus' assessment on a province-sized year: computing every region × indicator, the cheap
staleness check the periodic task runs, the office's table page and both exports.

Data: 13 regions, 30,000 enterprises (registrations for two years), 3,000 enterprise nominations,
260 incubators with 30,000 tenancies and 100 post-subsidies, 3,000 investments, a summary with
policies per region; 14 indicators (every computation, one typed by the office).
Reference, measured in the same run: the same computed figures done region by region, one query
per region and indicator (what a naive per-row implementation would do).
"""

import datetime
import random
from decimal import Decimal


def build(year):
    from assessment.domain.computations import COMPUTATIONS
    from assessment.models import BureauSummary, Indicator, LocalPolicy, OfficeEntry
    from bench.common import office_and_bureaus, two_years
    from enterprises.models import Enterprise, EnterpriseNomination, Registration
    from finance.models import FinanceInstitution, Investment
    from incubators.models import Incubator, IncubatorNomination, PostSubsidy, Tenancy
    from pojian.domain.uscc import numbered as uscc
    from pojian.models import Region

    rng = random.Random(11)
    cycles = two_years(year)
    regions = list(Region.objects.nominating())
    office, bureaus = office_and_bureaus(regions)
    enterprises = Enterprise.objects.bulk_create([
        Enterprise(name=f"企业{i}", uscc=uscc("91220101", i + 1), region=regions[rng.randrange(len(regions))])
        for i in range(30_000)
    ], batch_size=5000)
    Registration.objects.bulk_create(
        [Registration(enterprise=e, year=year, number=f"R{year}-{i}") for i, e in enumerate(enterprises) if i % 3]
        + [Registration(enterprise=e, year=year - 1, number=f"R{year - 1}-{i}") for i, e in enumerate(enterprises) if i % 2],
        batch_size=5000,
    )
    states = ["submitted", "returned", "accepted", "rejected", "selected", "not_selected", "draft", "withdrawn"]
    EnterpriseNomination.objects.bulk_create([
        EnterpriseNomination(cycle=cycles[year], region_id=e.region_id, enterprise=e, state=states[i % len(states)],
                             created_by=bureaus[e.region_id])
        for i, e in enumerate(rng.sample(enterprises, 3000))
    ], batch_size=5000)
    incubators = Incubator.objects.bulk_create([
        Incubator(name=f"孵化器{i}", uscc=uscc("91220104", i + 1), region=regions[i % len(regions)])
        for i in range(20 * len(regions))
    ])
    IncubatorNomination.objects.bulk_create([
        IncubatorNomination(cycle=cycles[year], region_id=inc.region_id, incubator=inc, state="accepted",
                            results="成效", created_by=bureaus[inc.region_id])
        for inc in incubators[::2]
    ])
    PostSubsidy.objects.bulk_create([
        PostSubsidy(incubator=inc, year=year, amount=Decimal(100000 + 1000 * i), decided_by=office)
        for i, inc in enumerate(incubators[:100])
    ])
    Tenancy.objects.bulk_create([
        Tenancy(incubator=incubators[i % len(incubators)], enterprise=enterprises[i],
                entered=datetime.date(year - rng.randint(0, 3), rng.randint(1, 12), 1))
        for i in range(30_000)
    ], batch_size=5000)
    fund = FinanceInstitution.objects.create(name="吉林省科技投资基金", uscc=uscc("91220105", 1), kind="vc",
                                             region=regions[0])
    Investment.objects.bulk_create([
        Investment(institution=fund, enterprise=e, date=datetime.date(year, 1 + i % 12, 1 + i % 28),
                   amount=Decimal(rng.randint(1, 500) * 10000), round="a", early_or_small=bool(i % 3 == 0))
        for i, e in enumerate(rng.sample(enterprises, 3000))
    ], batch_size=5000)
    for r in regions:
        summary = BureauSummary.objects.create(cycle=cycles[year], region=r, created_by=bureaus[r.pk],
                                               work_done="工作", state="accepted")
        LocalPolicy.objects.bulk_create([
            LocalPolicy(summary=summary, title=f"政策{k}", number=f"{r.code}-{k}", issued_on=datetime.date(year, 1, 1),
                        link="https://example.gov.cn/") for k in range(r.sort_order % 5)
        ])
    for order, code in enumerate(COMPUTATIONS, start=1):
        Indicator.objects.create(cycle=cycles[year], code=code, name=str(COMPUTATIONS[code].label), weight=Decimal(1),
                                 source="computed", computation=code, order=order)
    typed = Indicator.objects.create(cycle=cycles[year], code="opinion", name="处室意见", weight=Decimal(1),
                                     source="office", order=99)
    OfficeEntry.objects.bulk_create([
        OfficeEntry(indicator=typed, region=r, value=Decimal(60 + r.sort_order), entered_by=office) for r in regions
    ])
    return cycles[year], office, regions


def main():
    from django.test import Client

    from assessment.domain import compute, exports
    from assessment.domain.computations import COMPUTATIONS
    from bench.common import bench_database, report, timer

    with bench_database():
        from django.utils import timezone

        year = timezone.localdate().year
        t = {}
        with timer(t, "build"):
            cycle, office, regions = build(year)
        report("build the data set", t["build"])

        runs = []
        for _ in range(3):
            with timer(t, "compute"):
                compute.compute_assessment(cycle=cycle, by=office)
            runs.append(t["compute"])
        with timer(t, "naive"):
            for computation in COMPUTATIONS.values():
                for r in regions:
                    computation.run(year=year, region_ids=[r.pk])
        report("compute the assessment (median of 3)", sorted(runs)[1], "naive, region by region", t["naive"])

        with timer(t, "signature"):
            for _ in range(10):
                compute.is_stale(cycle.assessment)
        report("staleness check (periodic task), each", t["signature"] / 10)

        client = Client()
        client.force_login(office)
        from tests.otp import mark_verified

        mark_verified(client, office)  # the office signs in with its second factor
        with timer(t, "page"):
            for _ in range(5):
                assert client.get(f"/assessment/{year}/").status_code == 200
        report("office's table page, each", t["page"] / 5)

        import tempfile
        from pathlib import Path

        with tempfile.TemporaryDirectory() as d, timer(t, "xlsx"):
            from pojian.domain.xlsx import write_workbook

            write_workbook(Path(d) / "a.xlsx", exports.xlsx_sheets(cycle.assessment))
        report("workbook with every counted item", t["xlsx"])
        with timer(t, "pdf"):
            exports.region_pdf(cycle.assessment, regions, show_rank=True)
        report(f"PDF, {len(regions)} pages", t["pdf"])
