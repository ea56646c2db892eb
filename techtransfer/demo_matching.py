"""Demo volumes and matching for 双千: 120 results in all (most published), 40 demands, 推介, 意向,
对接记录, one 对接会 and two account requests. Natural keys everywhere, so seed_demo twice changes nothing."""

import datetime
from decimal import Decimal

from django.utils import timezone

from enterprises.models import Enterprise

from .models import (
    AccountRequest,
    Demand,
    Institution,
    Interest,
    MatchEvent,
    MatchRecord,
    Recommendation,
    Result,
    TechContract,
)

RESULT_TARGET, DEMAND_TARGET = 120, 40
# field: (topics, what is done to them)
TOPICS = {
    "materials": (["碳纤维复合材料", "稀土永磁材料", "高分子膜材料", "石墨烯导热膜", "生物基可降解塑料"],
                  ["低成本制备技术", "改性工艺", "连续化生产装备"]),
    "biomedicine": (["人参皂苷", "梅花鹿茸多肽", "中药配方颗粒", "单克隆抗体", "疫苗佐剂"],
                    ["提取纯化工艺", "质量控制方法", "制剂技术"]),
    "automotive": (["新能源汽车电驱系统", "车身轻量化构件", "动力电池热管理", "智能座舱", "汽车线控底盘"],
                   ["设计与仿真技术", "精密制造工艺", "测试评价系统"]),
    "agriculture": (["玉米秸秆还田", "寒地水稻", "黑土地保护性耕作", "梅花鹿养殖", "食用菌栽培"],
                    ["综合技术", "智能监测系统", "新品种选育技术"]),
    "energy": (["风电机组", "光伏组件", "氢能储运", "生物质燃料", "电网储能"],
               ["智能运维系统", "高效转换技术", "安全监测平台"]),
    "software": (["工业互联网平台", "机器视觉检测", "政务大数据", "数字孪生工厂", "农业物联网"],
                 ["软件系统", "算法与模型", "应用解决方案"]),
    "aerospace": (["高功率激光器", "遥感小卫星", "红外光学镜头", "光纤传感器", "精密光栅"],
                  ["研制技术", "批量化生产工艺", "检测装置"]),
    "environment": (["工业废水", "冬季供暖烟气", "矿山生态修复", "餐厨垃圾", "土壤重金属"],
                    ["处理技术", "资源化利用工艺", "在线监测设备"]),
}
MATURITIES = ["research", "small_pilot", "pilot", "industrial"]


def _generated_results():
    """(field, title, summary, maturity) beyond the hand-written ones, always in the same order."""
    for k in range(3):
        for field, (topics, verbs) in TOPICS.items():
            for i, topic in enumerate(topics):
                title = f"{topic}{verbs[k]}"
                yield field, title, f"面向吉林省{topic}产业需求的{verbs[k]}，已完成实验室验证并申请发明专利。", \
                    MATURITIES[(i + k) % 4]


def seed(*, cycle, office, stdout=None):
    institutions = list(Institution.objects.order_by("pk"))
    if not institutions:
        return
    missing = RESULT_TARGET - Result.objects.count()
    existing = set(Result.objects.values_list("title", flat=True))
    for n, (field, title, summary, maturity) in enumerate(_generated_results()):
        if missing <= 0:
            break
        if title in existing:
            continue
        institution = institutions[n % len(institutions)]
        published = n % 9 != 0  # some wait for moderation
        Result.objects.create(
            institution=institution, title=title, field=field, summary=summary, maturity=maturity, trl=3 + n % 7,
            cooperation_modes=[["assignment"], ["licence", "joint"], ["equity", "joint"]][n % 3],
            price_low=Decimal(200000 + 50000 * (n % 10)), price_high=Decimal(1000000 + 100000 * (n % 10)),
            contact_name="成果转化办公室", contact_phone="0431-85000000", created_by=office,
            state=Result.State.PUBLISHED if published else Result.State.SUBMITTED,
            published_at=timezone.now() if published else None)
        missing -= 1

    enterprises = list(Enterprise.objects.order_by("pk")[:DEMAND_TARGET])
    fields = list(TOPICS)
    missing = DEMAND_TARGET - Demand.objects.count()
    for i, enterprise in enumerate(enterprises):
        if missing <= 0:
            break
        field = fields[i % len(fields)]
        topic = TOPICS[field][0][i % 5]
        title = f"{topic}技术升级需求"
        if Demand.objects.filter(enterprise=enterprise, title=title).exists():
            continue
        Demand.objects.create(
            enterprise=enterprise, region=enterprise.region, title=title, field=field, created_by=office,
            description=f"{enterprise.name[:12]}计划引进{topic}相关技术，解决产线瓶颈，可合作开发或技术转让。",
            budget=Decimal(300000 + 100000 * (i % 8)), deadline=datetime.date(cycle.year + 1, 6, 30),
            visibility=Demand.Visibility.PUBLIC if i % 2 else Demand.Visibility.INSTITUTIONS)
        missing -= 1

    _seed_matching(cycle=cycle, office=office)
    if stdout:
        stdout.write(f"双千 matching: {Recommendation.objects.count()} recommendations, {Interest.objects.count()} "
                     f"interests, {MatchRecord.objects.count()} matching records, {MatchEvent.objects.count()} events")


