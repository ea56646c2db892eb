"""Demo enterprises and nominations: a living portal after `manage.py seed_demo`.

Per region a few dozen enterprises with realistic names, valid USCCs, the year's registration,
figures, IP items, transfers and core-technology products. Most meet the 四科 standard; some
fail exactly one criterion for a reason one can see (revenue just over 2亿, exactly 60 % S&T
staff, exactly 5 results, R&D exactly 6 %, no product, last year's registration, 520 staff,
and one that passes on declared figures but fails on the tax figures). Some have tax figures
that differ from the declared ones. Nominations exist in every state, with verdicts computed
by the real check. Last year (when that year exists) has its own nominations, checked, rejected or
accepted, about 60 selected after a confirmed review, the rest not selected; then that year is closed.

Deterministic (a random generator seeded per region) and idempotent: what exists is skipped,
so running it twice gives the same data. Bulk inserts keep it to a few seconds.
"""

import datetime
import random
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.db.models import Max
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from pojian.domain.cycle import close_cycle
from pojian.domain.uscc import ALPHABET, check_character
from pojian.models import Cycle, NominationState, Region, User

from .domain import checks
from .domain.rulebook import figures_year_for
from .models import CoreProduct, Enterprise, EnterpriseNomination, EnterpriseYear, IPItem, Registration, Transfer

PER_REGION = 30
NOMINATED = 15  # the first enterprises of each region are nominated, in the states below
STATES = [
    NominationState.DRAFT, NominationState.SUBMITTED, NominationState.ACCEPTED, NominationState.SUBMITTED,
    NominationState.RETURNED, NominationState.DRAFT, NominationState.ACCEPTED, NominationState.SUBMITTED,
    NominationState.REJECTED, NominationState.WITHDRAWN, NominationState.SUBMITTED, NominationState.ACCEPTED,
    NominationState.RETURNED, NominationState.DRAFT, NominationState.SUBMITTED,
]
# Which enterprise (by index in its region) fails which single criterion, and how.
FAILURES = {
    1: "rd_intensity",  # R&D exactly 6 % of revenue: "高于6%" is strict
    3: "tech_staff_ratio",  # exactly 60 % S&T staff: "大于60%" is strict
    4: "ip_and_transfers",  # exactly 5 results: "超过5项" is strict
    7: "revenue",  # 2.3亿元 revenue
    8: "tax_rd",  # passes on declared figures; the tax revenue makes R&D intensity fall below 6 %
    10: "registered",  # registered last year only
    12: "core_tech_product",  # no product declared
    14: "employees",  # 520 staff
}
TAX_DIFFERS = {2, 5, 8, 11, 13, 17, 22}
# Last year (a closed year): the enterprises of each region from this index on were nominated, with
# that year's registration and figures a year's growth smaller; about 60 of them were selected.
EARLIER_FROM = 10
EARLIER_SHRINK = Decimal("0.88")
CRITERIA_ZH = {"revenue": "销售收入超过2亿元", "employees": "员工总数超过500人", "core_tech_product": "无关键核心技术产品",
               "tech_staff_ratio": "科技人员占比未超过60%", "ip_and_transfers": "知识产权和成果转化合计未超过5项",
               "rd_intensity": "研发投入强度未高于6%", "registered": "未入库科技型中小企业"}

CITY = {
    "220100": "长春", "220200": "吉林", "220300": "四平", "220400": "辽源", "220500": "通化", "220600": "白山",
    "220700": "松原", "220800": "白城", "222400": "延边", "229901": "长白山", "229902": "长春新区",
    "229903": "中韩", "220581": "梅河口",
}
WORDS = ["光谷", "华信", "卓越", "智联", "精密", "博远", "星海", "瑞丰", "天成", "恒达", "中科", "新源", "启明", "远航",
         "金桥", "锐思", "百川", "嘉禾", "鼎盛", "东宇", "北辰", "长青", "汇智", "睿达", "泰和", "宏图", "润通", "聚能",
         "立讯", "禹衡", "奥普", "迪瑞", "光华", "一汽", "通源"]
