"""The funding pages: who sees what, and the refusals (other city's bureau, expert, anonymous)."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from funding.domain import grants, payments
from funding.models import Payment

from .factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_grant(committed_grant, office, approver):
    p = payments.record_payment(grant=committed_grant, amount=Decimal("10000"), paid_on=date(2026, 6, 1),
                                document_no="吉财〔2026〕8号", account="6222", by=office)
    payments.confirm_payment(payment=p, by=approver)
    return committed_grant


def test_ledger_office_sees_execution(client_for, office, paid_grant):
    r = client_for(office).get(reverse("funding:ledger"), {"year": paid_grant.cycle.year})
    assert r.status_code == 200
    html = r.content.decode()
    assert "研发投入后补助" in html and "100,000.00" in html and "30,000.00" in html and "10,000.00" in html
    assert paid_grant.beneficiary_name in html


def test_ledger_filters_by_state(client_for, office, paid_grant, make_grant):
    other = make_grant("1000")
    r = client_for(office).get(reverse("funding:ledger"), {"year": paid_grant.cycle.year, "state": "proposed"})
    html = r.content.decode()
    assert other.beneficiary_name in html and paid_grant.beneficiary_name not in html


@pytest.mark.parametrize("who", ["bureau", "other_bureau", "expert", "partner"])
def test_ledger_refused_to_others(client_for, request, who, cycle):
    assert client_for(request.getfixturevalue(who)).get(reverse("funding:ledger")).status_code == 403


def test_ledger_anonymous_sent_to_login(client):
    r = client.get(reverse("funding:ledger"))
    assert r.status_code == 302 and "login" in r["Location"]


def test_grant_page_own_bureau_sees_other_city_refused(client_for, bureau, other_bureau, expert, client, paid_grant):
    url = reverse("funding:grant", args=[paid_grant.pk])
    assert paid_grant.region == bureau.region
    r = client_for(bureau).get(url)
    assert r.status_code == 200 and "吉财〔2026〕8号" in r.content.decode()
    assert 'data-testid="confirm-payment"' not in r.content.decode()
    assert client_for(other_bureau).get(url).status_code == 403
    assert client_for(expert).get(url).status_code == 403
    assert client.get(url).status_code == 302


def test_grant_actions_refused_to_bureau(client_for, bureau, make_grant):
    g = make_grant()
    r = client_for(bureau).post(reverse("funding:grant_action", args=[g.pk, "approve"]))
    g.refresh_from_db()
    assert g.state == "proposed"
    assert r.status_code in (302, 403)


def test_grant_actions_other_bureau_refused(client_for, other_bureau, make_grant):
    g = make_grant()
    assert client_for(other_bureau).post(reverse("funding:grant_action", args=[g.pk, "approve"])).status_code == 403


def test_payment_recorded_and_confirmed_through_pages(client_for, office, approver, committed_grant):
    url = reverse("funding:grant_action", args=[committed_grant.pk, "pay"])
    client_for(office).post(url, {"tranche": 1, "paid_on": "2026-06-01", "document_no": "吉财〔2026〕8号",
                                  "amount": "30000.01", "account": "6222"})
    assert Payment.objects.count() == 0  # above the grant: refused, nothing saved
    client_for(office).post(url, {"tranche": 1, "paid_on": "2026-06-01", "document_no": "吉财〔2026〕8号",
                                  "amount": "30000", "account": "6222"})
    p = Payment.objects.get()
    client_for(office).post(reverse("funding:grant_action", args=[committed_grant.pk, "confirm_payment"]),
                            {"payment": p.pk})
    p.refresh_from_db()
    assert p.state == "recorded"  # office may not confirm
    client_for(approver).post(reverse("funding:grant_action", args=[committed_grant.pk, "confirm_payment"]),
                              {"payment": p.pk})
    p.refresh_from_db()
    assert p.state == "confirmed"


def test_region_page_shows_only_own_region(client_for, bureau, other_bureau, paid_grant, make_grant, office):
    jl = make_grant("2000", enterprise=EnterpriseFactory(region=other_bureau.region))
    r = client_for(bureau).get(reverse("funding:region"), {"year": paid_grant.cycle.year})
    html = r.content.decode()
    assert paid_grant.beneficiary_name in html and jl.beneficiary_name not in html
    r = client_for(other_bureau).get(reverse("funding:region"), {"year": paid_grant.cycle.year})
    assert paid_grant.beneficiary_name not in r.content.decode()


@pytest.mark.parametrize("who", ["expert", "office"])
def test_region_page_refused_to_non_bureau(client_for, request, who):
    assert client_for(request.getfixturevalue(who)).get(reverse("funding:region")).status_code == 403


def test_public_list_shows_only_committed(client, committed_grant, make_grant, approver):
    proposed = make_grant("500")
    approved = make_grant("600")
    grants.approve_grant(grant=approved, by=approver)
    r = client.get(reverse("funding:public_grants_year", args=[committed_grant.cycle.year]))
    assert r.status_code == 200
    html = r.content.decode()
    assert committed_grant.beneficiary_name in html
    assert proposed.beneficiary_name not in html and approved.beneficiary_name not in html


def test_public_list_unknown_year_404(client, committed_grant):
    assert client.get(reverse("funding:public_grants_year", args=[1999])).status_code == 404


def test_approver_reads_ledger_but_not_region_page(client_for, approver, cycle):
    assert client_for(approver).get(reverse("funding:ledger")).status_code == 200
    assert client_for(approver).get(reverse("funding:region")).status_code == 403


def test_budget_tranche_split_must_add_up(budget):
    from django.core.exceptions import ValidationError

    budget.tranche_split = [70, 20]
    with pytest.raises(ValidationError):
        budget.full_clean()
    budget.tranche_split = [70, 30]
    budget.full_clean()


def test_public_notice_index_links_the_years_approved_support(client, committed_grant):
    index = client.get(reverse("reviews:public_notices"))
    year = committed_grant.cycle.year
    link = f'href="{reverse("funding:public_grants_year", args=[year])}"'
    assert link in index.content.decode()


def test_public_notice_index_has_no_support_link_before_a_grant_is_committed(client, make_grant):
    grant = make_grant()
    assert grant.state == "proposed"
    index = client.get(reverse("reviews:public_notices")).content.decode()
    assert reverse("funding:public_grants_year", args=[grant.cycle.year]) not in index
