"""Factories for incubators, their yearly figures, tenants, nominations and post-subsidies."""

import datetime
from decimal import Decimal

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from incubators.models import Incubator, IncubatorNomination, IncubatorYear, PostSubsidy, Tenancy
from pojian.domain.pdf import minimal_pdf
from pojian.domain.uscc import numbered
from tests import factories as core
from tests.enterprises.factories import EnterpriseFactory  # noqa: F401 - re-exported for the tests

# A tiny but real PDF (the upload check looks at the content, not the name).
PDF_BYTES = minimal_pdf("letter")


def pdf_upload(name="推荐函.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def incubator_uscc(n: int) -> str:
    return numbered("91220104", n)

def current_year():
    from django.utils import timezone

    return timezone.localdate().year


class IncubatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Incubator
        django_get_or_create = ("uscc",)

    name = factory.Sequence(lambda n: f"长春测试科技企业孵化器{n:03d}")
    uscc = factory.Sequence(lambda n: incubator_uscc(n + 1))
    region = factory.LazyFunction(lambda: core.region("220100"))
    kind = Incubator.Kind.INCUBATOR
    level = Incubator.Level.PROVINCIAL
    level_year = 2019
    operator = "长春测试科技园有限公司"
    address = "长春市高新区测试路8号"
    contact_person = "李四"
    contact_phone = "0431-81234567"


class IncubatorYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IncubatorYear

    incubator = factory.SubFactory(IncubatorFactory)
    year = factory.LazyFunction(current_year)
    other_tenants = 10
    other_graduated = 2
    investment_raised = Decimal("3500000.00")
    mentors = 12
    space_m2 = Decimal("8000.00")
    services = "创业辅导、投融资对接"


class TenancyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenancy

    incubator = factory.SubFactory(IncubatorFactory)
    enterprise = factory.SubFactory(EnterpriseFactory)
    entered = factory.LazyFunction(lambda: datetime.date(current_year() - 1, 3, 1))
    graduated = None


class IncubatorNominationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IncubatorNomination

    incubator = factory.SubFactory(IncubatorFactory)
    cycle = factory.SubFactory(core.CycleFactory)
    region = factory.LazyAttribute(lambda o: o.incubator.region)
    created_by = factory.SubFactory(core.BureauFactory, region=factory.SelfAttribute("..region"))
    results = "三年累计孵化科技型中小企业35家。"
    recommendation = "推荐。"


def complete_nomination(**kwargs):
    """A nomination that may be submitted: letter, results and this year's figures."""
    nomination = IncubatorNominationFactory(letter=pdf_upload(), **kwargs)
    IncubatorYearFactory(incubator=nomination.incubator, year=nomination.cycle.year)
    return nomination


class PostSubsidyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PostSubsidy

    incubator = factory.SubFactory(IncubatorFactory)
    year = factory.LazyFunction(current_year)
    amount = Decimal("500000.00")
    decided_by = factory.SubFactory(core.OfficeFactory)
    notes = "专家评审入选"


def ensure_regions():
    """Put the regions of the data migration back: a transactional test before this one flushed them."""
    import importlib

    from pojian.models import Region

    regions = importlib.import_module("pojian.migrations.0002_regions").REGIONS
    for order, (code, name, kind, bureau) in enumerate(regions, start=1):
        Region.objects.get_or_create(code=code, defaults={"name": name, "kind": kind, "bureau_name": bureau,
                                                          "sort_order": order})
