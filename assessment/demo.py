"""Demo data for the assessment (runs last in seed_demo): last year's and this year's summaries for
every region, the indicators of both years, the office's typed values, the expert scores of the
summaries, both years computed, last year's published with two bureaus commended.

Deterministic (everything is derived from the region's position and the year) and idempotent:
rows are looked up by their natural keys and created only when missing; an assessment is only
recomputed when its data changed, and last year's is only published once.
"""

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction

from pojian.domain.pdf import minimal_pdf as tiny_pdf
from pojian.models import Cycle, NominationState, Region, User

from .domain import compute, results, sources, summaries
from .models import Assessment, BureauSummary, Indicator, LocalPolicy, OfficeEntry, RegionResult

S = NominationState

# code, name, weight, source, computation, scoring, bands
INDICATORS = [
    ("registered", "科技型中小企业评价入库数量", "20", "computed", "registered", "scaled", []),
    ("cultivated", "新增培育科技型中小企业数量", "10", "computed", "cultivated", "scaled", []),
    ("selected", "入选“破茧成蝶”企业数量", "15", "computed", "enterprises_selected", "bands",
     [{"min": "1", "points": "60"}, {"min": "3", "points": "80"}, {"min": "5", "points": "100"}]),
    ("incubators", "孵化器(众创空间)获得后补助数量", "10", "computed", "incubators_supported", "scaled", []),
    ("investment", "金融投资服务机构投资金额", "10", "computed", "investments_amount", "scaled", []),
    ("policies", "出台地方配套政策数量", "10", "computed", "local_policies", "bands",
     [{"min": "1", "points": "60"}, {"min": "2", "points": "80"}, {"min": "4", "points": "100"}]),
    ("summary_score", "部门自荐总结专家评分", "15", "review", "", "scaled", []),
    ("divisions", "相关职能处室评价意见", "10", "office", "", "bands",
     [{"min": "60", "points": "60"}, {"min": "75", "points": "80"}, {"min": "90", "points": "100"}]),
]

WORK = "{region}全面落实“破茧成蝶”专项行动:组织科技型中小企业评价入库宣讲{n}场,走访企业{m}户,建立重点培育企业库。"
EXPERIENCE = "建立“科技副总”服务机制,推动{region}高校院所与企业联合攻关,形成可复制的培育经验。"
PROBLEMS = "部分企业研发投入归集不规范,入库材料准备不足;建议省级加强财务辅导培训。"
POLICY_TITLES = [
    "关于支持科技型中小企业高质量发展的若干措施",
    "科技企业孵化器和众创空间认定管理办法",
    "科技型中小企业研发投入后补助实施细则",
    "关于促进科技金融深度融合的实施意见",
    "科技创新券管理办法",
]
# This year's summaries: position of the region (0-based) -> the path it has taken so far.
THIS_YEAR_PATHS = {2: ["submit", "return"], 5: ["submit", "return", "submit"], 8: [], 11: ["submit"]}
RETURN_REASON = "请补充地方配套政策的文件链接,并上传盖章的总结报告。"




def seed(*, cycle, stdout=None):
    office = User.objects.filter(username="office").first() or User.objects.filter(role=User.Role.OFFICE).first()
    if office is None:
        return
    previous = Cycle.objects.filter(year=cycle.year - 1).first()
    regions = list(Region.objects.nominating().filter(active=True))
    years = [c for c in (previous, cycle) if c is not None]
    for c in years:
        _indicators(c)
        _summaries(c, regions, office, current=(c.pk == cycle.pk))
        _office_values(c, regions, office)
        _review_scores(c, regions, stdout)
    for c in years:
        assessment = Assessment.objects.filter(cycle=c).first()
        if assessment is None or (not assessment.is_published and compute.is_stale(assessment)):
            compute.compute_assessment(cycle=c, by=office)
    if previous is not None:
        _commend_and_publish(previous, office)
    if stdout:
        stdout.write(
            f"assessment: {BureauSummary.objects.count()} summaries, {Indicator.objects.count()} indicators, "
            f"{Assessment.objects.count()} assessments"
        )


def _indicators(cycle):
    for order, (code, name, weight, source, computation, scoring, bands) in enumerate(INDICATORS, start=1):
        Indicator.objects.get_or_create(
            cycle=cycle, code=code,
            defaults={"name": name, "weight": Decimal(weight), "source": source, "computation": computation,
                      "scoring": scoring, "bands": bands, "order": order},
        )


def _bureau(region, office):
    return User.objects.filter(role=User.Role.BUREAU, region=region).order_by("pk").first() or office


