"""The R&D post-subsidy demo: last year's round paid, this year's in verification; twice adds nothing."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from enterprises.models import EnterpriseYear, Registration
from funding import rd_demo
from funding.models import Budget, Grant, Payment, RdCandidate, RdSubsidyRule
from tests import factories as core

from .factories import ApproverFactory, EnterpriseFactory, line

pytestmark = pytest.mark.django_db


def test_rd_demo_previous_paid_current_in_verification(office, bureau):
    previous = core.CycleFactory(year=2025, is_current=False)
    cycle = core.CycleFactory(year=2026)
    approver = ApproverFactory()
    for c in (previous, cycle):
        Budget.objects.create(cycle=c, line=line("rd_post"), amount=Decimal("20000000"), document_no="x")
    for i in range(8):
        e = EnterpriseFactory(region=bureau.region)
        for year in (2023, 2024, 2025):
            EnterpriseYear.objects.create(enterprise=e, year=year, rd_expense_tax=Decimal(1_000_000 + i * 100_000 + year),
                                          revenue_tax=Decimal("10000000"))
        for year in (2025, 2026):
            Registration.objects.create(enterprise=e, year=year, number=f"R{year}{e.pk}")
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        for _ in range(2):
            rd_demo.seed(previous=previous, cycle=cycle, office=office, approver=approver,
                         bureaus={bureau.region_id: bureau})
    last = RdSubsidyRule.objects.get(cycle=previous)
    assert last.state == RdSubsidyRule.State.GRANTED
    assert Grant.objects.filter(cycle=previous, line__code="rd_post", state=Grant.State.PAID).count() == 8
    assert Payment.objects.filter(grant__cycle=previous, state="confirmed").count() == 8
    this = RdSubsidyRule.objects.get(cycle=cycle)
    assert this.state == RdSubsidyRule.State.VERIFICATION
    assert RdCandidate.objects.filter(rule=this, verification="disputed").count() == 1
    assert RdCandidate.objects.filter(rule=this, verification="confirmed").count() == 5


def test_rd_demo_without_a_holiday_schedule_skips_verification_and_notice(office, bureau):
    """2027 and 2028 have no holiday schedule: both rounds stay computed, with a message, and nothing fails."""
    import io

    from pojian.models import CalendarYear

    assert not CalendarYear.objects.filter(year__in=(2027, 2028)).exists()
    previous = core.CycleFactory(year=2027, is_current=False)
    cycle = core.CycleFactory(year=2028)
    approver = ApproverFactory()
    for i in range(3):
        e = EnterpriseFactory(region=bureau.region)
        for year in (2025, 2026, 2027):
            EnterpriseYear.objects.create(enterprise=e, year=year, rd_expense_tax=Decimal(1_000_000 + i),
                                          revenue_tax=Decimal("10000000"))
        for year in (2027, 2028):
            Registration.objects.create(enterprise=e, year=year, number=f"R{year}{e.pk}")
    out = io.StringIO()
    with time_machine.travel(datetime.datetime(2028, 2, 29, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        rd_demo.seed(previous=previous, cycle=cycle, office=office, approver=approver,
                     bureaus={bureau.region_id: bureau}, stdout=out)
    assert RdSubsidyRule.objects.get(cycle=previous).state == RdSubsidyRule.State.COMPUTED
    assert RdSubsidyRule.objects.get(cycle=cycle).state == RdSubsidyRule.State.COMPUTED
    assert RdCandidate.objects.filter(rule__cycle=previous, qualified=True).count() == 3
    assert not Grant.objects.exists()
    lines = out.getvalue()
    assert "R&D post-subsidy 2027 stays computed" in lines and "R&D post-subsidy 2028 stays computed" in lines
