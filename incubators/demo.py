"""Demo incubators and maker spaces: a few per region, tenants, nominations in several states and
last years' post-subsidies (so the rolling history shows). Deterministic and safe to run twice:
every row is looked up by its natural key and only created when missing.
"""

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from enterprises.models import Enterprise
from pojian.domain.pdf import minimal_pdf
from pojian.domain.uscc import check_character
from pojian.models import Cycle, NominationState, Region, User

from .models import Incubator, IncubatorNomination, IncubatorYear, PostSubsidy, PostSubsidyPublication, Tenancy

S = NominationState
INC, M = Incubator.Kind.INCUBATOR, Incubator.Kind.MAKER_SPACE
NAT, PROV, CITY, NONE = (Incubator.Level.NATIONAL, Incubator.Level.PROVINCIAL, Incubator.Level.CITY,
                         Incubator.Level.NONE)

# region code: [(name, kind, level, certificate year, operator, address)]
INCUBATORS = {
    "220100": [
        ("长春北湖科技园孵化器", INC, NAT, 2016, "长春北湖科技开发有限公司", "长春市北湖科技开发区盛北大街3333号"),
        ("长春高新创业服务中心", INC, NAT, 2001, "长春高新技术产业开发区创业服务中心", "长春市高新区硅谷大街3055号"),
        ("启迪之星(长春)众创空间", M, NAT, 2017, "长春启迪科技园发展有限公司", "长春市净月区福祉大路1666号"),
    ],
    "220200": [
        ("吉林高新区科技创业服务中心", INC, NAT, 2005, "吉林高新技术产业开发区管理委员会", "吉林市高新区深圳街17号"),
        ("吉林化工园区创新孵化基地", INC, PROV, 2019, "吉林化学工业循环经济示范园区管委会", "吉林市龙潭区遵义东路55号"),
        ("吉林市北山创客空间", M, PROV, 2020, "吉林市北山文化科技有限公司", "吉林市船营区北山路8号"),
    ],
    "220300": [
        ("四平红嘴科技企业孵化器", INC, PROV, 2018, "四平红嘴经济技术开发区管委会", "四平市红嘴开发区紫气大路1号"),
        ("四平市大学生创业园众创空间", M, CITY, 2021, "吉林师范大学", "四平市铁西区海丰大街1301号"),
    ],
    "220400": [
        ("辽源经济开发区科技企业孵化器", INC, PROV, 2017, "辽源经济开发区管理委员会", "辽源市西安区友谊路88号"),
        ("辽源东北袜业园众创空间", M, PROV, 2019, "吉林东北袜业纺织工业园发展有限公司", "辽源市龙山区袜业园路1号"),
    ],
    "220500": [
        ("通化医药高新区科技企业孵化器", INC, NAT, 2019, "通化医药高新技术产业开发区管委会", "通化市东昌区滨江东路1号"),
        ("通化市创新创业众创空间", M, CITY, 2020, "通化市创业服务中心", "通化市东昌区新华大街66号"),
    ],
    "220600": [
        ("白山市科技企业孵化中心", INC, PROV, 2018, "白山市科技创业服务有限公司", "白山市浑江区浑江大街22号"),
        ("白山长白山矿泉水创客空间", M, NONE, None, "白山市矿泉水产业发展有限公司", "白山市抚松县矿泉城路9号"),
    ],
    "220700": [
        ("松原市科技企业孵化器", INC, PROV, 2016, "松原市科技创业服务中心", "松原市宁江区沿江东路1888号"),
        ("松原前郭众创空间", M, CITY, 2022, "前郭尔罗斯蒙古族自治县创业服务中心", "松原市前郭县乌兰大街6号"),
    ],
    "220800": [
        ("白城工业园区科技企业孵化器", INC, PROV, 2019, "白城工业园区管理委员会", "白城市洮北区经济开发区1号"),
        ("白城师范学院大学生众创空间", M, PROV, 2020, "白城师范学院", "白城市洮北区中兴西大路57号"),
    ],
    "222400": [
        ("延吉高新区科技企业孵化器", INC, NAT, 2012, "延吉高新技术产业开发区管理委员会", "延吉市长白山东路8888号"),
        ("延边大学科技园众创空间", M, NAT, 2016, "延边大学科技园发展有限公司", "延吉市公园路977号"),
    ],
    "229901": [
        ("长白山池北创新创业孵化基地", INC, NONE, None, "长白山保护开发区池北区管委会", "长白山池北区白山大街5号"),
    ],
    "229902": [
        ("长春新区光电信息产业孵化器", INC, NAT, 2018, "长春新区科技创新服务有限公司", "长春新区长德路2299号"),
        ("长春新区双创示范基地众创空间", M, NAT, 2019, "长春新区创业服务中心", "长春新区硅谷大街4567号"),
    ],
    "229903": [
        ("中韩示范区国际科技孵化中心", INC, PROV, 2022, "中韩(长春)国际合作示范区开发建设有限公司", "长春市九台区中韩大街1号"),
    ],
    "220581": [
        ("梅河口市医药健康产业孵化器", INC, PROV, 2021, "梅河口市医药产业发展有限公司", "梅河口市新华大街168号"),
        ("梅河口青年创业众创空间", M, NONE, None, "共青团梅河口市委员会", "梅河口市解放大街20号"),
    ],
}

