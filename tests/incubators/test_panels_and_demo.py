"""The home card and menu entries per role; the demo data set."""

import pytest
from django.apps import apps
from django.urls import reverse

from incubators import demo
from incubators.models import IncubatorNomination, PostSubsidy, Tenancy
from pojian import demo as core_demo
from tests.enterprises.factories import EnterpriseFactory

from .factories import complete_nomination

pytestmark = pytest.mark.django_db


def test_home_card_and_menu_per_role(client_for, bureau, office, expert, partner, cycle):
    complete_nomination(cycle=cycle, created_by=bureau)
    html = client_for(bureau).get(reverse("home")).content.decode()
    assert 'data-testid="incubators-card"' in html and reverse("incubators:nomination_create") in html
    assert reverse("incubators:bureau_list") in html
    html = client_for(office).get(reverse("home")).content.decode()
    assert reverse("incubators:office_list") in html and reverse("incubators:post_subsidies") in html
    for user in (expert, partner):
        html = client_for(user).get(reverse("home")).content.decode()
        assert "/incubators/" not in html


def snapshot():
    return {m._meta.label: m.objects.count() for m in apps.get_app_config("incubators").get_models()}


def test_demo_is_deterministic_idempotent_and_links_demo_enterprises(db):
    cycle = core_demo.seed()
    from pojian.models import Region

    changchun = Region.objects.get(code="220100")
    enterprises = [EnterpriseFactory(region=changchun) for _ in range(5)]
    demo.seed(cycle=cycle)
    first = snapshot()
    values = sorted(IncubatorNomination.objects.values_list("incubator__uscc", "cycle__year", "state"))
    demo.seed(cycle=cycle)
    assert snapshot() == first
    assert sorted(IncubatorNomination.objects.values_list("incubator__uscc", "cycle__year", "state")) == values
    states = set(IncubatorNomination.objects.filter(cycle=cycle).values_list("state", flat=True))
    assert {"draft", "submitted", "accepted", "returned"} <= states
    assert Tenancy.objects.filter(enterprise__in=enterprises).exists()
    # Last years' support, so the rolling history shows.
    years = set(PostSubsidy.objects.values_list("year", flat=True))
    assert {cycle.year - 1, cycle.year - 2} <= years
