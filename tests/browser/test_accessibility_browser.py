"""Every page each role can open meets WCAG 2.0/2.1 A and AA, as axe-core judges it in Chromium.

The pages come from the same walk over the URL resolver as the role tests (tests/pojian), so a page
an app adds later is checked without being listed here. Each page is checked at a desktop width and
at a phone's, with the data of a known year so that tables, badges and charts are on the page.
"""

from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import Resolver404, resolve, reverse

from reports.domain import public
from tests import factories as core
from tests.browsing import log_in
from tests.enterprises.factories import ensure_regions
from tests.pojian.test_anonymous_access import PUBLIC, walk
from tests.pojian.test_role_access import ALLOWED, EVERYONE, pages_without_objects
from tests.reports.factories import known_year, other_apps_year

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
# WCAG 2.0 and 2.1, levels A and AA: what GB/T 37668-2019 asks of a government portal.
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
               "resultTypes": ["violations"]}
axe = Axe()


def violations(page):
    found = []
    for v in axe.run(page, options=AXE_OPTIONS).response["violations"]:
        targets = ", ".join(" ".join(map(str, n["target"])) for n in v["nodes"][:3])
        found.append(f"{v['id']} ({len(v['nodes'])}×: {targets}): {v['help']}")
    return found


def check_pages(page, base_url, urls):
    """Open each URL, and every page linked from them, one of each kind (URL name), at both widths.

    Following links reaches the pages that need an object (a nomination, a round, a region) with the
    objects the data really has. Downloads, POST-only actions and refusals are not pages to read.
    """
    failures, checked, seen = [], 0, set()
    queue = list(urls)
    while queue:
        url = queue.pop(0)
        try:
            kind = resolve(urlsplit(url).path).view_name
        except Resolver404:
            continue
        if kind in seen or kind.startswith("admin:") or kind in NOT_PAGES:
            continue
        seen.add(kind)
        head = page.request.get(base_url + url, max_redirects=0)
        if head.status != 200 or not head.headers.get("content-type", "").startswith("text/html"):
            continue
        for size in (DESKTOP, PHONE):
            page.set_viewport_size(size)
            page.goto(base_url + url)
            checked += 1
            failures += [f"{url} @{size['width']}px: {v}" for v in violations(page)]
        queue += [h for h in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
                  if h.startswith("/") and not h.startswith(("/static/", "/media/", "//"))]
    return checked, failures


# Not pages: signing out, switching language.
NOT_PAGES = {"logout", "set_language"}