# This year's nominations: the region's first incubator in a state that depends on the region's
# position, so every state shows somewhere; 长春 also has a draft for its second one.
CURRENT_STATES = [S.SUBMITTED, S.ACCEPTED, S.RETURNED, S.SUBMITTED, S.ACCEPTED, S.DRAFT, S.REJECTED, S.ACCEPTED,
                  S.SUBMITTED, S.WITHDRAWN, S.ACCEPTED, S.SUBMITTED, S.DRAFT]
REASONS = {S.RETURNED: "请补充在孵企业融资额的统计口径说明。", S.REJECTED: "孵化器未提供盖章推荐函原件,且运营不满一年。"}
# Last year's post-subsidies (yuan) and those of the year before, by region position; None: not supported.
LAST_YEAR = [Decimal("800000"), Decimal("500000"), None, Decimal("300000"), None, Decimal("300000"), None,
             Decimal("500000"), None, None, Decimal("600000"), None, None]
YEAR_BEFORE = [Decimal("600000"), None, None, Decimal("300000"), None, None, None, Decimal("400000"), None, None,
               None, None, None]

LETTER_PATH = "letters/incubators/demo/demo-letter.pdf"
LETTER = minimal_pdf("Recommendation letter - demo")


def uscc_for(region_code, n):
    first17 = f"91{region_code}MA{n:07d}"
    return first17 + check_character(first17)


def _letter():
    if not default_storage.exists(LETTER_PATH):
        default_storage.save(LETTER_PATH, ContentFile(LETTER))
    return LETTER_PATH


def seed(*, cycle, stdout=None):
    year = cycle.year
    last_cycle = Cycle.objects.filter(year=year - 1).first()
    office = User.objects.filter(username="office").first()
    letter = _letter()
    counts = {"incubators": 0, "nominations": 0, "post_subsidies": 0}
    for position, region in enumerate(Region.objects.filter(code__in=INCUBATORS).order_by("sort_order", "code")):
        bureau = User.objects.filter(username=f"bureau-{region.code}").first()
        incubators, new = [], []
        for n, (name, kind, level, level_year, operator, address) in enumerate(INCUBATORS[region.code], start=1):
            incubator, created = Incubator.objects.get_or_create(
                uscc=uscc_for(region.code, n),
                defaults={"name": name, "region": region, "kind": kind, "level": level, "level_year": level_year,
                          "operator": operator, "address": address, "contact_person": "孵化服务部",
                          "contact_phone": f"0431-8{position:02d}{n:02d}000"},
            )
            counts["incubators"] += created
            incubators.append(incubator)
            if created:
                new.append(incubator)
            for y in (year - 1, year):
                IncubatorYear.objects.get_or_create(incubator=incubator, year=y, defaults=_figures(position, n, y, year))
        if new:
            # Only when the incubators are new: enterprises another demo adds later are not linked on a
            # second run, so running seed_demo twice gives identical data.
            _tenants(region, incubators, year, only=set(new))
        if bureau is None:
            continue
        state = CURRENT_STATES[position % len(CURRENT_STATES)]
        # Some regions put forward their maker space this year.
        nominee = incubators[-1] if position % 3 == 2 and len(incubators) > 1 else incubators[0]
        counts["nominations"] += _nomination(cycle, nominee, bureau, state, letter)
        if region.code == "220100" and len(incubators) > 1:
            counts["nominations"] += _nomination(cycle, incubators[1], bureau, S.DRAFT, None)
        if last_cycle is not None and office is not None:
            amount = LAST_YEAR[position % len(LAST_YEAR)]
            last_state = S.SELECTED if amount else S.NOT_SELECTED
            _nomination(last_cycle, incubators[0], bureau, last_state, letter)
            if amount:
                nomination = IncubatorNomination.objects.get(cycle=last_cycle, incubator=incubators[0])
                counts["post_subsidies"] += _subsidy(incubators[0], year - 1, amount, office, nomination, "专家评审入选")
            earlier = YEAR_BEFORE[position % len(YEAR_BEFORE)]
            if earlier:
                counts["post_subsidies"] += _subsidy(incubators[0], year - 2, earlier, office, None, "往年名单")
    if office is not None:
        for y in (year - 2, year - 1):
            if PostSubsidy.objects.filter(year=y).exists():
                PostSubsidyPublication.objects.get_or_create(year=y, defaults={"published_by": office})
    if stdout:
        stdout.write(
            f"incubators: {Incubator.objects.count()} incubators ({counts['incubators']} new), "
            f"{IncubatorNomination.objects.count()} nominations, {PostSubsidy.objects.count()} post-subsidies"
        )