FIELDS = [
    ("光电科技", "aerospace", "激光测距模组", "高功率半导体激光芯片封装"),
    ("生物医药", "biomedicine", "重组蛋白试剂盒", "高表达哺乳动物细胞培养工艺"),
    ("软件技术", "software", "工业互联网平台", "边缘计算与设备数据采集"),
    ("新材料科技", "materials", "碳纤维复合板材", "大丝束碳纤维低成本制备"),
    ("智能装备", "manufacturing", "视觉检测机器人", "亚像素级缺陷识别算法"),
    ("汽车零部件", "automotive", "线控制动总成", "电子液压制动控制"),
    ("新能源科技", "energy", "储能变流器", "多机并联无缝切换控制"),
    ("环保科技", "environment", "高浓度废水处理装置", "厌氧氨氧化脱氮"),
    ("农业科技", "agriculture", "玉米抗逆新品种", "分子标记辅助育种"),
    ("信息技术", "electronics", "北斗高精度定位终端", "厘米级实时动态差分"),
    ("检测技术", "services", "光谱成分分析仪", "近红外光谱建模"),
]
IP_TITLES = ["一种{t}的方法", "一种基于{t}的装置", "{t}系统及其控制方法", "一种{t}用组件"]
HIGH_VALUE_REASONS = ["战略性新兴产业发明专利", "获中国专利奖", "有海外同族专利", "维持年限超过10年", "质押融资金额超过1000万元"]
CONTACTS = ["王明", "李华", "张伟", "刘洋", "陈静", "杨帆", "赵磊", "孙丽", "周涛", "吴倩"]
STREETS = ["硅谷大街", "前进大街", "卫星路", "飞跃路", "超群街", "锦湖大路", "长江路", "解放大路", "人民大街", "建设街"]
RETURN_REASONS = ["请补充高价值知识产权的认定依据(专利证书及评价报告)。", "研发费用与税务数据不一致,请核实后重新提交。",
                  "盖章推荐函不清晰,请重新上传。"]
REJECT_REASONS = ["经核查,企业近三年存在严重失信行为,不予受理。", "不符合“四科”标准:科技人员占比未超过60%。"]
OTHER_IP_KINDS = [IPItem.Kind.UTILITY, IPItem.Kind.SOFTWARE, IPItem.Kind.UTILITY, IPItem.Kind.DESIGN]
TRANSFER_KINDS = list(Transfer.Kind)
YUAN = Decimal("0.01")


def _money(value):
    return Decimal(value).quantize(YUAN, rounding=ROUND_HALF_UP)


def _uscc(rng, division, used):
    while True:
        first17 = "91" + division + "MA" + "".join(rng.choice(ALPHABET) for _ in range(7))
        code = first17 + check_character(first17)
        if code not in used:
            used.add(code)
            return code


