import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from pojian.domain.uscc import numbered
from techtransfer.models import Demand, Institution, Result, ResultsManager, TechContract
from tests import factories as core
from tests.enterprises.factories import EnterpriseFactory


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    name = factory.Sequence(lambda n: f"吉林测试大学{n:03d}")
    uscc = factory.Sequence(lambda n: numbered("12220000", n + 1))
    kind = Institution.Kind.UNIVERSITY
    region = factory.LazyFunction(lambda: core.region("220100"))


def results_manager(institution, username, *, approved=True):
    user = core.UserFactory(username=username)
    ResultsManager.objects.create(institution=institution, user=user,
                                  approved_at=timezone.now() if approved else None)
    return user


class ResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Result

    institution = factory.SubFactory(InstitutionFactory)
    title = factory.Sequence(lambda n: f"测试成果{n}")
    field = "materials"
    summary = "一种用于测试的技术成果。"
    maturity = Result.Maturity.PILOT
    contact_name = "张老师"
    contact_phone = "0431-85160000"
    state = Result.State.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    created_by = factory.SubFactory(core.UserFactory)


class DemandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Demand

    enterprise = factory.SubFactory(EnterpriseFactory)
    region = factory.LazyAttribute(lambda o: o.enterprise.region)
    title = factory.Sequence(lambda n: f"技术需求{n}")
    field = "materials"
    description = "需要一种技术。"
    created_by = factory.SubFactory(core.UserFactory)


class TechContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TechContract

    registration_number = factory.Sequence(lambda n: f"2025220100{n:06d}")
    registered_on = datetime.date(2025, 6, 1)
    kind = TechContract.Kind.DEVELOPMENT
    title = "合作开发项目"
    enterprise = factory.SubFactory(EnterpriseFactory)
    institution = factory.SubFactory(InstitutionFactory)
    contract_amount = Decimal("1000000.00")
    tech_amount = Decimal("800000.00")
    created_by = factory.SubFactory(core.UserFactory)
