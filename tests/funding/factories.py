"""Factories for the funding ledger."""

from decimal import Decimal

import factory

from funding.models import Budget, FundingLine
from pojian.models import User
from tests import factories as core
from tests.enterprises.factories import EnterpriseFactory


class ApproverFactory(core.UserFactory):
    username = factory.Sequence(lambda n: f"approver{n}")
    role = User.Role.APPROVER


def line(code="project_support"):
    """The four lines come from a data migration (put back after a transactional test flushed them)."""
    if not FundingLine.objects.exists():
        import importlib

        from django.apps import apps

        importlib.import_module("funding.migrations.0002_lines").add_lines(apps, None)
    return FundingLine.objects.get(code=code)


class BudgetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Budget
        django_get_or_create = ("cycle", "line")

    cycle = factory.SubFactory(core.CycleFactory)
    line = factory.LazyFunction(line)
    amount = Decimal("1000000.00")
    document_no = "吉科发〔2026〕1号"


__all__ = ["ApproverFactory", "BudgetFactory", "EnterpriseFactory", "line"]
