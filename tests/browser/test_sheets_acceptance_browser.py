"""The score sheet pages and the acceptance pages meet WCAG 2.0/2.1 AA (axe-core in Chromium), at both widths,
and the office edits a sheet's criteria in the browser."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from funding.domain import acceptance, grants, projects
from reviews.domain import rounds
from tests import factories as core
from tests.browser.test_accessibility_browser import DESKTOP, PHONE, violations
from tests.browsing import log_in
from tests.enterprises.factories import ensure_regions
from tests.funding.factories import ApproverFactory, BudgetFactory, line
from tests.funding.test_projects import pdf_file
from tests.reviews.factories import ReviewItemFactory, RoundFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sheet_and_acceptance_pages_meet_wcag_aa_and_the_sheet_is_edited(live_server, page, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ensure_regions()
    cycle = core.CycleFactory()
    office = core.OfficeFactory(username="office-a11y-s")
    approver = ApproverFactory(username="approver-a11y-s")
    selection = RoundFactory(cycle=cycle, results_confirmed_at=timezone.now())
    ReviewItemFactory(round=selection, selected=True, rank=1)
    BudgetFactory(cycle=cycle, line=line("project_support"), amount=Decimal("2000000"), tranche_split=[70, 30])
    project = projects.open_projects(round_=selection, by=office, amount=Decimal("500000"), starts_on=date(2026, 7, 1),
                                     ends_on=date(2027, 6, 30))[0]
    projects.update_project(project=project, by=office, indicators=[{"name": "发明专利申请", "target": "3", "unit": "件"}])
    grants.approve_grant(grant=project.grant, by=approver)
    grants.commit_grant(grant=project.grant, by=approver)
    projects.issue_agreement(project=project, by=office)
    projects.upload_signed_agreement(project=project, file=pdf_file(), by=office)
    projects.file_acceptance(project=project, file=pdf_file(), reached={"发明专利申请": "4"}, by=office)
    enterprise_round = rounds.create_round(cycle=cycle, kind="incubators", by=office)
    due_page = reverse("funding:acceptance_rounds")  # checked while the project is still waiting
    log_in(page, live_server.url, office.username)
    failures = []
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        page.goto(live_server.url + due_page)
        failures += [f"{due_page} @{size['width']}: {v}" for v in violations(page)]
    acc = acceptance.create_acceptance_round(cycle=cycle, projects=[project], by=office)
    urls = [reverse("reviews:office_sheets"), reverse("reviews:office_sheet", args=[enterprise_round.pk]),
            reverse("reviews:office_sheet", args=[acc.pk]), reverse("funding:acceptance_rounds"),
            reverse("funding:acceptance_round", args=[acc.pk])]
    for url in urls:
        for size in (DESKTOP, PHONE):
            page.set_viewport_size(size)
            page.goto(live_server.url + url)
            failures += [f"{url} @{size['width']}: {v}" for v in violations(page)]
    assert not failures, "\n".join(failures)
    # The office edits the sheet in the browser: a wrong total is refused with the figure, a right one saved.
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + reverse("reviews:office_sheet", args=[enterprise_round.pk]))
    page.fill("#id_c-0-max_score", "50")
    page.click("button:has-text('保存评分表')")
    assert "应为100" in page.content()
    page.fill("#id_c-0-max_score", "40")
    page.click("button:has-text('保存评分表')")
    assert "评分表已保存" in page.content()
    assert enterprise_round.sheet.criteria.order_by("order").first().max_score == Decimal("40")
