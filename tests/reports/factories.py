"""A known data set for the reports' tests: nominations in every state in two regions, with
verdicts and figures, so each expected number is written in the test, not recomputed."""

from decimal import Decimal

import factory

from enterprises.models import Verdict
from pojian.models import NominationState as S
from reports.models import AnnualReport
from tests import factories as core
from tests.enterprises.factories import EnterpriseFactory, EnterpriseNominationFactory, eligible_enterprise

FAILS = {c: False for c in Verdict.CRITERIA}


def verdict(nomination, *, failed=()):
    return Verdict.objects.create(
        nomination=nomination, eligible=not failed, **{**{f"fail_{c}": False for c in Verdict.CRITERIA},
                                                       **{f"fail_{c}": True for c in failed}},
    )


def nominate(*, cycle, region, state, failed=None, enterprise=None, **kw):
    """A nomination in `state`; failed=None: no verdict, () eligible, (codes): those criteria failed."""
    enterprise = enterprise or EnterpriseFactory(region=region)
    n = EnterpriseNominationFactory(cycle=cycle, enterprise=enterprise, region=region, state=state, **kw)
    if failed is not None:
        verdict(n, failed=failed)
    return n


def known_year(cycle):
    """长春市: 2 selected, 1 accepted, 1 rejected, 1 draft, 1 withdrawn; 吉林市: 1 selected, 1 submitted, 1 returned.

    Expected (see tests): 长春 nominated 5, submitted 4, accepted 3, selected 2; 吉林 3, 3, 1, 1.
    四科: 7 verdicts, 4 pass; fails: rd_intensity 2, revenue 1, registered 1.
    The first 长春 selected enterprise has a tax revenue of 40,000,000 (R&D 5,000,000 → 12.50 %).
    """
    cc, jl = core.region("220100"), core.region("220200")
    year = cycle.year
    a = eligible_enterprise(year=year, region=cc)
    a.years.filter(year=year - 1).update(revenue_tax=Decimal("40000000.00"))  # its figures year
    b = eligible_enterprise(year=year, region=cc)
    c = eligible_enterprise(year=year, region=jl)
    out = {
        "cc_selected": [nominate(cycle=cycle, region=cc, state=S.SELECTED, failed=(), enterprise=a),
                        nominate(cycle=cycle, region=cc, state=S.SELECTED, failed=(), enterprise=b)],
        "cc_accepted": nominate(cycle=cycle, region=cc, state=S.ACCEPTED, failed=()),
        "cc_rejected": nominate(cycle=cycle, region=cc, state=S.REJECTED, failed=("revenue", "rd_intensity")),
        "cc_draft": nominate(cycle=cycle, region=cc, state=S.DRAFT),
        "cc_withdrawn": nominate(cycle=cycle, region=cc, state=S.WITHDRAWN, failed=("registered",)),
        "jl_selected": nominate(cycle=cycle, region=jl, state=S.SELECTED, failed=(), enterprise=c),
        "jl_submitted": nominate(cycle=cycle, region=jl, state=S.SUBMITTED, failed=("registered",)),
        "jl_returned": nominate(cycle=cycle, region=jl, state=S.RETURNED, failed=("rd_intensity",)),
    }
    return out


class AnnualReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnnualReport

    cycle = factory.SubFactory(core.CycleFactory)
    region = None
    requested_by = factory.SubFactory(core.OfficeFactory)
    job = factory.LazyAttribute(
        lambda o: __import__("pojian.models", fromlist=["Job"]).Job.objects.create(
            kind="annual_report", title="t", created_by=o.requested_by, region=o.region,
            dedupe_key=f"annual-report:{o.cycle.year}:{o.region.code if o.region else 'province'}",
        )
    )