def plan_region(region, *, year, used_usccs):
    """The region's demo enterprises as plain dicts, the same every time."""
    rng = random.Random(f"pojian-demo-enterprises-{region.code}")
    city = CITY.get(region.code, region.name[:2])
    words = rng.sample(WORDS, k=len(WORDS))
    plans = []
    for i in range(PER_REGION):
        field = FIELDS[(i + rng.randrange(len(FIELDS))) % len(FIELDS)]
        failure = FAILURES.get(i)
        revenue = _money(rng.randrange(8_000, 150_000) * 1000)
        employees = rng.randrange(40, 400)
        tech_share = Decimal(rng.randrange(62, 86)) / 100
        rd_share = Decimal(rng.randrange(70, 160)) / 1000
        high_value, other_ip, transfers = rng.randrange(3, 7), rng.randrange(0, 4), rng.randrange(3, 5)
        products = rng.randrange(1, 3)
        registered_year = year
        if failure == "revenue":
            revenue = _money(rng.randrange(230_000, 260_000) * 1000)
        elif failure == "employees":
            employees = 520
        elif failure == "tech_staff_ratio":
            employees, tech_share = 100, Decimal("0.60")
        elif failure == "rd_intensity":
            rd_share = Decimal("0.06")
        elif failure == "ip_and_transfers":
            high_value, transfers = 3, 2
        elif failure == "core_tech_product":
            products = 0
        elif failure == "registered":
            registered_year = year - 1
        elif failure == "tax_rd":
            rd_share = Decimal("0.065")
        tech_staff = int((employees * tech_share).to_integral_value(rounding=ROUND_HALF_UP))
        figures = {
            "revenue": revenue, "rd_expense": _money(revenue * rd_share),
            "total_assets": _money(revenue * Decimal(rng.randrange(80, 220)) / 100),
            "employees": employees, "tech_staff": tech_staff,
        }
        tax = {}
        if i in TAX_DIFFERS:
            tax = {
                "revenue_tax": _money(revenue * Decimal(rng.randrange(960, 1000)) / 1000),
                "rd_expense_tax": figures["rd_expense"],
                "total_assets_tax": _money(figures["total_assets"] * Decimal(rng.randrange(1000, 1080)) / 1000),
                "employees_tax": max(1, employees - rng.randrange(0, 3)),
            }
            if failure == "tax_rd":
                tax["revenue_tax"] = _money(revenue * Decimal("1.15"))  # 6.5 % declared, about 5.65 % on tax revenue
        high_tech = rng.random() < 0.4
        plans.append({
            "index": i,
            "failure": failure,
            "enterprise": {
                "name": f"{city}{words[i % len(words)]}{field[0]}有限公司" if i < len(words)
                else f"{city}{words[i % len(words)]}{field[0]}{i}有限公司",
                "uscc": _uscc(rng, region.code, used_usccs),
                "address": f"{region.name}{rng.choice(STREETS)}{rng.randrange(1, 3000)}号",
                "industry": field[1],
                "contact_person": rng.choice(CONTACTS),
                "contact_phone": f"1{rng.choice('35789')}{rng.randrange(10**8, 10**9)}",
                "founded_on": datetime.date(rng.randrange(2005, year - 1), rng.randrange(1, 13), rng.randrange(1, 29)),
                "is_high_tech": high_tech,
                "high_tech_cert_no": f"GR{year - rng.randrange(0, 3)}22{rng.randrange(100000, 999999)}" if high_tech else "",
                "high_tech_cert_expires": datetime.date(year + rng.randrange(0, 3), 12, 31) if high_tech else None,
            },
            "figures": {**figures, **tax},
            "registration": (registered_year, f"{registered_year}{region.code}A{rng.randrange(10**6, 10**7)}"),
            "ip": [
                # The default rulebook counts valid invention patents as high-value; the others are listed, not counted.
                {"kind": IPItem.Kind.INVENTION if k < high_value else OTHER_IP_KINDS[(k + i) % len(OTHER_IP_KINDS)],
                 "number": f"ZL{year - 1 - k % 4}{rng.randrange(10**7, 10**8)}.{rng.randrange(10)}",
                 "title": rng.choice(IP_TITLES).format(t=field[3]),
                 "granted_on": datetime.date(year - 1 - k % 4, rng.randrange(1, 13), rng.randrange(1, 29)),
                 "high_value": k < high_value,
                 "high_value_reason": rng.choice(HIGH_VALUE_REASONS) if k < high_value else ""}
                for k in range(high_value + other_ip)
            ],
            "transfers": [
                {"kind": TRANSFER_KINDS[(k + i) % len(TRANSFER_KINDS)], "contract_no": f"JS{year - 1}{rng.randrange(10**5, 10**6)}",
                 "amount": _money(rng.randrange(50, 3000) * 1000),
                 "date": datetime.date(year - 1, rng.randrange(1, 13), rng.randrange(1, 29))}
                for k in range(transfers)
            ],
            "products": [
                {"name": f"{field[2]}{'ⅠⅡⅢ'[k]}型", "key_technology": field[3],
                 "evidence": rng.choice(["省级新产品鉴定证书", "第三方检测报告", "首台(套)重大技术装备认定", "用户应用证明"])}
                for k in range(products)
            ],
        })
    return plans


