"""Every endpoint × every role × objects of another region: what the pages allow, and nothing more.

The endpoints come from the URL resolver (the api: namespace), so one an app adds later is walked
without being listed; its expectation must then be written in ALLOWED below (a decision).
"""

import pytest
from django.urls import get_resolver, reverse

from api.models import ApiToken
from tests.pojian.test_anonymous_access import concrete_url, walk

pytestmark = pytest.mark.django_db

# List endpoints (by URL name) each role may read; every other one must refuse it.
ALLOWED = {
    "office": {"enterprise", "enterprise-nomination", "incubator-nomination", "finance-institution", "investment",
               "result", "token", "grant", "payment", "demand", "tech-contract", "pool-entry"},
    "bureau": {"enterprise", "enterprise-nomination", "incubator-nomination", "finance-institution", "result", "token",
               "grant", "payment", "demand", "tech-contract", "pool-entry"},
    "expert": {"token"},
    "partner": {"investment", "token"},
    "tax_client": set(),
}
# The object of 吉林 (another city) behind each detail endpoint.
FOREIGN = {"enterprise": "enterprise", "enterprise-nomination": "nomination",
           "incubator-nomination": "incubator_nomination", "finance-institution": "institution",
           "investment": "investment", "result": "result", "grant": "grant", "demand": "demand",
           "tech-contract": "tech_contract", "pool-entry": "pool_entry"}


def list_endpoints():
    for name, _route, _p in walk(get_resolver().url_patterns):
        if name and name.startswith("api:") and name.endswith("-list"):
            yield name[len("api:"):-len("-list")]


def test_the_walk_finds_every_router_endpoint():
    assert set(list_endpoints()) == set(ALLOWED["office"])


@pytest.fixture
def callers(client_for, bureau, expert, partner, office, tax_client, bearer, two_regions):
    partner.finance_institutions.add(two_regions["220100"]["institution"])
    from django.test import Client

    return {
        "office": (client_for(office), {}),
        "bureau": (client_for(bureau), {}),
        "expert": (client_for(expert), {}),
        "partner": (Client(), bearer(partner), partner),  # by token, as a partner's own tool would
        "tax_client": (Client(), bearer(tax_client, scope=ApiToken.Scope.TAX_PUSH, issuer=office)),
    }


@pytest.mark.parametrize("role", sorted(ALLOWED))
def test_each_role_reads_only_what_it_may(callers, two_regions, role):
    client, headers = callers[role][:2]
    mine, theirs = two_regions["220100"], two_regions["220200"]
    wrong = []
    for endpoint in list_endpoints():
        response = client.get(reverse(f"api:{endpoint}-list"), **headers)
        if endpoint not in ALLOWED[role]:
            if response.status_code not in (401, 403):
                wrong.append(f"{endpoint}: {response.status_code}, expected a refusal")
            continue
        if response.status_code != 200:
            wrong.append(f"{endpoint}: {response.status_code}, expected the list")
            continue
        rows = response.json()["results"]
        if role == "bureau":
            wrong += [f"{endpoint}: row of {r['region']['code']}" for r in rows if "region" in r and r["region"]["code"] != "220100"]
            if endpoint == "tech-contract":
                wrong += [f"contract of {r['enterprise']}" for r in rows if r["enterprise"] != mine["enterprise"].name]
        if role == "partner" and endpoint == "investment":
            wrong += [f"investment {r['id']} of another institution" for r in rows if r["institution"] != mine["institution"].pk]
        # Another city's object, asked for by its id.
        if endpoint in FOREIGN and role != "office":
            detail = client.get(reverse(f"api:{endpoint}-detail", args=[theirs[FOREIGN[endpoint]].pk]), **headers)
            if detail.status_code not in (403, 404):
                wrong.append(f"{endpoint} of 吉林: {detail.status_code}")
    assert not wrong, "\n".join(wrong)


def test_the_office_reads_both_regions(callers, two_regions):
    client = callers["office"][0]
    rows = client.get("/api/v1/enterprises/nominations/").json()["results"]
    assert {r["region"]["code"] for r in rows} == {"220100", "220200"}
    detail = client.get(f"/api/v1/enterprises/nominations/{two_regions['220200']['nomination'].pk}/").json()
    assert detail["enterprise"]["uscc"] == two_regions["220200"]["enterprise"].uscc


def test_anonymous_is_refused_everywhere_but_the_public_endpoints(client, two_regions):
    refused, opened = [], []
    for name, route, pattern in walk(get_resolver().url_patterns):
        if not name or not name.startswith("api:") or "<" in route or "(?P<format>" in route:
            continue
        url = concrete_url(route, pattern)
        for method in ("get", "post"):
            status = getattr(client, method)(url).status_code
            public = name.split(":")[-1].startswith("public_")
            if public and method == "get":
                opened.append((url, status))
            elif status not in (401, 403, 405):
                refused.append(f"{method.upper()} {url}: {status}")
    assert not refused, "\n".join(refused)
    assert opened and all(status == 200 for _u, status in opened), opened


def test_a_partner_records_an_investment_of_its_own_institution_only(callers, two_regions):
    client, headers, _partner = callers["partner"]
    mine, theirs = two_regions["220100"], two_regions["220200"]
    body = {"enterprise": mine["enterprise"].pk, "date": "2026-05-01", "amount": "3000000.00", "round": "seed"}
    ok = client.post("/api/v1/finance/investments/", {**body, "institution": mine["institution"].pk},
                     content_type="application/json", **headers)
    assert ok.status_code == 201, ok.content
    recorded = __import__("finance.models", fromlist=["Investment"]).Investment.objects.get(pk=ok.json()["id"])
    assert recorded.history.first().history_user == callers["partner"][2]  # the audit trail names the caller
    refused = client.post("/api/v1/finance/investments/", {**body, "institution": theirs["institution"].pk},
                          content_type="application/json", **headers)
    assert refused.status_code == 403
    from finance.models import Investment

    assert Investment.objects.filter(institution=theirs["institution"]).count() == 1  # only the factory's


def test_a_list_of_nominations_costs_the_same_few_queries_for_many_rows(callers, two_regions, cycle,
                                                                       django_assert_max_num_queries):
    from tests.enterprises.factories import EnterpriseNominationFactory

    client = callers["office"][0]
    for _ in range(30):
        EnterpriseNominationFactory(cycle=cycle)
    with django_assert_max_num_queries(8):
        rows = client.get("/api/v1/enterprises/nominations/?page_size=1000").json()["results"]
    from enterprises.models import EnterpriseNomination

    assert len(rows) == EnterpriseNomination.objects.count() > 30 and "explanation" not in (rows[0]["verdict"] or {})
