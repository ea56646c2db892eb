"""A partner on a phone-sized screen: opens its digest from the home card and scores a roadshow presentation."""

import pytest
from django.conf import settings

from finance.domain.digests import prepare_digests
from finance.models import RoadshowScore
from pojian import demo
from pojian.models import NominationState as S
from pojian.models import User
from tests.browsing import log_in
from tests.enterprises.factories import EnterpriseFactory, EnterpriseNominationFactory, ensure_regions
from tests.finance.factories import InstitutionFactory, PartnershipFactory, PresentationFactory, RoadshowFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_partner_reads_its_digest_and_scores_on_a_small_screen(live_server, page):
    ensure_regions()  # an earlier transactional test may have flushed the data migration's regions
    cycle = demo.seed()
    partner = User.objects.get(username="partner-1")
    institution = InstitutionFactory(name="吉林省科技投资基金有限公司")
    institution.users.add(partner)
    PartnershipFactory(institution=institution, year=cycle.year, added_by=User.objects.get(username="office"))
    enterprise = EnterpriseFactory(name="长春光谱仪器有限公司")
    EnterpriseNominationFactory(cycle=cycle, enterprise=enterprise, state=S.SELECTED)
    prepare_digests(cycle=cycle)
    roadshow = RoadshowFactory(cycle=cycle, title="科技企业路演")
    roadshow.judges.add(partner)
    presentation = PresentationFactory(roadshow=roadshow, enterprise=enterprise)

    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server.url, "partner-1", settings.DEMO_PASSWORD)
    page.click("[data-testid=latest-digest]")
    page.wait_for_url("**/finance/digests/*/")
    assert "长春光谱仪器有限公司" in page.inner_text("[data-testid=digest-rows]")
    assert "企业名称" in page.inner_text("[data-testid=digest-rows]")

    page.goto(f"{live_server.url}/finance/roadshows/{roadshow.pk}/")
    page.click(f"[data-testid=score-{presentation.pk}]")
    page.fill("input[name=score]", "88")
    page.fill("textarea[name=comment]", "市场前景好")
    page.click("[data-testid=score-form] button[type=submit]")
    page.wait_for_url(f"**/finance/roadshows/{roadshow.pk}/")
    assert "88" in page.inner_text("[data-testid=my-scores]")
    score = RoadshowScore.objects.get()
    assert (score.judge, score.score, score.comment) == (partner, 88, "市场前景好")
