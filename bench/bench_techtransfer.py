"""双千工程: importing the technology market's contract registration list (技术合同登记).

Builds 5,000 enterprises and 20 institutions, then imports a list of N rows (xlsx, and GBK CSV)
where nine rows in ten are between portal parties and one in ten between strangers (skipped);
then the same list again as GBK CSV (nothing changes), then a list changing every contract. Prints the time of each and rows per second,
and the time to compute the contract subsidy over the imported contracts with payments.
Size: BENCH_CONTRACTS (default 20,000).
"""

import io
import os

N = int(os.environ.get("BENCH_CONTRACTS", "20000"))
N_ENTERPRISES = 5_000


def workbook(rows, header):
    from pojian.domain.xlsx import write_workbook

    out = io.BytesIO()
    write_workbook(out, [("登记清单", header, rows, None)])
    out.seek(0)
    return out


def main():
    import datetime
    from decimal import Decimal

    from bench.common import bench_database, report, timer
    from enterprises.models import Enterprise
    from pojian.domain.uscc import numbered
    from pojian.models import Region, User
    from techtransfer.domain import import_contracts, subsidy
    from techtransfer.models import ContractPayment, ContractSubsidyRule, Institution, TechContract

    with bench_database():
        t = {}
        with timer(t, "build"):
            regions = list(Region.objects.nominating())
            office = User.objects.create(username="bench-office", role="office")
            enterprises = Enterprise.objects.bulk_create([
                Enterprise(name=f"企业{i}", uscc=numbered("91220101", i + 1), region=regions[i % len(regions)])
                for i in range(N_ENTERPRISES)], batch_size=5000)
            institutions = Institution.objects.bulk_create([
                Institution(name=f"大学{i}", uscc=numbered("12220000", i + 1), kind="university", region=regions[0])
                for i in range(20)])
        header = [zh for _k, zh, _en in import_contracts.COLUMNS]
        kinds = ["技术开发", "技术转让", "技术服务"]
        rows = []
        for i in range(N):
            e, inst = enterprises[i % N_ENTERPRISES], institutions[i % 20]
            if i % 10 == 9:
                buyer, seller = ("外省企业", numbered("91110101", i + 1)), ("外省大学", numbered("12110000", i + 1))
            else:
                buyer, seller = (e.name, e.uscc), (inst.name, inst.uscc)
            rows.append([f"2025220100{i + 1:08d}", datetime.date(2025, 1 + i % 12, 1 + i % 28), kinds[i % 3],
                         f"合同项目{i}", *buyer, *seller, 100000 + (i % 50) * 10000, 100000 + (i % 50) * 5000])
        xlsx = workbook(rows, header)
        csv_text = "\n".join([",".join(header)] + [",".join(str(c) for c in r) for r in rows]).encode("gbk")
        print(f"data set built in {t['build']:.1f} s: {N_ENTERPRISES:,} enterprises, 20 institutions; "
              f"list of {N:,} rows ({len(xlsx.getvalue()) / 1e6:.1f} MB xlsx, {len(csv_text) / 1e6:.1f} MB CSV)",
              flush=True)
        with timer(t, "xlsx"):
            result = import_contracts.import_file(xlsx, by=office)
        report(f"import {N:,} rows (.xlsx), {result.created:,} added", t["xlsx"])
        print(f"  {N / t['xlsx']:,.0f} rows/s", flush=True)
        with timer(t, "csv"):
            again = import_contracts.import_file(io.BytesIO(csv_text), by=office)
        report(f"the same list again (GBK CSV), {again.unchanged:,} unchanged", t["csv"])
        print(f"  {N / t['csv']:,.0f} rows/s", flush=True)
        for r in rows:
            r[-2] += 1000  # every contract's value changed
        with timer(t, "update"):
            changed = import_contracts.import_file(workbook(rows, header), by=office)
        report(f"a list changing every contract (.xlsx), {changed.updated:,} updated", t["update"])
        print(f"  {N / t['update']:,.0f} rows/s", flush=True)
        ids = list(TechContract.objects.values_list("pk", "registered_on", "tech_amount"))
        ContractPayment.objects.bulk_create([
            ContractPayment(contract_id=pk, paid_on=on, amount=amount, invoice_number=f"FP{pk}", created_by=office)
            for pk, on, amount in ids], batch_size=5000)
        TechContract.objects.update(implementation="已投产")
        rule = ContractSubsidyRule.objects.create(
            year=2025, kinds=["development", "transfer"], min_paid=Decimal("10000"),
            bands=[[100000, "0.05"], [1000000, "0.02"], [None, "0.01"]], cap=Decimal("50000"),
            budget=Decimal("20000000"))
        with timer(t, "subsidy"):
            lines = subsidy.compute(rule)
        report(f"contract subsidy over {len(ids):,} contracts, {len(lines):,} enterprises", t["subsidy"])