def _seed_matching(*, cycle, office):
    published = list(Result.objects.filter(state=Result.State.PUBLISHED).order_by("pk")[:40])
    demands = list(Demand.objects.select_related("enterprise").order_by("pk")[:40])
    if not published or not demands:
        return
    for i, demand in enumerate(demands[:30]):
        result = next((r for r in published[i:] + published if r.field == demand.field), published[i % len(published)])
        Recommendation.objects.get_or_create(result=result, enterprise=demand.enterprise, defaults={
            "region_id": demand.region_id, "created_by": office, "note": "与企业技术需求匹配"})
        if i % 2 == 0:
            Interest.objects.get_or_create(result=result, enterprise=demand.enterprise, side=Interest.Side.ENTERPRISE,
                                           defaults={"region_id": demand.region_id, "demand": demand,
                                                     "created_by": office})
        if i % 3 == 0:
            Interest.objects.get_or_create(result=result, enterprise=demand.enterprise, side=Interest.Side.INSTITUTION,
                                           defaults={"region_id": demand.region_id, "demand": demand,
                                                     "created_by": office})
    event, created = MatchEvent.objects.get_or_create(title=f"{cycle.year}年吉林省双千工程成果对接会", defaults={
        "held_on": datetime.date(cycle.year, 6, 18), "place": "长春国际会展中心", "created_by": office,
        "description": "高校院所成果发布与企业需求对接。", "outcome": "现场达成合作意向12项，签约3项。"})
    if created:
        event.enterprises.set({d.enterprise for d in demands[:12]})
        event.institutions.set(Institution.objects.all())
    statuses = list(MatchRecord.Status)
    for i, demand in enumerate(demands[:16]):
        result = next((r for r in published if r.field == demand.field), published[0])
        status = statuses[i % len(statuses)]
        contract = None
        if status == MatchRecord.Status.CONTRACTED:
            contract = TechContract.objects.filter(enterprise=demand.enterprise,
                                                   institution=result.institution).first()
            if contract is None:
                status = MatchRecord.Status.AGREED
        if MatchRecord.objects.filter(result=result, enterprise=demand.enterprise).exists():
            continue
        MatchRecord.objects.create(result=result, enterprise=demand.enterprise, demand=demand, region_id=demand.region_id,
                                   event=event if i < 8 else None, met_on=datetime.date(cycle.year, 6, 18 + i % 10),
                                   status=status, contract=contract, notes="双方就技术参数和合作方式进行了洽谈。",
                                   created_by=office)
    # Two requests waiting on the office's account page.
    institutions = list(Institution.objects.order_by("pk")[:2])
    for institution, (email, name) in zip(institutions, [("chen@jlu-demo.cn", "陈老师"), ("sun@cust-demo.cn", "孙老师")], strict=False):
        AccountRequest.objects.get_or_create(email=email, defaults={
            "full_name": name, "phone": "0431-85168000", "position": "科技成果转化中心",
            "kind": AccountRequest.Kind.RESULTS_MANAGER, "institution": institution,
            "submitted_on": datetime.date(cycle.year, 3, 1), "message": "申请成果管理员账号"})
