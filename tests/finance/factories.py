"""Factories for finance institutions, investments, nominations, partnerships and roadshows."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from finance.models import (
    FinanceInstitution,
    FinanceNomination,
    Investment,
    Partnership,
    Presentation,
    Roadshow,
)
from pojian.domain.uscc import numbered
from tests import factories as core
from tests.enterprises.factories import EnterpriseFactory


def institution_uscc(n: int) -> str:
    """A valid credit code, different for every n, never equal to an enterprise factory's."""
    return numbered("91220102", n)

class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FinanceInstitution
        django_get_or_create = ("uscc",)

    name = factory.Sequence(lambda n: f"吉林测试创业投资有限公司{n:04d}")
    uscc = factory.Sequence(lambda n: institution_uscc(n + 1))
    kind = FinanceInstitution.Kind.VC
    region = factory.LazyFunction(lambda: core.region("220100"))
    registered_capital = Decimal("100000000.00")
    contact_person = "王五"
    contact_phone = "0431-81234567"


class InvestmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Investment

    institution = factory.SubFactory(InstitutionFactory)
    enterprise = factory.SubFactory(EnterpriseFactory)
    date = datetime.date(2025, 3, 1)
    amount = Decimal("2000000.00")
    round = Investment.Round.A


class FinanceNominationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FinanceNomination

    institution = factory.SubFactory(InstitutionFactory)
    cycle = factory.SubFactory(core.CycleFactory)
    region = factory.LazyAttribute(lambda o: o.institution.region)
    created_by = factory.SubFactory(core.BureauFactory, region=factory.SelfAttribute("..region"))
    summary = "近两年投资本地区科技型中小企业5家,合计3000万元。"


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership

    institution = factory.SubFactory(InstitutionFactory)
    year = factory.LazyFunction(lambda: timezone.localdate().year)
    added_by = factory.SubFactory(core.OfficeFactory)


class RoadshowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Roadshow

    cycle = factory.SubFactory(core.CycleFactory)
    title = factory.Sequence(lambda n: f"科技企业路演第{n}期")
    date = datetime.date(2026, 6, 18)
    place = "长春新区科技大厦"


class PresentationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Presentation

    roadshow = factory.SubFactory(RoadshowFactory)
    enterprise = factory.SubFactory(EnterpriseFactory)
    project = "光谱检测仪产业化"
    order = factory.Sequence(lambda n: n)
