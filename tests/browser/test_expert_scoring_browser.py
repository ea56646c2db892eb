"""An expert scores in real Chromium: log in, open an assignment, score every criterion, save a draft,
submit, see it locked; and the score form is usable on a 375 px wide phone screen."""

from decimal import Decimal

import pytest

from enterprises.domain.eligibility import CRITERIA
from reviews.models import Assignment, Review, Round
from tests.browsing import log_in
from tests.enterprises.factories import ensure_regions
from tests.reviews import factories as rf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


def scoring_scene():
    ensure_regions()  # an earlier transactional test may have flushed the data migration's regions
    round_ = rf.RoundFactory(phase=Round.Phase.SCORING, experts_per_item=1)
    sheet = rf.ScoreSheetFactory(round=round_, instructions="请依据推荐材料独立评分。")
    criteria = [
        rf.CriterionFactory(sheet=sheet, name="技术创新能力", guidance="关键核心技术的先进性与自主性", max_score=Decimal("40"), order=1),
        rf.CriterionFactory(sheet=sheet, name="研发投入与成果", guidance="研发强度、高价值知识产权、成果转化", max_score=Decimal("35"), order=2),
        rf.CriterionFactory(sheet=sheet, name="成长性", guidance="营收增长与市场前景", max_score=Decimal("25"),
                            weight=Decimal("1.2"), order=3),
    ]
    expert = rf.ExpertFactory(name="李评审")
    first, second = (rf.AssignmentFactory(item=rf.ReviewItemFactory(round=round_), expert=expert) for _ in range(2))
    return expert, criteria, first, second




def test_expert_scores_saves_a_draft_and_submits(live_server, page):
    expert, criteria, first, _second = scoring_scene()
    log_in(page, live_server.url, expert.user.username)
    # The home card lists the assignment; the dashboard opens it.
    assert first.item.nominee_name in page.inner_text("[data-testid=reviews-expert-panel]")
    page.goto(f"{live_server.url}/reviews/expert/")
    page.click(f"[data-testid=assignment-{first.pk}]")
    page.wait_for_selector("[data-testid=score-form]")
    assert page.inner_text("[data-testid=nominee]") == first.item.nominee_name
    sheet_text = page.inner_text("[data-testid=score-sheet]")
    assert "关键核心技术的先进性与自主性" in sheet_text and "满分40" in sheet_text

    values = ["36", "30.5", "20"]
    for criterion, value in zip(criteria, values, strict=True):
        page.fill(f"[data-testid=score-{criterion.pk}]", value)
        page.fill(f"[data-testid=note-{criterion.pk}]", f"{criterion.name}表现良好")
    page.select_option("[data-testid=recommendation]", "recommend")
    page.fill("[data-testid=comment]", "建议推荐")
    page.click("[data-testid=save-draft]")
    page.wait_for_selector("[data-testid=progress]:has-text('已存草稿')")
    assert page.input_value(f"[data-testid=score-{criteria[1].pk}]") == "30.5"
    assert Assignment.objects.get(pk=first.pk).progress == Assignment.Progress.DRAFT

    page.click("[data-testid=submit-review]")
    page.wait_for_selector("[data-testid=locked]")
    assert page.locator(f"[data-testid=score-{criteria[0].pk}]").is_disabled()
    assert page.locator("[data-testid=submit-review]").count() == 0
    assert "90.50" in page.inner_text("[data-testid=total]") or "90.5" in page.inner_text("[data-testid=total]")
    review = Review.objects.get(assignment=first)
    assert review.total == Decimal("36") + Decimal("30.5") + Decimal("20") * Decimal("1.2")
    assert Assignment.objects.get(pk=first.pk).is_submitted


def test_score_form_is_usable_on_a_phone(live_server, page):
    expert, criteria, _first, second = scoring_scene()
    # With its 四科 verdict, whose per-criterion table is the widest part of the material.
    from enterprises.domain.checks import check_nomination
    from enterprises.models import EnterpriseNomination
    from tests.enterprises.factories import EnterpriseYearFactory

    nomination = EnterpriseNomination.objects.get(pk=second.item.object_id)
    EnterpriseYearFactory(enterprise=nomination.enterprise, year=nomination.cycle.year - 1)  # figures that pass (the figures year)
    assert check_nomination(nomination).failed != list(CRITERIA)  # some rows are met
    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, expert.user.username)
    page.goto(f"{live_server.url}/reviews/expert/assignments/{second.pk}/")
    page.wait_for_selector("[data-testid=score-form]")
    # Nothing sticks out sideways: no horizontal scrolling on a 375 px screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for criterion in criteria:
        box = page.locator(f"[data-testid=score-{criterion.pk}]").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        assert box["height"] >= 30  # big enough to tap
        page.fill(f"[data-testid=score-{criterion.pk}]", "10")
    page.select_option("[data-testid=recommendation]", "neutral")
    button = page.locator("[data-testid=save-draft]")
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    button.click()
    page.wait_for_selector("[data-testid=progress]:has-text('已存草稿')")
    review = Review.objects.get(assignment=second)
    assert review.total == Decimal("10") + Decimal("10") + Decimal("10") * Decimal("1.2")
