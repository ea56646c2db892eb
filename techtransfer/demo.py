"""Demo 双千 data: institutions with a results manager (`results-1`), published and waiting results,
demands of the demo enterprises, contracts with payments. Safe to run twice (natural keys)."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from enterprises.models import Enterprise
from pojian.domain.uscc import numbered
from pojian.models import Region, User

from .models import ContractPayment, Demand, Institution, Result, ResultsManager, TechContract

CONTRACTS = 30
INSTITUTIONS = [
    (1, "吉林大学", Institution.Kind.UNIVERSITY, "220100"),
    (2, "长春理工大学", Institution.Kind.UNIVERSITY, "220100"),
    (3, "中国科学院长春应用化学研究所", Institution.Kind.INSTITUTE, "220100"),
    (4, "东北电力大学", Institution.Kind.UNIVERSITY, "220200"),
    (5, "延边大学", Institution.Kind.UNIVERSITY, "222400"),
    (6, "吉林省农业科学院", Institution.Kind.INSTITUTE, "220100"),
    (7, "长春工业大学", Institution.Kind.UNIVERSITY, "220100"),
    (8, "北华大学", Institution.Kind.UNIVERSITY, "220200"),
]
# (institution n, title, field, maturity, summary)
RESULTS = [
    (1, "汽车轻量化铝合金精密成形技术", "automotive", "industrial", "面向新能源汽车车身的铝合金热冲压与精密成形工艺。"),
    (1, "寒地玉米秸秆生物降解菌剂", "agriculture", "pilot", "低温条件下快速降解秸秆，促进秸秆还田。"),
    (2, "高功率半导体激光器芯片", "aerospace", "pilot", "波长可调的高功率激光芯片及封装技术。"),
    (3, "可降解聚乳酸改性材料", "materials", "industrial", "耐热改性聚乳酸，适用于餐具和包装。"),
    (3, "稀土催化剂制备技术", "materials", "small_pilot", "用于合成橡胶的稀土催化体系。"),
    (4, "风电机组智能运维系统", "energy", "pilot", "基于振动监测的风电机组故障预警。"),
    (5, "人参皂苷高效提取工艺", "biomedicine", "industrial", "长白山人参有效成分的绿色提取。"),
    (6, "水稻耐寒新品种选育技术", "agriculture", "research", "分子标记辅助的耐寒水稻育种。"),
    (7, "工业机器人视觉定位软件", "software", "industrial", "用于装配线的高精度视觉定位。"),
    (8, "林下经济作物栽培技术", "agriculture", "pilot", "林下中药材的规范化栽培。"),
]


def seed(*, cycle, stdout=None):
    office = User.objects.filter(username="office").first()
    if office is None:
        return
    institutions = {}
    for n, name, kind, code in INSTITUTIONS:
        region = Region.objects.filter(code=code).first() or Region.objects.first()
        institutions[n], _ = Institution.objects.get_or_create(
            uscc=numbered("12220000", 900 + n), defaults={"name": name, "kind": kind, "region": region})
    manager, created = User.objects.get_or_create(username="results-1", defaults={
        "full_name": "吉林大学成果管理员", "email": "results-1@example.gov.cn"})
    if created:
        manager.set_password(settings.DEMO_PASSWORD)
        manager.save(update_fields=["password"])
    ResultsManager.objects.get_or_create(institution=institutions[1], user=manager,
                                         defaults={"approved_at": timezone.now(), "approved_by": office})
    results = []
    for i, (n, title, field, maturity, summary) in enumerate(RESULTS):
        result, _ = Result.objects.get_or_create(title=title, institution=institutions[n], defaults={
            "field": field, "maturity": maturity, "summary": summary, "contact_name": "成果转化办公室",
            "contact_phone": "0431-85000000", "cooperation_modes": ["licence", "joint"], "created_by": office,
            # The last one waits for the office's moderation.
            "state": Result.State.SUBMITTED if i == len(RESULTS) - 1 else Result.State.PUBLISHED,
            "published_at": None if i == len(RESULTS) - 1 else timezone.now(),
        })
        results.append(result)
    enterprises = list(Enterprise.objects.order_by("pk")[:6])
    for i, enterprise in enumerate(enterprises):
        Demand.objects.get_or_create(enterprise=enterprise, title=f"{enterprise.name[:10]}的技术需求", defaults={
            "region": enterprise.region, "field": results[i].field, "created_by": office,
            "description": f"希望引进{results[i].title[:8]}相关技术。", "budget": Decimal("500000"),
            "visibility": Demand.Visibility.PUBLIC if i % 2 else Demand.Visibility.INSTITUTIONS,
        })
    # 30 registered contracts with payments over the demo enterprises (the first four as before).
    contract_enterprises = list(Enterprise.objects.order_by("pk")[:CONTRACTS])
    kinds = [TechContract.Kind.DEVELOPMENT, TechContract.Kind.TRANSFER, TechContract.Kind.LICENCE]
    for i in range(CONTRACTS if contract_enterprises else 0):
        enterprise, result = contract_enterprises[i % len(contract_enterprises)], results[i % len(results)]
        amount = Decimal("1200000") if i < 4 else Decimal(200000 + 50000 * (i % 9))
        contract, _ = TechContract.objects.get_or_create(registration_number=f"2025220100{i + 1:06d}", defaults={
            "registered_on": datetime.date(cycle.year - 1, 3 + i % 9, 10 + i % 15),
            "kind": TechContract.Kind.DEVELOPMENT if i < 4 else kinds[i % 3],
            "title": f"{result.title}{'合作开发' if i < 4 else '技术合同'}", "enterprise": enterprise,
            "institution": result.institution, "result": result, "contract_amount": amount,
            "tech_amount": amount if i >= 4 else Decimal("1000000"), "created_by": office,
            # Every seventh: the enterprise sells (it does not count as its transfer in 四科).
            "enterprise_role": TechContract.Role.SELLER if i % 7 == 6 else TechContract.Role.BUYER,
        })
        ContractPayment.objects.get_or_create(contract=contract, invoice_number=f"FP{cycle.year - 1}{i + 1:04d}", defaults={
            "paid_on": datetime.date(cycle.year - 1, 9, 1) if i < 4 else contract.registered_on + datetime.timedelta(days=40),
            "amount": Decimal("600000") if i < 4 else (amount / 2).quantize(Decimal("0.01")), "created_by": office})
    from . import demo_matching  # 120 results, 40 demands, 推介, 意向, 对接记录, 对接会, account requests

    demo_matching.seed(cycle=cycle, office=office, stdout=stdout)
    from . import demo_subsidy  # last year's contract subsidy: applications, receipts checked, 公示, grants paid

    demo_subsidy.seed(cycle=cycle, office=office, stdout=stdout)
    if stdout:
        stdout.write(f"双千工程: {len(institutions)} institutions, {Result.objects.count()} results, "
                     f"{Demand.objects.count()} demands, {TechContract.objects.count()} contracts")
