"""The contract subsidy's workflow: computing the year's amounts over the applications.

Builds N enterprises (BENCH_SUBSIDY_ENTERPRISES, default 2,000: several times the province's real
number of applicants), three contracts each with two payments in 2025 (receipts checked, one in
ten rejected), one application per enterprise claiming its contracts; then times `compute_amounts`
(reads, bands, cap, scaling, one saved row and history entry per application) and the preview of
one application (two computations restricted to its contracts), which the application page runs.
"""

import datetime
import os

N = int(os.environ.get("BENCH_SUBSIDY_ENTERPRISES", "2000"))


def main():
    from decimal import Decimal

    from django.utils import timezone

    from bench.common import bench_database, median_ms, report, timer
    from enterprises.models import Enterprise
    from pojian.domain.uscc import numbered
    from pojian.models import Region, User
    from techtransfer.domain import subsidy_workflow as wf
    from techtransfer.models import (
        ContractPayment,
        ContractSubsidyRule,
        Institution,
        PaymentCheck,
        SubsidyApplication,
        TechContract,
    )

    with bench_database():
        t = {}
        with timer(t, "build"):
            regions = list(Region.objects.nominating())
            office = User.objects.create(username="bench-office", role="office")
            bureau = User.objects.create(username="bench-bureau", role="bureau", region=regions[0])
            enterprises = Enterprise.objects.bulk_create([
                Enterprise(name=f"企业{i}", uscc=numbered("91220101", i + 1), region=regions[i % len(regions)])
                for i in range(N)], batch_size=5000)
            institutions = Institution.objects.bulk_create([
                Institution(name=f"大学{i}", uscc=numbered("12220000", i + 1), kind="university", region=regions[0],
                            in_province=i % 10 != 9) for i in range(20)])
            contracts = TechContract.objects.bulk_create([
                TechContract(registration_number=f"2025220100{i + 1:08d}", registered_on=datetime.date(2025, 2, 1),
                             kind=["development", "transfer", "licence"][i % 3], title=f"合同{i}",
                             enterprise=enterprises[i // 3], institution=institutions[i % 20],
                             contract_amount=Decimal("2000000"), tech_amount=Decimal("2000000"),
                             implementation="已投产", created_by=office) for i in range(3 * N)], batch_size=5000)
            payments = ContractPayment.objects.bulk_create([
                ContractPayment(contract=c, paid_on=datetime.date(2025, 3 + k * 4, 1),
                                amount=Decimal(50000 + (c.pk % 40) * 10000), invoice_number=f"FP{c.pk}-{k}",
                                receipt="techtransfer/receipts/x.pdf", created_by=office)
                for c in contracts for k in range(2)], batch_size=5000)
            now = timezone.now()
            PaymentCheck.objects.bulk_create([
                PaymentCheck(payment=p, state="rejected" if i % 10 == 0 else "accepted", reason="bench",
                             checked_by=office, checked_at=now) for i, p in enumerate(payments)], batch_size=5000)
            rule = ContractSubsidyRule.objects.create(
                year=2025, kinds=["development", "transfer"], min_paid=Decimal("10000"),
                bands=[["100000", "0.05"], ["1000000", "0.02"], [None, "0.01"]], cap=Decimal("50000"),
                budget=Decimal("20000000"), applications_open=datetime.date(2026, 3, 1),
                applications_close=datetime.date(2026, 3, 31))
            applications = SubsidyApplication.objects.bulk_create([
                SubsidyApplication(rule=rule, enterprise=e, region_id=e.region_id, submitted_by=bureau,
                                   submitted_at=now) for e in enterprises], batch_size=5000)
            through = SubsidyApplication.contracts.through
            through.objects.bulk_create([
                through(subsidyapplication_id=a.pk, techcontract_id=contracts[3 * i + k].pk)
                for i, a in enumerate(applications) for k in range(3)], batch_size=5000)
        print(f"data set built in {t['build']:.1f} s: {N:,} applications, {len(contracts):,} contracts, "
              f"{len(payments):,} payments", flush=True)
        with timer(t, "compute"):
            summary = wf.compute_amounts(rule=rule, by=office, today=datetime.date(2026, 4, 1))
        report(f"compute {summary['applications']:,} applications"
               f"{' (scaled to the budget)' if summary['scaled'] else ''}", t["compute"])
        samples = []
        for a in applications[:20]:
            with timer(t, "preview"):
                wf.preview(a)
            samples.append(t["preview"])
        print(f"{'preview of one application (median of 20)':<48} {median_ms(samples):8.1f} ms", flush=True)