def other_apps_year(cycle, *, office, nominations):
    """Incubators, finance, review and assessment data for the year, with known numbers.

    Incubators: 长春 inc1 selected (post-subsidy 500,000.00), 吉林 inc2 accepted (post-subsidy
    300,000.00), 长春 inc3 submitted. Finance: inst1 (长春) on the cooperation list; investments
    this year 2,000,000.00 (长春, early/small) and 1,500,000.50 (吉林), one last year.
    Review: the enterprises round ranks b (93.40) 1st, a (91.20) 2nd, c (85.00) 3rd; expert 甲
    has 2 of 3 scores in, expert 乙 3 of 3 (plus a withdrawn one). Assessment (not published):
    吉林 1st 88.50 commended, 长春 2nd 80.00.
    """
    import datetime

    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from tests.enterprises.factories import make_uscc

    cc, jl = core.region("220100"), core.region("220200")
    year = cycle.year
    bureau_cc = core.BureauFactory(username="bureau-cc-data", region=cc)
    Incubator = apps.get_model("incubators.Incubator")
    IncubatorNomination = apps.get_model("incubators.IncubatorNomination")
    PostSubsidy = apps.get_model("incubators.PostSubsidy")
    inc1 = Incubator.objects.create(name="长春创业孵化基地", uscc=make_uscc(700001), region=cc)
    inc2 = Incubator.objects.create(name="吉林众创空间", uscc=make_uscc(700002), region=jl, kind="maker_space")
    inc3 = Incubator.objects.create(name="长春第二孵化器", uscc=make_uscc(700003), region=cc)
    for inc, state in ((inc1, S.SELECTED), (inc2, S.ACCEPTED), (inc3, S.SUBMITTED)):
        IncubatorNomination.objects.create(cycle=cycle, region=inc.region, state=state, created_by=bureau_cc,
                                           incubator=inc, results="孵化成效")
    PostSubsidy.objects.create(incubator=inc1, year=year, amount=Decimal("500000.00"), decided_by=office)
    PostSubsidy.objects.create(incubator=inc2, year=year, amount=Decimal("300000.00"), decided_by=office)

    Institution = apps.get_model("finance.FinanceInstitution")
    Investment = apps.get_model("finance.Investment")
    Partnership = apps.get_model("finance.Partnership")
    inst1 = Institution.objects.create(name="吉林天使投资基金", uscc=make_uscc(800001), kind="angel", region=cc)
    inst2 = Institution.objects.create(name="长白山创投", uscc=make_uscc(800002), kind="vc", region=jl)
    Partnership.objects.create(institution=inst1, year=year, added_by=office)
    a, _b = (n.enterprise for n in nominations["cc_selected"])
    c = nominations["jl_selected"].enterprise
    Investment.objects.create(institution=inst1, enterprise=a, date=datetime.date(year, 3, 1), amount=Decimal("2000000.00"),
                              round="angel", early_or_small=True)
    Investment.objects.create(institution=inst2, enterprise=c, date=datetime.date(year, 6, 15), amount=Decimal("1500000.50"),
                              round="a", early_or_small=False)
    Investment.objects.create(institution=inst1, enterprise=a, date=datetime.date(year - 1, 5, 1), amount=Decimal("1000000.00"),
                              round="seed", early_or_small=True)

    Round = apps.get_model("reviews.Round")
    ReviewItem = apps.get_model("reviews.ReviewItem")
    Expert = apps.get_model("reviews.Expert")
    Assignment = apps.get_model("reviews.Assignment")
    rnd = Round.objects.create(cycle=cycle, kind="enterprises", phase="closed")
    ct = ContentType.objects.get_for_model(nominations["jl_selected"])
    items = []
    for n, agg, rank in ((nominations["cc_selected"][1], "93.40", 1), (nominations["cc_selected"][0], "91.20", 2),
                         (nominations["jl_selected"], "85.00", 3)):
        items.append(ReviewItem.objects.create(
            round=rnd, content_type=ct, object_id=n.pk, nominee_name=n.enterprise.name, nominee_uscc=n.enterprise.uscc,
            region=n.region, industry="software", aggregate=Decimal(agg), rank=rank, selected=True))
    jia, yi = Expert.objects.create(name="专家甲"), Expert.objects.create(name="专家乙")
    for i, item in enumerate(items):
        Assignment.objects.create(item=item, expert=jia, state="confirmed", progress="submitted" if i < 2 else "draft")
        Assignment.objects.create(item=item, expert=yi, state="confirmed", progress="submitted")
    extra = ReviewItem.objects.create(round=rnd, content_type=ct, object_id=nominations["cc_accepted"].pk,
                                      nominee_name="x", region=cc, rank=4)
    Assignment.objects.create(item=extra, expert=yi, state="withdrawn", progress="todo")

    Assessment = apps.get_model("assessment.Assessment")
    RegionResult = apps.get_model("assessment.RegionResult")
    assessment = Assessment.objects.create(cycle=cycle, computed_at=timezone.now())
    RegionResult.objects.create(assessment=assessment, region=jl, total=Decimal("88.50"), rank=1, commended=True,
                                commendation_reason="成绩突出")
    RegionResult.objects.create(assessment=assessment, region=cc, total=Decimal("80.00"), rank=2)
    return {"round": rnd, "assessment": assessment, "items": items, "inc1": inc1, "inst1": inst1}
