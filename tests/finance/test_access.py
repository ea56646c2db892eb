"""Every finance URL refuses those who may not use it: another city's bureau, an expert (who has no
part in finance), the partner account of another institution, and an anonymous visitor — GET and POST.

The walk reads the URL resolver, so a page added later without an entry here fails the test.
"""

import datetime

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from finance.domain import digests
from finance.domain.investments import record_investment
from finance.models import Digest, FinanceNomination, Investment, Partnership, RoadshowScore
from pojian.models import NominationState as S
from tests.enterprises.factories import EnterpriseFactory, EnterpriseNominationFactory

from .factories import FinanceNominationFactory, PartnershipFactory, PresentationFactory, RoadshowFactory

pytestmark = pytest.mark.django_db

# Pages every bureau has for its own region, and pages every partner has for its own institution:
# a visitor of that kind is let in and sees only its own (tests in test_nominations, test_investments,
# test_digests and test_roadshows check the scoping).
OWN_LIST_FOR_ANY_BUREAU = {"nomination_list", "nomination_create", "nomination_export", "institution_list",
                           "institution_create"}
OWN_LIST_FOR_ANY_PARTNER = {"digest_list", "investment_list", "investment_create", "investment_import",
                            "investment_template", "roadshow_list"}


@pytest.fixture
def world(cycle, bureau, office, partner, institution):
    """长春's institution (its partner: `partner`) with a submitted nomination, an investment, a digest,
    a roadshow `partner` judges and a cooperation-list entry."""
    nomination = FinanceNominationFactory(cycle=cycle, institution=institution, created_by=bureau, state=S.SUBMITTED)
    enterprise = EnterpriseFactory(founded_on=datetime.date(2024, 1, 1))
    investment = record_investment(institution=institution, enterprise=enterprise, date=datetime.date(2025, 2, 1),
                                   amount=1000000, round="angel", by=office)
    EnterpriseNominationFactory(cycle=cycle, enterprise=enterprise, state=S.ACCEPTED)
    partnership = PartnershipFactory(institution=institution, year=cycle.year)
    [digest] = digests.prepare_digests(cycle=cycle)
    roadshow = RoadshowFactory(cycle=cycle)
    roadshow.judges.add(partner)
    presentation = PresentationFactory(roadshow=roadshow, enterprise=enterprise)
    return {
        "nomination_detail": [nomination.pk], "nomination_edit": [nomination.pk],
        "nomination_transition": [nomination.pk], "nomination_letter": [nomination.pk],
        "institution_edit": [institution.pk], "investment_edit": [investment.pk],
        "partnership_remove": [partnership.pk], "digest_detail": [digest.pk], "digest_download": [digest.pk],
        "roadshow_detail": [roadshow.pk], "roadshow_score": [roadshow.pk, presentation.pk], "roadshow_plan": [roadshow.pk, presentation.pk],
        "_objects": (nomination, investment, partnership, digest),
    }


def finance_urls(world):
    names = []
    for p in get_resolver().url_patterns:
        if isinstance(p, URLResolver) and p.namespace == "finance":
            for q in p.url_patterns:
                assert isinstance(q, URLPattern)
                names.append(q.name)
    assert len(names) >= 27
    for name in names:
        args = world.get(name, [])
        yield name, reverse(f"finance:{name}", args=args)


DATA = {"action": "withdraw", "summary": "改", "score": "50", "fields": ["name"], "frequency": "daily",
        "amount": "1", "ids": ["1"], "reason": "x"}


def unchanged(world):
    nomination, investment, partnership, digest = world["_objects"]
    nomination = FinanceNomination.objects.get(pk=nomination.pk)
    return (nomination.state == S.SUBMITTED and nomination.summary != "改"
            and Investment.objects.get(pk=investment.pk).amount == investment.amount
            and Partnership.objects.filter(pk=partnership.pk).exists() and Digest.objects.count() == 1
            and not RoadshowScore.objects.exists())


@pytest.mark.parametrize("who", ["other_bureau", "expert", "other_partner"])
def test_every_finance_page_refuses_other_city_expert_and_another_institutions_partner(client_for, world, who, request):
    user = request.getfixturevalue(who)
    request.getfixturevalue("other_institution")  # other_partner acts for 吉林市's institution
    client = client_for(user)
    failures = []
    for name, url in finance_urls(world):
        if (who == "other_bureau" and name in OWN_LIST_FOR_ANY_BUREAU) or (
                who == "other_partner" and name in OWN_LIST_FOR_ANY_PARTNER):
            continue
        for method in ("get", "post"):
            code = getattr(client, method)(url, DATA).status_code
            if code not in (403, 405):
                failures.append((name, method, code))
    assert not failures
    assert unchanged(world)


def test_every_finance_page_sends_an_anonymous_visitor_to_login(client_for, world):
    client = client_for(None)
    failures = []
    for name, url in finance_urls(world):
        for method in ("get", "post"):
            response = getattr(client, method)(url, DATA)
            if not (response.status_code == 302 and reverse("login") in response["Location"]):
                failures.append((name, method, response.status_code))
    assert not failures
    assert unchanged(world)
