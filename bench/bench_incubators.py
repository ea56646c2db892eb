"""Incubators: the counted tenant figures (set-based) and the office's export, on a province-sized data set.

Data: 13 regions x 20 incubators (260), 20,000 enterprises, 30,000 tenancies, registrations for
half the enterprises, 2,000 selected enterprise nominations, one nomination per incubator.
Reference, measured in the same run: the same counts done incubator by incubator (one query
each), the way a per-row template would do it.
"""

import datetime
import random
import tempfile
from pathlib import Path


def build(year):
    from bench.common import office_and_bureaus, two_years
    from enterprises.models import Enterprise, EnterpriseNomination, Registration
    from incubators.models import Incubator, IncubatorNomination, IncubatorYear, Tenancy
    from pojian.domain.uscc import numbered as uscc
    from pojian.models import Region

    rng = random.Random(7)
    cycles = two_years(year)
    regions = list(Region.objects.nominating())
    office, bureaus = office_and_bureaus(regions)
    incubators = Incubator.objects.bulk_create([
        Incubator(name=f"孵化器{i}", uscc=uscc("91220104", i + 1), region=regions[i % len(regions)],
                  kind="incubator" if i % 3 else "maker_space", level="provincial", level_year=2018)
        for i in range(20 * len(regions))
    ])
    enterprises = Enterprise.objects.bulk_create([
        Enterprise(name=f"企业{i}", uscc=uscc("91220101", i + 1), region=regions[i % len(regions)])
        for i in range(20_000)
    ], batch_size=5000)
    Registration.objects.bulk_create([
        Registration(enterprise=e, year=year - (i % 2), number=f"R{i}") for i, e in enumerate(enterprises) if i % 2 == 0
    ], batch_size=5000)
    EnterpriseNomination.objects.bulk_create([
        EnterpriseNomination(cycle=cycles[year - (i % 2)], region_id=e.region_id, enterprise=e, state="selected",
                             created_by=bureaus[e.region_id])
        for i, e in enumerate(rng.sample(enterprises, 2000))
    ], batch_size=5000)
    tenancies = []
    for i in range(30_000):
        entered = datetime.date(year - rng.randint(0, 4), rng.randint(1, 12), 1)
        graduated = entered + datetime.timedelta(days=rng.randint(200, 2000)) if i % 3 == 0 else None
        tenancies.append(Tenancy(incubator=incubators[i % len(incubators)], enterprise=enterprises[i % len(enterprises)],
                                 entered=entered, graduated=graduated))
    Tenancy.objects.bulk_create(tenancies, batch_size=5000)
    IncubatorYear.objects.bulk_create([IncubatorYear(incubator=inc, year=year, other_tenants=10) for inc in incubators])
    IncubatorNomination.objects.bulk_create([
        IncubatorNomination(cycle=cycles[year], region_id=inc.region_id, incubator=inc, state="submitted",
                            results="=成效" if i % 10 == 0 else "成效", created_by=bureaus[inc.region_id])
        for i, inc in enumerate(incubators)
    ])
    return office, [inc.pk for inc in incubators]


def main():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from bench.common import bench_database, report, timer
    from incubators.domain import export, figures
    from incubators.filters import IncubatorNominationFilter, office_queryset

    year = timezone.localdate().year
    with bench_database():
        t = {}
        with timer(t, "build"):
            office, ids = build(year)
        print(f"data set built in {t['build']:.1f} s: {len(ids)} incubators, 30,000 tenancies", flush=True)

        with CaptureQueriesContext(connection) as q, timer(t, "set"):
            result = figures.counted_figures(incubator_ids=ids, year=year)
        with timer(t, "loop"):
            looped = {i: figures.counted_figures(incubator_ids=[i], year=year)[i] for i in ids}
        assert result == looped, "set-based and per-incubator counts differ"
        report(f"counted figures, {len(ids)} incubators ({len(q.captured_queries)} query)", t["set"],
               "one query per incubator", t["loop"])

        queryset = IncubatorNominationFilter({}, queryset=office_queryset()).qs
        with tempfile.TemporaryDirectory() as tmp, timer(t, "export"):
            export.write(Path(tmp) / "x.xlsx", queryset)
        with tempfile.TemporaryDirectory() as tmp, timer(t, "export_loop"):
            # Reference: the same workbook with the figures counted incubator by incubator.
            from pojian.domain.xlsx import write_workbook

            rows = []
            for n in queryset:
                p = figures.performance(incubator=n.incubator, year=year)
                rows.append([n.incubator.name, n.results, p.tenants_total, p.counted.registered, p.counted.selected])
            write_workbook(Path(tmp) / "y.xlsx", [("s", ["a", "b", "c", "d", "e"], rows, None)])
        report(f"export of {queryset.count()} nominations (.xlsx, in the request)", t["export"],
               "per-nomination figures", t["export_loop"], target=2)
