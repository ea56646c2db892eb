"""In Chromium, under the site-wide Content-Security-Policy: the main pages of each role load and
their scripts work (auto-submitting selects, confirmations, select-all, formset rows) with no CSP
violation reported in the console."""

import pytest
from django.conf import settings
from django.core.management import call_command

from enterprises.models import EnterpriseNomination
from finance.models import FinanceNomination
from pojian.models import Cycle, User
from tests.browsing import log_in
from tests.enterprises.factories import ensure_regions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def violations(page):
    """Console errors and page errors; CSP refusals show up here as "Refused to … Content Security Policy"."""
    seen = []
    page.on("console", lambda m: seen.append(m.text) if m.type == "error" and "Failed to load resource" not in m.text else None)
    page.on("response", lambda r: seen.append(f"{r.status} {r.url}") if r.status >= 400 and "favicon" not in r.url else None)
    page.on("pageerror", lambda e: seen.append(str(e)))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    return seen


def visit(page, url):
    response = page.goto(url)
    assert response.status == 200, url
    assert "script-src 'self'" in response.headers["content-security-policy"]


def test_main_pages_run_with_no_csp_violation(live_server, page, violations):
    ensure_regions()
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    cycle = Cycle.objects.current()
    base = live_server.url

    # The API's documentation pages (public): Swagger UI's script from the split view, Redoc.
    visit(page, base + "/api/v1/docs/")
    page.wait_for_selector(".swagger-ui .info")
    visit(page, base + "/api/v1/redoc/")
    page.wait_for_selector(".api-content, [role=search], h1", timeout=20000)

    log_in(page, base, "office", settings.DEMO_PASSWORD)
    nomination = EnterpriseNomination.objects.filter(state="submitted").first() or EnterpriseNomination.objects.exclude(state="draft").first()
    for path in ["/home/", "/enterprises/office/nominations/", f"/enterprises/office/nominations/{nomination.pk}/",
                 "/reports/dashboard/", "/assessment/", "/finance/nominations/", "/incubators/office/nominations/",
                 "/reviews/office/", "/admin/", "/incubators/office/post-subsidies/"]:
        visit(page, base + path)
    # select-all (portal.js) on the finance list
    page.goto(f"{base}/finance/nominations/")
    if FinanceNomination.objects.filter(cycle=cycle).exists():
        page.check("[data-testid=select-all]")
        assert all(box.is_checked() for box in page.query_selector_all("input[name=ids]"))
    # a confirmation that is dismissed changes nothing (data-confirm, portal.js)
    page.goto(f"{base}/enterprises/office/nominations/{nomination.pk}/")
    page.on("dialog", lambda d: d.dismiss())
    before = nomination.state
    reject = page.query_selector("button[data-confirm]")
    if reject:
        reject.click()
        nomination.refresh_from_db()
        assert nomination.state == before
    # the dashboard's year select submits its form by itself (data-autosubmit)
    page.goto(f"{base}/reports/dashboard/")
    page.select_option("select[name=year]", str(cycle.year - 1))
    page.wait_for_url(f"**year={cycle.year - 1}*")

    log_in(page, base, "bureau-220100", settings.DEMO_PASSWORD)
    for path in ["/home/", "/enterprises/bureau/nominations/", "/enterprises/bureau/nominations/new/",
                 "/incubators/nominations/", "/assessment/mine/"]:
        visit(page, base + path)
    page.goto(f"{base}/enterprises/bureau/nominations/new/")
    rows = page.locator("[data-formset] .formset-rows > *").count()
    page.locator("[data-formset] .add-row").first.click()
    assert page.locator("[data-formset] .formset-rows > *").count() > rows
    # the language switcher submits by itself too
    with page.expect_navigation():
        page.select_option("[data-testid=language-switcher]", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    with page.expect_navigation():
        page.select_option("[data-testid=language-switcher]", "zh-hans")

    log_in(page, base, "expert-1", settings.DEMO_PASSWORD)
    visit(page, base + "/reviews/expert/")
    log_in(page, base, "partner-1", settings.DEMO_PASSWORD)
    visit(page, base + "/home/")

    assert User.objects.filter(username="office").exists()
    # Redoc's "powered by" footer fetches its logo from cdn.redoc.ly: blocked on purpose (no CDN on an
    # intranet, img-src 'self'); the only violation allowed, and only for that address.
    violations = [v for v in violations if "cdn.redoc.ly" not in v]
    assert [v for v in violations if "Content Security Policy" in v or "CSP violation" in v] == []
    assert violations == []
