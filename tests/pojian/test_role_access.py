"""Every page that takes no object answers each role with what the role may see, and 403 otherwise.

Like test_anonymous_access, this walks the URL resolver, so a page an app adds later is covered
without being listed: a new list page open to a role it should not be open to fails here until
it is added to that role's allowances below. Adding a name to an allowance is a decision.
"""

import pytest

from tests.pojian.test_anonymous_access import private_urls

# Pages every signed-in user has.
EVERYONE = {"home", "password_change", "password_change_done", "api:token-list",
            "account", "otp_setup", "otp_verify", "session_ping", "notification_settings"}
# Pages each role may open (besides EVERYONE), by URL name.
ALLOWED = {
    "bureau": {
        "enterprises:bureau_nominations", "enterprises:bureau_nomination_create", "enterprises:bureau_import",
        "enterprises:bureau_import_template",
        "incubators:bureau_list", "incubators:nomination_create",
        "finance:nomination_list", "finance:nomination_create", "finance:nomination_export",
        "finance:institution_list", "finance:institution_create",
        "assessment:my_summary", "assessment:summary_list", "assessment:mine",
        "reports:reports",
        "api:enterprise-list", "api:enterprise-nomination-list", "api:incubator-nomination-list",
        "api:finance-institution-list", "api:result-list",
        "api:grant-list", "api:payment-list", "api:demand-list", "api:tech-contract-list", "api:pool-entry-list",
        "techtransfer:demands", "techtransfer:demand_create", "techtransfer:contracts", "techtransfer:contract_create",
        "techtransfer:recommendations", "techtransfer:matching", "techtransfer:interest_create",
        "techtransfer:record_create", "techtransfer:events", "techtransfer:event_create",
        "techtransfer:statistics", "techtransfer:statistics_export", "techtransfer:subsidy_applications",
        "funding:region", "funding:projects", "funding:rd_candidates",
        "enterprises:pool", "enterprises:pool_cohorts", "enterprises:pool_tiers",
        "reports:returns", "reports:counties", "reports:bureau_dashboard", "reports:bureau_dashboard_xlsx",
    },
    # A county bureau: the statistics returns and its county's page (the list sends it there), its county's
    # nominations (the bureau pages, limited to the county), its part of the pool, its assessment standing.
    "county": {"reports:returns", "reports:counties", "enterprises:bureau_nominations",
               "enterprises:bureau_nomination_create", "enterprises:pool", "assessment:my_county"},
    "expert": {
        "reviews:expert_dashboard", "reviews:expert_finished",
    },
    # A partner's investment pages need a partnership with an institution; this one has none.
    "partner": {"finance:roadshow_list", "finance:digest_list"},
}


def pages_without_objects():
    for name, url in private_urls():
        if name and not name.startswith("admin:") and not any(part in url.split("/") for part in ("1", "x")):
            yield name, url


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(ALLOWED))
def test_each_role_opens_only_its_own_pages(client_for, bureau, county, expert, partner, cycle, role):
    user = {"bureau": bureau, "county": county, "expert": expert, "partner": partner}[role]
    client = client_for(user)
    allowed = EVERYONE | ALLOWED[role]
    wrong = []
    for name, url in pages_without_objects():
        status = client.get(url).status_code
        if name in allowed:
            if status not in (200, 302):  # 302: a page that sends the role on to its own object
                wrong.append(f"{name} {url}: {status}, expected the page")
        elif status not in (403, 404, 405):
            wrong.append(f"{name} {url}: {status}, expected a refusal")
    assert not wrong, "\n".join(wrong)