def seed(*, cycle, stdout=None):
    year = cycle.year
    figures_year = figures_year_for(year)  # the fiscal year the rulebook judges on (the year before)
    tz = ZoneInfo(settings.TIME_ZONE)
    used = set(Enterprise.objects.values_list("uscc", flat=True))
    regions = list(Region.objects.nominating().filter(active=True).order_by("sort_order", "code"))
    bureaus = {}
    for user in User.objects.filter(role=User.Role.BUREAU, region__in=regions).order_by("pk"):
        bureaus.setdefault(user.region_id, user)
    plans_by_region = {r.pk: plan_region(r, year=year, used_usccs=set()) for r in regions}

    # Enterprises first (what exists is left alone), then everything of the new ones.
    existing = set(Enterprise.objects.filter(
        uscc__in=[p["enterprise"]["uscc"] for plans in plans_by_region.values() for p in plans]
    ).values_list("uscc", flat=True))
    new = [(region, p) for region in regions for p in plans_by_region[region.pk]
           if p["enterprise"]["uscc"] not in existing and p["enterprise"]["uscc"] not in used]
    Enterprise.objects.bulk_create([Enterprise(region=region, **p["enterprise"]) for region, p in new])
    ids = dict(Enterprise.objects.filter(uscc__in=[p["enterprise"]["uscc"] for _r, p in new]).values_list("uscc", "pk"))
    tax_time = datetime.datetime(year, 6, 30, 10, 0, tzinfo=tz)
    years, registrations, ip_items, transfers, products = [], [], [], [], []
    for _region, p in new:
        eid = ids[p["enterprise"]["uscc"]]
        figures = p["figures"]
        years.append(EnterpriseYear(enterprise_id=eid, year=figures_year, tax_imported_at=tax_time if "revenue_tax" in figures
                                    else None, **figures))
        reg_year, number = p["registration"]
        registrations.append(Registration(enterprise_id=eid, year=reg_year, number=number))
        ip_items += [IPItem(enterprise_id=eid, **row) for row in p["ip"]]
        transfers += [Transfer(enterprise_id=eid, **row) for row in p["transfers"]]
        products += [CoreProduct(enterprise_id=eid, **row) for row in p["products"]]
    EnterpriseYear.objects.bulk_create(years)
    Registration.objects.bulk_create(registrations)
    IPItem.objects.bulk_create(ip_items)
    Transfer.objects.bulk_create(transfers)
    CoreProduct.objects.bulk_create(products)

    # Nominations of the first enterprises of each region, one per enterprise and year.
    wanted = {p["enterprise"]["uscc"]: (region, p) for region in regions for p in plans_by_region[region.pk][:NOMINATED]}
    enterprise_ids = dict(Enterprise.objects.filter(uscc__in=wanted).values_list("uscc", "pk"))
    nominated = set(EnterpriseNomination.objects.filter(cycle=cycle, enterprise_id__in=enterprise_ids.values())
                    .values_list("enterprise_id", flat=True))
    opens = cycle.nomination_opens
    nominations = []
    for uscc, (region, p) in wanted.items():
        eid = enterprise_ids.get(uscc)
        bureau = bureaus.get(region.pk)
        if eid is None or eid in nominated or bureau is None:
            continue
        i = p["index"]
        state = STATES[i % len(STATES)]
        reason = ""
        if state == NominationState.RETURNED:
            reason = RETURN_REASONS[(i + region.sort_order) % len(RETURN_REASONS)]
        elif state == NominationState.REJECTED:
            reason = REJECT_REASONS[(i + region.sort_order) % len(REJECT_REASONS)]
        elif state == NominationState.WITHDRAWN:
            reason = "企业申请撤回推荐。"
        submitted = state not in (NominationState.DRAFT,)
        decided = state in (NominationState.RETURNED, NominationState.ACCEPTED, NominationState.REJECTED)
        nominations.append(EnterpriseNomination(
            cycle=cycle, region=region, enterprise_id=eid, created_by=bureau, state=state, state_reason=reason,
            recommendation=f"{p['enterprise']['name']}研发投入持续增长,拥有{len(p['ip'])}项知识产权,"
                           f"核心产品{'、'.join(x['name'] for x in p['products']) or '正在研制'},推荐参加“破茧成蝶”专项行动。",
            submitted_at=opens + datetime.timedelta(days=3 + i) if submitted else None,
            decided_at=opens + datetime.timedelta(days=10 + i) if decided else None,
        ))
    office = User.objects.filter(role=User.Role.OFFICE).order_by("pk").first()
    bulk_create_with_history(nominations, EnterpriseNomination, default_user=office, default_change_reason="demo")

    demo_nominations = EnterpriseNomination.objects.filter(cycle=cycle, enterprise_id__in=enterprise_ids.values())
    summary = checks.check_nominations(demo_nominations.exclude(state=NominationState.WITHDRAWN), year=year)
    gate_demo_acceptances(demo_nominations, office=office)
    if stdout:
        stdout.write(
            f"enterprises: {len(new)} new enterprises, {len(nominations)} new nominations, "
            f"{summary.checked} checked ({summary.eligible} meet the 四科 standard)"
        )
    previous = Cycle.objects.filter(year=year - 1).first()
    if previous is not None and office is not None:
        made, selected = seed_earlier_year(previous, regions=regions, plans_by_region=plans_by_region,
                                           bureaus=bureaus, office=office)
        if stdout:
            stdout.write(f"enterprises: {previous.year}: {made} new nominations, {selected} selected; year closed")
    made = seed_county_nominations(cycle, plans_by_region=plans_by_region, bureaus=bureaus)
    if stdout and made:
        stdout.write(f"enterprises: {made} new nominations prepared by the county-{COUNTY_DEMO} bureau")
    # The cultivation pool (培育库): enterprises over three fiscal years with tier moves, then the backfill.
    from . import demo_pool

    demo_pool.seed(cycle=cycle, stdout=stdout)