def _summaries(cycle, regions, office, *, current):
    for i, region in enumerate(regions):
        if BureauSummary.objects.filter(cycle=cycle, region=region).exists():
            continue
        bureau = _bureau(region, office)
        n = 3 + (i * 7 + cycle.year) % 9
        summary = BureauSummary(
            cycle=cycle, region=region, created_by=bureau,
            work_done=WORK.format(region=region.name, n=n, m=n * 12),
            experience=EXPERIENCE.format(region=region.name), problems=PROBLEMS,
        )
        summary.report.save(f"summary-{cycle.year}-{region.code}.pdf",
                            ContentFile(tiny_pdf(f"{cycle.year} {region.code}")), save=False)
        summary._history_user = bureau
        summary._change_reason = "create"
        summary.save()
        for k in range((i + cycle.year) % 5):
            LocalPolicy.objects.create(
                summary=summary, title=f"{region.name}{POLICY_TITLES[(i + k) % len(POLICY_TITLES)]}",
                number=f"{region.name[:2]}科发〔{cycle.year - 1}〕{10 + i * 3 + k}号",
                issued_on=datetime.date(cycle.year - 1, 1 + (i + k * 4) % 12, 1 + (i * 3 + k) % 27),
                link=f"https://kjj.example.gov.cn/{region.code}/policy/{cycle.year}-{k + 1}.html",
            )
        if current and cycle.nomination_window_open():
            path = THIS_YEAR_PATHS.get(i, ["submit", "accept"])
            for action in path:
                by = office if action in ("return", "accept") else bureau
                summaries.take_action(summary, action, by=by, reason=RETURN_REASON if action == "return" else "")
        else:
            # A closed year: its summaries were accepted then (set directly; the year no longer takes transitions).
            stamp = datetime.datetime(cycle.year, 5, 20, 10, 0, tzinfo=datetime.UTC)
            BureauSummary.objects.filter(pk=summary.pk).update(
                state=S.ACCEPTED, submitted_at=stamp, decided_at=stamp, version=2
            )


def _office_values(cycle, regions, office):
    indicator = Indicator.objects.filter(cycle=cycle, source=Indicator.Source.OFFICE).first()
    if indicator is None or OfficeEntry.objects.filter(indicator=indicator).exists():
        return
    for i, region in enumerate(regions):
        OfficeEntry.objects.create(
            indicator=indicator, region=region, value=Decimal(55 + (i * 13 + cycle.year * 7) % 41),
            note="相关职能处室综合评价", entered_by=office,
        )


def _review_scores(cycle, regions, stdout):
    """The expert scores of the accepted summaries, in a closed "bureau summaries" round.

    The review app's own demo scores enterprises only; this writes the round's items directly
    (the review app's models, looked up by name), in a savepoint: if that app's models are not
    as expected, the demo goes on without expert scores.
    """
    Round = sources.model("reviews.Round")
    ReviewItem = sources.model("reviews.ReviewItem")
    if Round is None or ReviewItem is None:
        return
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(BureauSummary)
    try:
        with transaction.atomic():
            round_, _created = Round.objects.get_or_create(
                cycle=cycle, kind="bureau_summaries", defaults={"title": f"{cycle.year}年度部门自荐总结评审", "phase": "closed"}
            )
            accepted = BureauSummary.objects.filter(cycle=cycle, state=S.ACCEPTED).select_related("region")
            index = {r.pk: i for i, r in enumerate(regions)}
            for summary in accepted:
                i = index.get(summary.region_id, 0)
                ReviewItem.objects.get_or_create(
                    round=round_, content_type=ct, object_id=summary.pk,
                    defaults={"nominee_name": summary.nominee_name, "region": summary.region,
                              "aggregate": Decimal(62 + (i * 11 + cycle.year * 3) % 33) + Decimal("0.40"),
                              "review_count": 5},
                )
    except (DatabaseError, TypeError, ValueError) as e:
        if stdout:
            stdout.write(f"assessment: no expert scores for the summaries ({e})")


def _commend_and_publish(cycle, office):
    assessment = Assessment.objects.filter(cycle=cycle).first()
    if assessment is None or assessment.is_published or assessment.computed_at is None:
        return
    for result in RegionResult.objects.filter(assessment=assessment, rank__lte=2, commended=False).select_related("region"):
        results.commend(result, by=office, reason=f"{result.region.name}“破茧成蝶”专项行动工作成效突出,综合排名第{result.rank}位。")
    results.publish(assessment, by=office, note=f"{cycle.year}年度市(州)科技部门“破茧成蝶”专项行动考核评价结果。")