def _figures(position, n, y, year):
    base = 8 + 3 * ((position + n) % 5)
    older = y < year
    return {
        "other_tenants": base - (2 if older else 0),
        "other_tenants_source": "torch" if n == 1 else "declared",
        "other_graduated": 1 + (position + n) % 4,
        "other_graduated_source": "torch" if n == 1 else "declared",
        "investment_raised": Decimal(1_500_000 * (1 + (position + n) % 6)) - (Decimal("300000") if older else 0),
        "investment_raised_source": "audit" if n == 1 else "operator",
        "mentors": 5 + (position * 3 + n) % 12,
        "mentors_source": "operator",
        "space_m2": Decimal(3000 + 1500 * ((position + 2 * n) % 7)),
        "space_m2_source": "torch" if n == 1 else "declared",
        "services": "创业辅导、投融资对接、知识产权代理、政策申报、技术转移对接服务。",
    }


def _tenants(region, incubators, year, only):
    """Link the region's demo enterprises (whatever the enterprises demo made) to its new incubators."""
    enterprises = list(Enterprise.objects.filter(region=region).order_by("uscc")[:12])
    for k, enterprise in enumerate(enterprises):
        if k % 4 == 3:
            continue  # not every enterprise is a tenant
        incubator = incubators[k % len(incubators)]
        if incubator not in only:
            continue
        entered = datetime.date(year - 2 - k % 2, 1 + k % 12, 1)
        graduated = datetime.date(year - 1, 6, 30) if k % 5 == 4 else None
        Tenancy.objects.get_or_create(incubator=incubator, enterprise=enterprise, entered=entered,
                                      defaults={"graduated": graduated})


def _nomination(cycle, incubator, bureau, state, letter):
    nomination = IncubatorNomination.objects.filter(cycle=cycle, incubator=incubator).first()
    if nomination is not None:
        return 0
    now = datetime.datetime(cycle.year, 3, 15, 9, 30, tzinfo=datetime.UTC)
    submitted = state not in (S.DRAFT,)
    decided = state in (S.ACCEPTED, S.REJECTED, S.RETURNED, S.SELECTED, S.NOT_SELECTED)
    IncubatorNomination.objects.create(
        cycle=cycle, region=incubator.region, incubator=incubator, created_by=bureau, state=state,
        state_reason=REASONS.get(state, ""),
        results=(f"{incubator.name}近三年累计孵化科技型中小企业{20 + len(incubator.name)}家,"
                 "其中入库科技型中小企业过半,多家企业获得天使投资,毕业企业成长为高新技术企业。"),
        recommendation="该平台服务体系完善,孵化成效显著,推荐参加“破茧成蝶”孵化强基工程。",
        letter=letter if (letter and state != S.DRAFT) else "",
        submitted_at=now if submitted else None,
        decided_at=now + datetime.timedelta(days=20) if decided else None,
    )
    return 1


def _subsidy(incubator, year, amount, office, nomination, notes):
    _, created = PostSubsidy.objects.get_or_create(
        incubator=incubator, year=year,
        defaults={"amount": amount, "decided_by": office, "nomination": nomination, "notes": notes},
    )
    return int(created)