# A county bureau (双阳区, under 长春; its account `county-220112` is the core demo's) prepares nominations
# of 长春 enterprises the city did not nominate, one in each county step: (index in 长春's plan, step, reason).
COUNTY_DEMO = "220112"
COUNTY_STEPS = [
    (NOMINATED, "prepared", ""),
    (NOMINATED + 1, "forwarded", ""),
    (NOMINATED + 2, "returned", "请补充企业近三年研发费用辅助账和核心产品的销售合同。"),
    (NOMINATED + 3, "submitted", ""),  # forwarded, then submitted to the province by the city
]


def seed_county_nominations(cycle, *, plans_by_region, bureaus):
    """The county steps with real history and notifications (enterprises.domain.county): prepared by the
    county bureau, forwarded to its city's bureau, returned by the city with a reason, submitted by the
    city to the province. Returns how many were made (none when they exist, or without the county's or
    the city's account)."""
    from pojian.domain.workflow import transition

    from .domain import county as county_steps

    county_user = (User.objects.filter(username=f"county-{COUNTY_DEMO}", role=User.Role.COUNTY)
                   .select_related("region").first())
    city = county_user.region.parent if county_user else None
    city_bureau = bureaus.get(city.pk) if city else None
    if city_bureau is None or city.pk not in plans_by_region:
        return 0
    plans, made = plans_by_region[city.pk], []
    for index, step, reason in COUNTY_STEPS:
        enterprise = Enterprise.objects.filter(uscc=plans[index]["enterprise"]["uscc"]).first()
        if enterprise is None or EnterpriseNomination.objects.filter(cycle=cycle, enterprise=enterprise).exists():
            continue
        nomination = EnterpriseNomination(
            cycle=cycle, region=city, county=county_user.region, enterprise=enterprise, created_by=county_user,
            state=NominationState.DRAFT,
            recommendation=f"{enterprise.name}位于{county_user.region.name}，研发投入持续增长，推荐参加“破茧成蝶”专项行动。")
        nomination._history_user, nomination._change_reason = county_user, "demo"
        nomination.save()
        if step != "prepared":
            county_steps.forward_to_city(nomination, by=county_user)
        if step == "returned":
            county_steps.return_to_county(nomination, by=city_bureau, reason=reason)
        elif step == "submitted":
            transition(nomination, "submit", by=city_bureau)
        made.append(nomination.pk)
    if made:
        checks.check_nominations(EnterpriseNomination.objects.filter(pk__in=made), year=cycle.year)
    return len(made)


