"""Factories for enterprises and their nominations (shared by the office and bureau tests)."""

import datetime
from decimal import Decimal

import factory

from enterprises.models import (
    CoreProduct,
    Enterprise,
    EnterpriseNomination,
    EnterpriseYear,
    IPItem,
    Registration,
    Transfer,
    Verdict,
)
from pojian.domain.uscc import numbered
from tests import factories as core


def make_uscc(n: int) -> str:
    """A valid 统一社会信用代码, different for every n (GB 32100-2015 check character)."""
    return numbered("91220101", n)

def current_year():
    from django.utils import timezone

    return timezone.localdate().year


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise
        django_get_or_create = ("uscc",)

    name = factory.Sequence(lambda n: f"吉林测试科技有限公司{n:04d}")
    uscc = factory.Sequence(lambda n: make_uscc(n + 1))
    region = factory.LazyFunction(lambda: core.region("220100"))
    address = "长春市高新区测试路1号"
    industry = "software"
    contact_person = "张三"
    contact_phone = "0431-80000000"
    founded_on = datetime.date(2015, 5, 1)


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    enterprise = factory.SubFactory(EnterpriseFactory)
    year = factory.LazyFunction(current_year)
    number = factory.LazyAttributeSequence(lambda o, n: f"{o.year}220101A{n:07d}")  # the year prefix is its year


class EnterpriseYearFactory(factory.django.DjangoModelFactory):
    """Figures that pass every 四科 figure criterion by default."""

    class Meta:
        model = EnterpriseYear

    enterprise = factory.SubFactory(EnterpriseFactory)
    year = factory.LazyFunction(current_year)
    revenue = Decimal("50000000.00")
    rd_expense = Decimal("5000000.00")
    total_assets = Decimal("80000000.00")
    employees = 100
    tech_staff = 70


class IPItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IPItem

    enterprise = factory.SubFactory(EnterpriseFactory)
    kind = IPItem.Kind.INVENTION
    number = factory.Sequence(lambda n: f"ZL2020{n:07d}.X")
    title = factory.Sequence(lambda n: f"一种测试装置{n}")
    granted_on = datetime.date(2021, 6, 1)
    high_value = True
    high_value_reason = "战略性新兴产业发明专利"


class TransferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Transfer

    enterprise = factory.SubFactory(EnterpriseFactory)
    kind = Transfer.Kind.LICENCE
    contract_no = factory.Sequence(lambda n: f"HT-{n:05d}")
    amount = Decimal("300000.00")
    date = datetime.date(2022, 3, 1)


class CoreProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoreProduct

    enterprise = factory.SubFactory(EnterpriseFactory)
    name = factory.Sequence(lambda n: f"智能检测仪{n}")
    key_technology = "高精度光谱识别"
    evidence = "省级新产品鉴定证书"


def region_bureau(region):
    """The region's bureau account that nominations are created by (made once; no password hashing)."""
    from pojian.models import User

    user, _ = User.objects.get_or_create(
        username=f"bureau-{region.code}-factory",
        defaults={"role": User.Role.BUREAU, "region": region, "email": f"bureau-{region.code}@example.gov.cn"},
    )
    return user


class EnterpriseNominationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EnterpriseNomination

    enterprise = factory.SubFactory(EnterpriseFactory)
    cycle = factory.SubFactory(core.CycleFactory)
    region = factory.LazyAttribute(lambda o: o.enterprise.region)
    created_by = factory.LazyAttribute(lambda o: region_bureau(o.region))
    recommendation = "该企业研发投入高,成果转化突出。"


def eligible_enterprise(*, year=None, region=None, ip=4, transfers=2, **figures):
    """An enterprise that meets every 四科 criterion for programme year `year` (override figures to fail one).

    Its figures are those of the figures year, by default the year before (the rulebook's default).
    """
    year = year or current_year()
    kwargs = {"region": region} if region is not None else {}
    enterprise = EnterpriseFactory(**kwargs)
    EnterpriseYearFactory(enterprise=enterprise, year=year - 1, **figures)
    RegistrationFactory(enterprise=enterprise, year=year)
    CoreProductFactory(enterprise=enterprise)
    IPItemFactory.create_batch(ip, enterprise=enterprise, granted_on=datetime.date(year - 1, 6, 1))
    TransferFactory.create_batch(transfers, enterprise=enterprise, date=datetime.date(year - 1, 9, 1))
    return enterprise


def ensure_regions():
    """Put the regions back after a transactional test flushed the data migration's rows (worker tests)."""
    import importlib

    from django.apps import apps

    from pojian.models import Region

    if not Region.objects.exists():
        importlib.import_module("pojian.migrations.0002_regions").load(apps, None)


class VerdictFactory(factory.django.DjangoModelFactory):
    """A stored 四科 verdict; passing by default (fail=("registered",) makes it fail those criteria)."""

    class Meta:
        model = Verdict

    class Params:
        fail = ()

    nomination = factory.SubFactory(EnterpriseNominationFactory)
    eligible = factory.LazyAttribute(lambda o: not o.fail)
    fail_revenue = factory.LazyAttribute(lambda o: "revenue" in o.fail)
    fail_employees = factory.LazyAttribute(lambda o: "employees" in o.fail)
    fail_core_tech_product = factory.LazyAttribute(lambda o: "core_tech_product" in o.fail)
    fail_tech_staff_ratio = factory.LazyAttribute(lambda o: "tech_staff_ratio" in o.fail)
    fail_ip_and_transfers = factory.LazyAttribute(lambda o: "ip_and_transfers" in o.fail)
    fail_rd_intensity = factory.LazyAttribute(lambda o: "rd_intensity" in o.fail)
    fail_registered = factory.LazyAttribute(lambda o: "registered" in o.fail)
