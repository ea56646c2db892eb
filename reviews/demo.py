"""Demo data for the expert review: an expert pool, this year's enterprise round in the scoring
phase with assignments (expert-1 has several, some done), scores, and one detected conflict.

Runs after the enterprises' demo. If the year has no accepted enterprise nominations yet, a
dozen demo ones are made here (only then). Safe to run twice: an existing round is left alone.
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from enterprises.models import Enterprise, EnterpriseNomination, EnterpriseYear, Industry
from pojian.domain.uscc import check_character
from pojian.models import NominationState, Region, User

from .domain import assignment as assign_domain
from .domain import rounds, scoring
from .models import Assignment, Conflict, Criterion, Expert, Review, Round

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程"
GIVEN = ["建国", "海涛", "丽华", "志强", "晓明", "春梅", "立新", "文静", "国庆", "红霞", "永刚", "秀英", "德胜", "玉兰", "振华"]
UNITS = [
    ("吉林大学", "教授"), ("东北师范大学", "教授"), ("长春理工大学", "教授"), ("中国科学院长春光学精密机械与物理研究所", "研究员"),
    ("中国科学院长春应用化学研究所", "研究员"), ("吉林农业大学", "教授"), ("长春工业大学", "副教授"), ("北华大学", "教授"),
    ("吉林省科学技术信息研究所", "研究员"), ("吉林省产业技术研究院", "高级工程师"), ("中国第一汽车集团有限公司技术中心", "正高级工程师"),
    ("吉林银行科技金融事业部", "高级经济师"), ("吉林省会计师协会", "注册会计师"), ("延边大学", "教授"), ("长春中医药大学", "教授"),
]
POOL_SIZE = 30
DEMO_ENTERPRISES = [
    ("长春光华微电子设备工程中心有限公司", "220100", "electronics"),
    ("吉林省英华恒瑞生物科技有限公司", "220100", "biomedicine"),
    ("长春禹衡光学有限公司", "220100", "aerospace"),
    ("吉林省中科聚合工程塑料有限公司", "220100", "materials"),
    ("吉林市江机民科实业有限公司", "220200", "manufacturing"),
    ("吉林奥来德光电材料股份有限公司", "220200", "materials"),
    ("四平市精细化学品有限公司", "220300", "materials"),
    ("通化东宝五药有限公司", "220500", "biomedicine"),
    ("白山市喜丰塑业有限公司", "220600", "environment"),
    ("松原市天龙农业科技有限公司", "220700", "agriculture"),
    ("延边长白山软件信息技术有限公司", "222400", "software"),
    ("长春捷翼汽车零部件有限公司", "220100", "automotive"),
]


def _log(stdout, text):
    if stdout:
        stdout.write(text)


def _uscc(n):
    first17 = f"91220000MA{n:07d}"
    return first17 + check_character(first17)


def _demo_nominations(cycle, stdout):
    """A dozen accepted enterprise nominations, made only when the year has none."""
    now = timezone.now()
    made = 0
    for k, (name, code, industry) in enumerate(DEMO_ENTERPRISES, start=1):
        region = Region.objects.filter(code=code).first() or Region.objects.first()
        bureau = User.objects.filter(role=User.Role.BUREAU, region=region).first()
        if region is None or bureau is None:
            continue
        enterprise, _ = Enterprise.objects.get_or_create(
            uscc=_uscc(4200 + k), defaults={"name": name, "region": region, "industry": industry},
        )
        revenue = Decimal(20_000_000 + 3_500_000 * k)
        EnterpriseYear.objects.get_or_create(
            enterprise=enterprise, year=cycle.year,
            defaults={"revenue": revenue, "rd_expense": (revenue * Decimal("0.07") + 100_000 * (k % 4)).quantize(Decimal("0.01")),
                      "employees": 80 + 10 * k, "tech_staff": 60 + 8 * k},
        )
        _, created = EnterpriseNomination.objects.get_or_create(
            cycle=cycle, enterprise=enterprise,
            defaults={"region": region, "created_by": bureau, "state": NominationState.ACCEPTED,
                      "submitted_at": now - timedelta(days=40 - k), "decided_at": now - timedelta(days=20),
                      "recommendation": "该企业研发投入强度高,成果转化成效明显。"},
        )
        made += created
    # These demo enterprises have figures only: the 四科 check fails them, and the gate before
    # acceptance (enterprises.domain.gate) lets them into the round only with an override.
    from enterprises.domain import checks

    demo = EnterpriseNomination.objects.filter(cycle=cycle, enterprise__uscc__in=[_uscc(4200 + k) for k in
                                                                                range(1, len(DEMO_ENTERPRISES) + 1)])
    checks.check_nominations(demo, year=cycle.year)
    office = User.objects.filter(role=User.Role.OFFICE).order_by("pk").first()
    demo.filter(verdict__eligible=False, gate_override_at__isnull=True).update(
        gate_override_reason="评审演示数据：企业仅填报了财务数据，经办公室同意进入评审演示。", gate_override_by=office,
        gate_override_at=now,
    )
    _log(stdout, f"reviews: no accepted enterprise nominations for {cycle.year}; made {made} demo ones")


_HASH = []


def _expert_user(i):
    user, created = User.objects.get_or_create(
        username=f"expert-{i}",
        defaults={"role": User.Role.EXPERT, "full_name": f"评审专家{i}", "email": f"expert-{i}@example.gov.cn"},
    )
    if created:
        # Hashing is slow on purpose; the demo accounts share one hash of the demo password.
        if not _HASH:
            _HASH.append(make_password(settings.DEMO_PASSWORD))
        user.password = _HASH[0]
        user.save(update_fields=["password"])
    return user


def _pool(rng, conflict_unit):
    regions = list(Region.objects.nominating())
    fields = [c for c in Industry.values if c != "other"]
    experts = []
    for i in range(1, POOL_SIZE + 1):
        user = _expert_user(i)
        existing = Expert.objects.filter(user=user).first()
        if existing:
            experts.append(existing)
            continue
        unit, title = UNITS[(i - 1) % len(UNITS)]
        name = user.full_name if i <= 5 else SURNAMES[i % len(SURNAMES)] + GIVEN[i % len(GIVEN)]
        if i == POOL_SIZE and conflict_unit:
            unit, title = conflict_unit, "总工程师"  # works at a nominee: detected as a conflict
        expertise = ["software", "electronics"] if i == 1 else rng.sample(fields, rng.randint(1, 3))
        experts.append(Expert.objects.create(
            name=name, user=user, unit_name=unit, title=title, expertise=expertise,
            region=regions[i % len(regions)] if regions else None, phone=f"1390431{i:04d}",
            email=user.email,
        ))
    return experts


def _variant(name):
    """The same company written another way (full-width brackets, spaces, other suffix)."""
    for suffix in ("股份有限公司", "有限责任公司", "有限公司"):
        if name.endswith(suffix):
            return name[: -len(suffix)] + " 有限责任公司"
    return name + "（有限公司）"


def _score(rng, assignment, user, criteria, *, submit, bias):
    values = {}
    for c in criteria:
        share = min(Decimal(1), max(Decimal("0.3"), Decimal(str(rng.uniform(0.55, 0.95))) + bias))
        values[c.pk] = {"value": (c.max_score * share).quantize(Decimal("1")), "comment": ""}
    rec = rng.choice([Review.Recommendation.RECOMMEND, Review.Recommendation.RECOMMEND, Review.Recommendation.NEUTRAL,
                      Review.Recommendation.NOT_RECOMMEND])
    scoring.save_review(assignment=assignment, by=user, scores=values, recommendation=rec,
                        comment="技术先进,市场前景良好,建议关注研发投入的持续性。")
    if submit:
        scoring.submit_review(assignment=assignment, by=user)


def seed(*, cycle, stdout=None):
    if Round.objects.filter(cycle=cycle, kind=Round.Kind.ENTERPRISES).exists():
        _log(stdout, "reviews: demo round exists, left alone")
        return
    office = User.objects.filter(username="office").first() or User.objects.filter(role=User.Role.OFFICE).first()
    if office is None:
        return
    rng = random.Random(2022_11_30)
    accepted = EnterpriseNomination.objects.filter(cycle=cycle, state=NominationState.ACCEPTED)
    if not accepted.exists():
        _demo_nominations(cycle, stdout)
    nominees = list(accepted.select_related("enterprise").order_by("pk"))
    if not nominees:
        _log(stdout, "reviews: no nominations to review")
        return
    # The last expert works at the second nominee (its name written differently): a detected conflict.
    conflict_unit = _variant(nominees[min(1, len(nominees) - 1)].enterprise.name)
    experts = _pool(rng, conflict_unit)

    n = 3 if len(nominees) < 40 else 5
    round_ = rounds.create_round(cycle=cycle, kind=Round.Kind.ENTERPRISES, by=office, title="",
                                 experts_per_item=n, max_load=max(6, -(-len(nominees) * n // (len(experts) - 5)) + 3),
                                 aggregation=Round.Aggregation.TRIMMED_MEAN, notice_days=5,
                                 scoring_closes=timezone.now() + timedelta(days=21))
    rounds.populate_round(round_=round_, by=office)
    assign_domain.propose_assignment(round_=round_, by=office)

    # expert-1 gets several nominations (within the maximum load), taken over from others.
    first = experts[0]
    want = min(6, round_.items.count(), round_.max_load)
    for a in Assignment.objects.filter(item__round=round_, state=Assignment.State.PROPOSED).exclude(expert=first).order_by("item_id"):
        have = Assignment.objects.filter(item__round=round_, expert=first, state=Assignment.State.PROPOSED).count()
        if have >= want:
            break
        if Assignment.objects.filter(item=a.item, expert=first).exclude(state=Assignment.State.WITHDRAWN).exists():
            continue
        try:
            assign_domain.reassign(assignment=a, expert=first, by=office, reason="演示:调整分配")
        except Exception:  # noqa: BLE001 - a conflict or load limit just skips this one in the demo
            continue
    assign_domain.confirm_assignment(round_=round_, by=office)
    rounds.open_scoring(round_=round_, by=office, closes=timezone.now() + timedelta(days=14))

    criteria = list(Criterion.objects.filter(sheet__round=round_))
    mine = list(Assignment.objects.filter(item__round=round_, expert=first, state=Assignment.State.CONFIRMED).order_by("item_id"))
    for k, a in enumerate(mine[:3]):
        _score(rng, a, first.user, criteria, submit=k < 2, bias=Decimal(0))  # two submitted, one draft
    # The others: most reviews in, a few still to do.
    for a in Assignment.objects.filter(item__round=round_, state=Assignment.State.CONFIRMED).exclude(expert=first).select_related(
        "expert__user"
    ).order_by("pk"):
        if rng.random() < 0.75:
            bias = Decimal(str((a.expert_id % 5 - 2) * 0.04))  # some experts harsher, some kinder
            _score(rng, a, a.expert.user, criteria, submit=True, bias=bias)
    conflicts = Conflict.objects.filter(source=Conflict.Source.DETECTED).count()
    _log(stdout, f"reviews: {len(experts)} experts, round with {round_.items.count()} nominations in scoring, "
                 f"{Assignment.objects.filter(item__round=round_, progress=Assignment.Progress.SUBMITTED).count()} reviews in, "
                 f"{conflicts} detected conflict(s)")