DEMO_OVERRIDES = 2
DEMO_OVERRIDE_REASON = "企业已提交补充材料，经省科技厅办公室核实后同意受理，评审中予以复核。"


def gate_demo_acceptances(nominations, *, office):
    """The gate before acceptance holds in the demo too (enterprises.domain.gate).

    Of the accepted nominations that fail the 四科 check, the first DEMO_OVERRIDES carry an override
    with its reason (so the badge and the count show); the others go back to awaiting the office's
    decision, as the office could not have accepted them.
    """
    from django.utils import timezone

    failing = list(nominations.filter(state=NominationState.ACCEPTED, verdict__eligible=False,
                                      gate_override_at__isnull=True).order_by("pk").values_list("pk", flat=True))
    if not failing or office is None:
        return
    with_override, back = failing[:DEMO_OVERRIDES], failing[DEMO_OVERRIDES:]
    for n in EnterpriseNomination.objects.filter(pk__in=with_override).select_related("verdict"):
        EnterpriseNomination.objects.filter(pk=n.pk).update(
            gate_override_reason=DEMO_OVERRIDE_REASON, gate_override_by=office, gate_override_at=timezone.now(),
            gate_override_failed=n.verdict.failed,
        )
    EnterpriseNomination.objects.filter(pk__in=back).update(state=NominationState.SUBMITTED, decided_at=None)


def seed_earlier_year(previous, *, regions, plans_by_region, bureaus, office):
    """Last year's nominations through their whole life, then the year closed (read-only).

    The later enterprises of each region were nominated last year, with that year's registration and
    (slightly smaller) figures, checked by the real 四科 check; those failing it were rejected, the others
    accepted and reviewed, and the province's best `enterprise_quota` (about 60) selected, the rest not.
    The states are written directly (demo data; a closed year takes no transitions), with history.
    Returns (new nominations, of which selected). Only enterprises not yet nominated that year are added.
    """
    year = previous.year
    tz = ZoneInfo(settings.TIME_ZONE)
    wanted = [(region, p) for region in regions for p in plans_by_region[region.pk][EARLIER_FROM:]]
    ids = dict(Enterprise.objects.filter(uscc__in=[p["enterprise"]["uscc"] for _r, p in wanted]).values_list("uscc", "pk"))
    done = set(EnterpriseNomination.objects.filter(cycle=previous, enterprise_id__in=ids.values())
               .values_list("enterprise_id", flat=True))
    wanted = [(region, p, ids[p["enterprise"]["uscc"]]) for region, p in wanted
              if p["enterprise"]["uscc"] in ids and ids[p["enterprise"]["uscc"]] not in done and region.pk in bureaus]
    if wanted:
        eids = [eid for _r, _p, eid in wanted]
        figures_year = figures_year_for(year)
        have_figures = set(EnterpriseYear.objects.filter(year=figures_year, enterprise_id__in=eids)
                           .values_list("enterprise_id", flat=True))
        have_registration = set(Registration.objects.filter(year=year, enterprise_id__in=eids)
                                .values_list("enterprise_id", flat=True))
        EnterpriseYear.objects.bulk_create([
            EnterpriseYear(enterprise_id=eid, year=figures_year, **{k: _money(v * EARLIER_SHRINK) if k in checks.MONEY else v
                                                           for k, v in p["figures"].items() if k in checks.FIGURES})
            for _r, p, eid in wanted if eid not in have_figures
        ])
        Registration.objects.bulk_create([
            Registration(enterprise_id=eid, year=year, number=f"{year}{region.code}A{p['registration'][1][-7:]}")
            for region, p, eid in wanted if eid not in have_registration
        ])
        opens = previous.nomination_opens
        bulk_create_with_history(
            [EnterpriseNomination(
                cycle=previous, region=region, enterprise_id=eid, created_by=bureaus[region.pk],
                state=NominationState.SUBMITTED,
                recommendation=f"{p['enterprise']['name']}创新能力突出,推荐参加{year}年度“破茧成蝶”专项行动。",
                submitted_at=opens + datetime.timedelta(days=5 + p["index"]),
            ) for region, p, eid in wanted],
            EnterpriseNomination, default_user=office, default_change_reason="demo",
            default_date=opens + datetime.timedelta(days=30),
        )
    created = EnterpriseNomination.objects.filter(cycle=previous, enterprise_id__in=[eid for *_x, eid in wanted])
    if wanted:
        checks.check_nominations(created, year=year)
    new = list(created.select_related("enterprise", "verdict").order_by("enterprise__uscc"))
    selected = 0
    if new:
        accepted_at = previous.nomination_closes + datetime.timedelta(days=10)
        decided_at = datetime.datetime(year, 9, 20, 10, 0, tzinfo=tz)
        rng = random.Random(f"pojian-demo-earlier-year-{year}")
        scores = {}
        for n in new:
            if n.verdict.eligible:
                scores[n.pk] = Decimal(rng.randrange(6000, 9600)) / 100
            else:
                n.state, n.decided_at = NominationState.REJECTED, accepted_at
                n.state_reason = "不符合“四科”标准:" + "、".join(CRITERIA_ZH.get(c, c) for c in n.verdict.failed) + "。"
        ranked = sorted((n for n in new if n.pk in scores), key=lambda n: (-scores[n.pk], n.enterprise.uscc))
        for rank, n in enumerate(ranked, start=1):
            n.state = NominationState.SELECTED if rank <= previous.enterprise_quota else NominationState.NOT_SELECTED
            n.decided_at, n.state_reason = decided_at, ""
            selected += n.state == NominationState.SELECTED
        bulk_update_with_history(new, EnterpriseNomination, ["state", "state_reason", "decided_at"],
                                 default_user=office, default_change_reason="demo", default_date=decided_at)
        _earlier_round(previous, ranked, scores, office=office, at=decided_at)
    if not previous.is_closed:
        close_cycle(previous, by=office)
    return len(new), selected


