"""In Chromium: a bureau nominates an enterprise and submits it, the office returns it with a reason,
the bureau reads the reason, edits and resubmits."""

import pytest
from django.urls import reverse
from django.utils import translation

from enterprises.models import EnterpriseNomination
from pojian.domain.pdf import minimal_pdf
from pojian.models import NominationState
from tests import factories
from tests.browsing import log_in
from tests.enterprises.factories import make_uscc

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Browser-test-pw-1"
PDF = minimal_pdf("letter")


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Uploaded letters and import files go to a temporary folder, not the project's media/."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


def label(state):
    with translation.override("zh-hans"):
        return str(NominationState(state).label)


def state_on(page):
    return page.inner_text("[data-testid=state]").strip()


def test_bureau_nominates_office_returns_bureau_resubmits(live_server, page, browser):
    factories.CycleFactory()
    for user in (factories.BureauFactory(username="cc-browser", region=factories.region("220100")),
                 factories.OfficeFactory(username="office-browser")):
        user.set_password(PASSWORD)
        user.save()
    base = live_server.url
    name = "长春光谷精密光电科技有限公司"

    # The bureau fills in the form: a new enterprise, its figures, one high-value patent, a product, the letter.
    log_in(page, base, "cc-browser", PASSWORD)
    page.click("nav >> text=企业推荐")
    page.click("[data-testid=new-nomination]")
    page.fill("#id_ent-name", name)
    page.fill("#id_ent-uscc", make_uscc(777))
    page.fill("#id_ent-address", "长春市高新区硅谷大街1234号")
    page.select_option("#id_ent-industry", "aerospace")
    page.fill("#id_nom-registration_number", "2026220101A0000777")
    page.fill("#id_nom-revenue", "56000000")
    page.fill("#id_nom-rd_expense", "4800000")
    page.fill("#id_nom-total_assets", "90000000")
    page.fill("#id_nom-employees", "120")
    page.fill("#id_nom-tech_staff", "80")
    page.fill("#id_nom-recommendation", "研发投入强度高,成果转化突出。")
    page.select_option("#id_ip-0-kind", "invention")
    page.fill("#id_ip-0-number", "ZL202110000777.X")
    page.fill("#id_ip-0-granted_on", "2024-06-01")
    page.check("#id_ip-0-high_value")
    page.fill("#id_ip-0-high_value_reason", "战略性新兴产业发明专利")
    page.fill("#id_products-0-name", "激光测距模组")
    page.fill("#id_products-0-key_technology", "高功率半导体激光芯片封装")
    page.fill("#id_products-0-evidence", "省级新产品鉴定证书")
    page.set_input_files("#id_nom-letter", files=[{"name": "推荐函.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.click("[data-testid=save]")
    page.wait_for_selector("[data-testid=state]")
    assert name in page.inner_text("h1")
    assert state_on(page) == label("draft")
    nomination = EnterpriseNomination.objects.get(enterprise__name=name)

    page.click("[data-testid=action-submit]")
    page.wait_for_selector(f"[data-testid=state]:has-text('{label('submitted')}')")
    assert state_on(page) == label("submitted")

    # The office finds it in its list (filtered to submitted ones) and returns it with a reason.
    office_context = browser.new_context()
    office_page = office_context.new_page()
    log_in(office_page, base, "office-browser", PASSWORD)
    office_page.goto(base + reverse("enterprises:office_nominations") + "?state=submitted")
    office_page.click(f"[data-testid=office-nominations] >> text={name}")
    office_page.wait_for_url(f"**{reverse('enterprises:office_nomination', args=[nomination.pk])}")
    office_page.fill(f"#reason-{nomination.pk}", "请补充研发费用明细账。")
    office_page.click("[data-testid=action-return]")
    office_page.wait_for_selector(f"[data-testid=state]:has-text('{label('returned')}')")
    assert state_on(office_page) == label("returned")
    office_context.close()

    # The bureau sees the reason, edits the figures and resubmits.
    page.reload()
    assert state_on(page) == label("returned")
    assert "请补充研发费用明细账。" in page.inner_text("[data-testid=state-reason]")
    page.click("[data-testid=edit]")
    assert page.input_value("#id_nom-rd_expense") == "4800000.00"
    page.fill("#id_nom-rd_expense", "5200000")
    page.click("[data-testid=save]")
    page.wait_for_selector("[data-testid=action-submit]")
    assert state_on(page) == label("returned")
    page.click("[data-testid=action-submit]")
    page.wait_for_selector(f"[data-testid=state]:has-text('{label('submitted')}')")
    assert state_on(page) == label("submitted")
    assert page.locator("[data-testid=state-reason]").count() == 0

    nomination.refresh_from_db()
    assert nomination.state == NominationState.SUBMITTED and nomination.version == 5
    assert str(nomination.enterprise.years.get().rd_expense) == "5200000.00"

    # The bureau's list shows it as submitted.
    page.goto(base + reverse("enterprises:bureau_nominations"))
    row = page.locator("[data-testid=nominations] tbody tr", has_text=name)
    assert label("submitted") in row.inner_text()
