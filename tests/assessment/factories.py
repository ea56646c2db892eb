"""Factories for the assessment: bureau summaries, policies, indicators."""

import datetime
from decimal import Decimal

import factory
from django.core.files.base import ContentFile

from assessment.demo import tiny_pdf
from assessment.models import BureauSummary, Indicator, LocalPolicy, OfficeEntry
from pojian.models import NominationState
from tests import factories as core


def pdf_file(name="report.pdf"):
    return ContentFile(tiny_pdf("report"), name=name)


def docx_bytes():
    return core.minimal_docx("report")


class SummaryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BureauSummary

    cycle = factory.SubFactory(core.CycleFactory)
    region = factory.LazyFunction(lambda: core.region("220100"))
    created_by = factory.SubFactory(core.BureauFactory, region=factory.SelfAttribute("..region"))
    work_done = "组织入库宣讲8场,走访企业96户。"
    experience = "科技副总机制。"
    problems = "研发费用归集不规范。"
    report = factory.LazyFunction(pdf_file)


class PolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocalPolicy

    summary = factory.SubFactory(SummaryFactory)
    title = factory.Sequence(lambda n: f"关于支持科技型中小企业发展的若干措施{n}")
    number = factory.Sequence(lambda n: f"长科发〔2025〕{n}号")
    issued_on = datetime.date(2025, 6, 1)
    link = "https://kjj.example.gov.cn/policy.html"


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    cycle = factory.SubFactory(core.CycleFactory)
    code = factory.Sequence(lambda n: f"ind{n}")
    name = factory.Sequence(lambda n: f"指标{n}")
    weight = Decimal("1")
    source = Indicator.Source.OFFICE
    computation = ""
    scoring = Indicator.Scoring.SCALED
    order = factory.Sequence(lambda n: n)


class OfficeEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OfficeEntry

    indicator = factory.SubFactory(IndicatorFactory)
    region = factory.LazyFunction(lambda: core.region("220100"))
    value = Decimal("1")
    entered_by = factory.SubFactory(core.OfficeFactory)


def accepted_summary(**kw):
    summary = SummaryFactory(**kw)
    BureauSummary.objects.filter(pk=summary.pk).update(state=NominationState.ACCEPTED)
    summary.refresh_from_db()
    return summary