def _earlier_round(previous, ranked, scores, *, office, at):
    """Last year's enterprise review, closed with its results confirmed (so the public page lists them).

    The review app's models are looked up by name; without that app, last year has no round.
    """
    try:
        Round, ReviewItem = apps.get_model("reviews", "Round"), apps.get_model("reviews", "ReviewItem")
    except LookupError:
        return
    from django.contrib.contenttypes.models import ContentType

    round_, _created = Round.objects.get_or_create(
        cycle=previous, kind="enterprises",
        defaults={"title": f"{previous.year}年度科技型中小微企业评审", "phase": "closed",
                  "scoring_opens": at - datetime.timedelta(days=40), "scoring_closes": at - datetime.timedelta(days=20),
                  "closed_at": at - datetime.timedelta(days=20), "assignment_confirmed_at": at - datetime.timedelta(days=41),
                  "ranked_at": at - datetime.timedelta(days=19), "results_confirmed_at": at,
                  "results_confirmed_by": office},
    )
    ct = ContentType.objects.get_for_model(EnterpriseNomination)
    start = (ReviewItem.objects.filter(round=round_).aggregate(m=Max("rank"))["m"] or 0)
    items = []
    for rank, n in enumerate(ranked, start=start + 1):
        chosen = n.state == NominationState.SELECTED
        items.append(ReviewItem(
            round=round_, content_type=ct, object_id=n.pk, nominee_name=n.enterprise.name,
            nominee_uscc=n.enterprise.uscc, region_id=n.region_id, industry=n.enterprise.industry,
            submitted_at=n.submitted_at, aggregate=scores[n.pk], review_count=5,
            recommend_count=(4 + rank % 2) if chosen else rank % 3, rank=rank, selected=chosen,
        ))
    ReviewItem.objects.bulk_create(items)
