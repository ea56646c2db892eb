"""The demo data set has what the issue lists: institutions, investments, nominations in several
states, a partner on the cooperation list with a digest ready, and a roadshow; it is safe to run twice."""

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from finance import demo as finance_demo
from finance.models import Digest, FinanceInstitution, FinanceNomination, Investment, Partnership, Roadshow
from pojian.models import Cycle, User

pytestmark = pytest.mark.django_db


def snapshot():
    return {m._meta.label: m.objects.count() for m in apps.get_app_config("finance").get_models()}


def test_demo_has_every_part_and_the_partner_sees_it(client_for):
    call_command("seed_demo", stdout=io.StringIO())
    year = Cycle.objects.current().year
    assert set(FinanceInstitution.objects.values_list("kind", flat=True)) == set(FinanceInstitution.Kind.values)
    assert Investment.objects.filter(enterprise__isnull=False).count() >= 10
    states = set(FinanceNomination.objects.filter(cycle__year=year).values_list("state", flat=True))
    assert {"draft", "submitted", "returned", "accepted", "rejected"} <= states
    partner = User.objects.get(username="partner-1")
    [institution] = partner.finance_institutions.all()
    assert Partnership.objects.filter(institution=institution, year=year).exists()
    digest = Digest.objects.get(institution=institution, cycle__year=year)
    assert digest.rows, "the digest lists the year's accepted and selected enterprises"
    roadshow = Roadshow.objects.get(cycle__year=year)
    assert partner in roadshow.judges.all() and roadshow.presentations.count() >= 3
    client = client_for(partner)
    assert list(client.get(reverse("finance:digest_list")).context["object_list"]) == [digest]
    assert list(client.get(reverse("finance:roadshow_list")).context["object_list"]) == [roadshow]
    first = snapshot()
    # Finance's part run again (the whole command twice is tests/pojian/test_seed_demo.py's job; seed_demo
    # is the slowest set-up of the suite).
    finance_demo.seed(cycle=Cycle.objects.current(), stdout=io.StringIO())
    assert snapshot() == first
