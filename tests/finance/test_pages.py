"""Every finance page opens for the role it is for (templates render, in Chinese and English)."""

import datetime

import pytest
from django.urls import reverse

from finance.domain import digests
from finance.domain.investments import record_investment
from pojian.models import NominationState as S
from tests.enterprises.factories import EnterpriseFactory, EnterpriseNominationFactory

from .factories import FinanceNominationFactory, PartnershipFactory, PresentationFactory, RoadshowFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(cycle, bureau, office, partner, institution):
    nomination = FinanceNominationFactory(cycle=cycle, institution=institution, created_by=bureau, state=S.SUBMITTED)
    enterprise = EnterpriseFactory(founded_on=datetime.date(2024, 1, 1))
    investment = record_investment(institution=institution, enterprise=enterprise, date=datetime.date(2025, 2, 1),
                                   amount=1000000, round="angel", by=office)
    EnterpriseNominationFactory(cycle=cycle, enterprise=enterprise, state=S.ACCEPTED)
    PartnershipFactory(institution=institution, year=cycle.year)
    [digest] = digests.prepare_digests(cycle=cycle)
    roadshow = RoadshowFactory(cycle=cycle)
    roadshow.judges.add(partner)
    presentation = PresentationFactory(roadshow=roadshow, enterprise=enterprise)
    return {"nomination": nomination, "investment": investment, "digest": digest, "roadshow": roadshow,
            "presentation": presentation, "institution": institution}


def pages(w):
    n, r = w["nomination"].pk, w["roadshow"].pk
    return {
        "office": [
            ("finance:index", []), ("finance:nomination_list", []), ("finance:nomination_detail", [n]),
            ("finance:institution_list", []), ("finance:institution_create", []), ("finance:institution_edit", [w["institution"].pk]),
            ("finance:investment_list", []), ("finance:investment_create", []), ("finance:investment_edit", [w["investment"].pk]),
            ("finance:investment_import", []), ("finance:partnership_list", []), ("finance:settings", []),
            ("finance:digest_settings", []), ("finance:digest_list", []), ("finance:digest_detail", [w["digest"].pk]),
            ("finance:roadshow_list", []), ("finance:roadshow_detail", [r]), ("home", []),
        ],
        "bureau": [
            ("finance:nomination_list", []), ("finance:nomination_create", []), ("finance:nomination_detail", [n]),
            ("finance:institution_list", []), ("home", []),
        ],
        "partner": [
            ("finance:digest_list", []), ("finance:digest_detail", [w["digest"].pk]), ("finance:investment_list", []),
            ("finance:investment_create", []), ("finance:investment_edit", [w["investment"].pk]),
            ("finance:investment_import", []), ("finance:roadshow_list", []), ("finance:roadshow_detail", [r]),
            ("finance:roadshow_score", [r, w["presentation"].pk]), ("home", []),
        ],
    }


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("role", ["office", "bureau", "partner"])
def test_every_page_opens_for_its_role(client_for, world, role, language, request):
    client = client_for(request.getfixturevalue(role))
    client.cookies["django_language"] = language
    for name, args in pages(world)[role]:
        response = client.get(reverse(name, args=args), HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, (name, response.status_code)


def test_nav_items_per_role(world, office, bureau, partner, expert):
    from finance.panels import nav_items

    assert [url for _label, url in nav_items(office)] == [reverse("finance:index")]
    assert [url for _label, url in nav_items(bureau)] == [reverse("finance:nomination_list")]
    assert reverse("finance:digest_list") in [url for _label, url in nav_items(partner)]
    assert nav_items(expert) == []


def test_pages_are_in_chinese_by_default(client_for, world, partner):
    page = client_for(partner).get(reverse("finance:digest_detail", args=[world["digest"].pk])).content.decode()
    assert "信息联动清单" in page and "企业名称" in page
