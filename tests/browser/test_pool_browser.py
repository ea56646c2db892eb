"""The pool's pages (培育库) in Chromium: WCAG 2.0/2.1 AA by axe-core, for the office and a bureau, with data."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from enterprises.domain import pool
from enterprises.models import PoolEntry, Recognition
from pojian.models import NominationState
from tests import factories as core
from tests.browser.test_accessibility_browser import check_pages
from tests.browsing import log_in
from tests.enterprises.factories import (
    EnterpriseFactory,
    EnterpriseNominationFactory,
    EnterpriseYearFactory,
    RegistrationFactory,
    ensure_regions,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Y = 2025


@pytest.fixture
def pool_with_data(live_server):
    ensure_regions()
    cycle = core.CycleFactory(year=Y - 1, is_current=False)
    for i in range(3):
        e = EnterpriseFactory(region=core.region("220100" if i < 2 else "220200"))
        for fy in (Y - 2, Y - 1):
            EnterpriseYearFactory(enterprise=e, year=fy, revenue=Decimal(10_000_000 * (i + 1) * (fy - Y + 4)))
            RegistrationFactory(enterprise=e, year=fy)
        EnterpriseNominationFactory(enterprise=e, cycle=cycle, state=NominationState.SELECTED)
    Recognition.objects.create(enterprise=e, kind="high_tech", year=Y - 1, reference="GR1")
    pool.backfill(on=datetime.date(Y, 1, 1))
    return PoolEntry.objects.filter(region=core.region("220100")).first()


@pytest.mark.parametrize("role", ["office", "bureau"])
def test_the_pool_pages_meet_wcag_aa(live_server, page, pool_with_data, role):
    user = (core.OfficeFactory(username="office-pool") if role == "office"
            else core.BureauFactory(username="bureau-pool", region=core.region("220100")))
    log_in(page, live_server.url, user.username)
    urls = [reverse("enterprises:pool"), reverse("enterprises:pool_entry", args=[pool_with_data.pk]),
            reverse("enterprises:pool_cohorts"), reverse("enterprises:pool_cohort", args=[Y - 1]),
            reverse("enterprises:pool_tiers_year", args=[Y - 1])]
    checked, failures = check_pages(page, live_server.url, urls)
    assert checked >= len(urls) * 2
    assert not [f for f in failures if "/pool/" in f], "\n".join(failures)
