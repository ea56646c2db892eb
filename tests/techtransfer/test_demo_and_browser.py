"""The demo's 双千 data, and the public catalogue searched in real Chromium."""

import pytest
from django.core.management import call_command

from pojian.models import Cycle
from techtransfer import demo
from techtransfer.models import (
    AccountRequest,
    Demand,
    MatchRecord,
    Recommendation,
    Result,
    ResultsManager,
    TechContract,
)

from .factories import ResultFactory


@pytest.mark.django_db
def test_the_demo_seeds_the_catalogue_twice_without_doubling(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo")
    counts = (Result.objects.count(), TechContract.objects.count())
    # This app's part again (the whole command twice is tests/pojian/test_seed_demo.py's job).
    demo.seed(cycle=Cycle.objects.current())
    assert (Result.objects.count(), TechContract.objects.count()) == counts
    assert counts[0] == 120 and Demand.objects.count() == 40
    assert 1 <= Result.objects.filter(state="submitted").count() < 20  # a few wait for the office's moderation
    assert MatchRecord.objects.exists() and Recommendation.objects.exists() and AccountRequest.objects.filter(
        state="pending").count() == 2
    assert ResultsManager.objects.filter(user__username="results-1", approved_at__isnull=False).exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_public_searches_the_catalogue_in_a_browser(live_server, page):
    from tests.enterprises.factories import ensure_regions

    ensure_regions()
    ResultFactory(title="寒地玉米秸秆生物降解菌剂", field="agriculture", summary="低温条件下快速降解秸秆")
    ResultFactory(title="工业机器人视觉定位软件", field="software")
    page.goto(f"{live_server.url}/")
    page.click("text=检索成果库")
    page.fill("#q", "秸秆")
    page.click("[data-testid=catalogue-search] button[type=submit]")
    items = page.locator("[data-testid=catalogue-results] a")
    assert items.count() == 1
    items.first.click()
    assert "低温条件下快速降解秸秆" in page.inner_text("main")