@pytest.fixture
def year_with_data(live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ensure_regions()
    cycle = core.CycleFactory()
    office = core.OfficeFactory(username="office-a11y")
    nominations = known_year(cycle)
    other_apps_year(cycle, office=office, nominations=nominations)
    public.release_progress(cycle=cycle, by=office)
    return {"cycle": cycle, "office": office, "nominations": nominations}


def public_urls():
    for name, route, _pattern in walk(__import__("django.urls", fromlist=["get_resolver"]).get_resolver().url_patterns):
        leaf = name.rsplit(":", 1)[-1] if name else ""
        if name and (name in PUBLIC or leaf.startswith("public_") or name.startswith("public:")) and "<" not in route:
            # Not pages of ours: signing out, switching language, the admin's scripts, and the API's
            # developer docs (Swagger UI and Redoc render their own third-party markup, asynchronously).
            if name not in {"logout", "admin:logout", "set_language", "admin:jsi18n", "admin:view_on_site",
                            "api:public_docs", "api:public_redoc", "api:public_schema"}:
                yield "/" + route.lstrip("^").rstrip("$")


@pytest.mark.parametrize("role", ["office", "bureau", "county", "expert", "partner"])
def test_every_page_of_each_role_meets_wcag_aa(live_server, page, year_with_data, role):
    users = {
        "county": core.CountyFactory(username="county-a11y", region=core.region("220102")),
        "office": year_with_data["office"],
        "bureau": core.BureauFactory(username="bureau-a11y", region=core.region("220100")),
        "expert": core.ExpertFactory(username="expert-a11y"),
        "partner": core.PartnerFactory(username="partner-a11y"),
    }
    user = users[role]
    log_in(page, live_server.url, user.username)
    if role == "office":
        urls = [url for name, url in pages_without_objects()]
        # A nomination's own page, the richest page the office has.
        urls.append(reverse("enterprises:office_nomination", args=[year_with_data["nominations"]["cc_selected"][0].pk]))
    else:
        allowed = EVERYONE | ALLOWED[role]
        urls = [url for name, url in pages_without_objects() if name in allowed]
    if role in ("office", "county"):
        # A statistics return: the office's page of who filed, the county's filing form and its county page.
        from datetime import date

        from reports.domain import returns

        ret = returns.open_return(returns.define_return(
            by=year_with_data["office"], title="季度统计", period="quarter", period_start=date(2026, 1, 1),
            fields=[{"source": "nominations"}, {"label": "说明", "kind": "text"}], due_working_days=10,
            include_counties=True), by=year_with_data["office"])
        urls += ([reverse("reports:return_detail", args=[ret.pk])] if role == "office"
                 else [reverse("reports:return_file", args=[ret.pk]), reverse("reports:county", args=["220102"])])
    checked, failures = check_pages(page, live_server.url, urls)
    assert checked >= len(urls), f"only {checked} page views opened from {len(urls)} pages"
    assert not failures, "\n".join(failures)


def test_public_pages_meet_wcag_aa(live_server, page, year_with_data):
    urls = sorted(set(public_urls())) + [reverse("reports:public_progress")]
    checked, failures = check_pages(page, live_server.url, urls)
    assert checked >= 4
    assert not failures, "\n".join(failures)


def test_a_form_with_errors_meets_wcag_aa_and_focuses_the_first_error(live_server, page, year_with_data):
    core.BureauFactory(username="bureau-a11y-form", region=core.region("220100"))
    log_in(page, live_server.url, "bureau-a11y-form")
    page.goto(live_server.url + reverse("finance:institution_create"))
    # The server's own messages are what is checked, not the browser's built-in validation bubbles.
    page.evaluate("() => document.querySelectorAll('main form').forEach(f => f.noValidate = true)")
    page.locator("main form [type=submit]").first.click()
    page.wait_for_load_state()
    assert page.locator(".invalid-feedback, .is-invalid").count() > 0
    # The first field in error has the focus, and its message is tied to it.
    focused = page.evaluate("() => document.activeElement && document.activeElement.getAttribute('aria-invalid')")
    assert focused == "true"
    described = page.evaluate(
        "() => { const f = document.querySelector('[aria-invalid=true]');"
        " return (f.getAttribute('aria-describedby') || '').split(' ').some(id => id && document.getElementById(id)); }"
    )
    assert described
    assert not violations(page)


def test_the_expert_scores_with_the_keyboard_alone(live_server, page):
    """Skip link, then Tab from field to field: every score, the recommendation and the save button
    are reached and used without a mouse, and the score sheet itself passes axe."""
    from decimal import Decimal

    from reviews.models import Review
    from tests.browser.test_expert_scoring_browser import scoring_scene

    expert, criteria, first, _second = scoring_scene()
    log_in(page, live_server.url, expert.user.username)
    page.goto(f"{live_server.url}{reverse('reviews:expert_assignment', args=[first.pk])}")
    page.wait_for_selector("[data-testid=score-form]")
    assert not violations(page)

    # The first Tab reaches the skip link, which moves the focus to the main content.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.classList.contains('skip-link')")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"

    targets = {f"score-{c.pk}": "8" for c in criteria}
    for _ in range(80):  # Tab through the page until every score has been typed and the draft saved
        page.keyboard.press("Tab")
        testid = page.evaluate("() => document.activeElement.dataset.testid || ''")
        focus_visible = page.evaluate(
            "() => getComputedStyle(document.activeElement).outlineStyle !== 'none'"
            " || getComputedStyle(document.activeElement).boxShadow !== 'none'")
        assert focus_visible, f"no visible focus on {testid or page.evaluate('() => document.activeElement.outerHTML')[:80]}"
        if testid in targets:
            page.keyboard.type(targets.pop(testid))
        elif testid == "recommendation":
            page.keyboard.press("ArrowDown")
        elif testid == "save-draft" and not targets:
            page.keyboard.press("Enter")
            break
    page.wait_for_selector("[data-testid=progress]:has-text('已存草稿')")
    review = Review.objects.get(assignment=first)
    assert review.total == Decimal("8") + Decimal("8") + Decimal("8") * Decimal("1.2")
