"""Factories for the shared core. App factories live beside their tests and build on these."""

from datetime import timedelta

import factory
from django.utils import timezone

from pojian.models import Cycle, Region, User


def region(code="220100"):
    """The regions come from a data migration; tests use the real ones."""
    return Region.objects.get(code=code)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.gov.cn")
    password = factory.django.Password("pw-for-tests-1")


class OfficeFactory(UserFactory):
    username = factory.Sequence(lambda n: f"office{n}")
    role = User.Role.OFFICE


class BureauFactory(UserFactory):
    username = factory.Sequence(lambda n: f"bureau{n}")
    role = User.Role.BUREAU
    region = factory.LazyFunction(lambda: region("220100"))


class ExpertFactory(UserFactory):
    username = factory.Sequence(lambda n: f"expert{n}")
    role = User.Role.EXPERT


class PartnerFactory(UserFactory):
    username = factory.Sequence(lambda n: f"partner{n}")
    role = User.Role.PARTNER


def window_for(year, *, days=30):
    """(opens, closes): `days` either side of now, moved by whole years to `year` (Feb 29 safe)."""
    now = timezone.now()
    shift = timedelta(days=round(365.2425 * (year - timezone.localdate().year)))
    return now - timedelta(days=days) + shift, now + timedelta(days=days) + shift


class CycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cycle
        django_get_or_create = ("year",)

    year = factory.LazyFunction(lambda: timezone.localdate().year)
    # The window is 60 days around now for this year's cycle; another year's is the same window
    # moved by whole years (ends moved together, so it stays ordered when it spans New Year).
    nomination_opens = factory.LazyAttribute(lambda o: window_for(o.year)[0])
    nomination_closes = factory.LazyAttribute(lambda o: window_for(o.year)[1])
    status = Cycle.Status.OPEN
    is_current = True


def minimal_docx(text="文档"):
    """A small but well-formed .docx (the [Content_Types].xml declares a Word document)."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>'))
        z.writestr("word/document.xml", (
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"))
    return buffer.getvalue()


class CountyFactory(UserFactory):
    """A county bureau (县(市、区)科技部门) account: 南关区 under 长春 unless told."""

    username = factory.Sequence(lambda n: f"county{n}")
    role = User.Role.COUNTY
    region = factory.LazyFunction(lambda: region("220102"))
