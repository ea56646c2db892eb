"""Every incubator page refuses those who may not use it: another city's bureau, an expert, a partner, anonymous."""

import pytest
from django.urls import reverse

from incubators.models import IncubatorNomination, PostSubsidy
from pojian.models import NominationState as S

from .factories import PostSubsidyFactory, complete_nomination

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects(bureau, office, cycle):
    nomination = complete_nomination(cycle=cycle, created_by=bureau, state=S.ACCEPTED)
    subsidy = PostSubsidyFactory(incubator=nomination.incubator, year=cycle.year, decided_by=office)
    return nomination, subsidy


def pages(nomination, subsidy):
    """(url name, args, methods, who may use it)."""
    n, i, s = nomination.pk, nomination.incubator_id, subsidy.pk
    return [
        ("bureau_list", [], ["get"], "bureau"),
        ("nomination_create", [], ["get", "post"], "bureau"),
        ("nomination_detail", [n], ["get"], "both"),
        ("nomination_edit", [n], ["get", "post"], "bureau"),
        ("nomination_transition", [n], ["post"], "both"),
        ("nomination_letter", [n], ["get"], "both"),
        ("tenants", [i], ["get", "post"], "both"),
        ("office_list", [], ["get"], "office"),
        ("office_export", [], ["get"], "office"),
        ("post_subsidies", [], ["get"], "office"),
        ("post_subsidy_mark", [], ["post"], "office"),
        ("post_subsidy_remove", [s], ["post"], "office"),
        ("post_subsidy_publish", [], ["post"], "office"),
        ("post_subsidy_from_round", [], ["post"], "office"),
        ("subsidy_rule", [], ["get", "post"], "office"),
    ]


def test_the_table_lists_every_incubator_page(objects):
    from django.urls import URLResolver, get_resolver

    [app] = [p for p in get_resolver().url_patterns if isinstance(p, URLResolver) and p.namespace == "incubators"]
    names = {q.name for q in app.url_patterns} - {"public_post_subsidies"}  # public: anyone, once published
    assert names == {name for name, *_rest in pages(*objects)}


def test_other_city_expert_and_partner_get_403_everywhere(objects, client_for, other_bureau, expert, partner):
    nomination, subsidy = objects
    for name, args, methods, _who in pages(nomination, subsidy):
        url = reverse(f"incubators:{name}", args=args)
        for user in (other_bureau, expert, partner):
            if name in ("bureau_list", "nomination_create") and user is other_bureau:
                continue  # every bureau has its own list and may nominate for its own region
            for method in methods:
                data = {"action": "accept", "nomination": nomination.pk, "amount": "1", "year": "2026", "reason": "x"}
                response = getattr(client_for(user), method)(url, data if method == "post" else None)
                assert response.status_code == 403, (name, user.username, method, response.status_code)
    nomination.refresh_from_db()
    assert nomination.state == S.ACCEPTED and PostSubsidy.objects.filter(pk=subsidy.pk).exists()


def test_anonymous_sent_to_login_everywhere(objects, client_for):
    nomination, subsidy = objects
    for name, args, methods, _who in pages(nomination, subsidy):
        url = reverse(f"incubators:{name}", args=args)
        for method in methods:
            response = getattr(client_for(None), method)(url)
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], (name, method)


def test_office_refused_the_bureau_pages_and_bureau_the_office_pages(objects, client_for, office, bureau):
    nomination, subsidy = objects
    for name, args, methods, who in pages(nomination, subsidy):
        url = reverse(f"incubators:{name}", args=args)
        if who == "bureau":
            assert client_for(office).get(url).status_code == 403, name
        if who == "office":
            for method in methods:
                assert getattr(client_for(bureau), method)(url).status_code == 403, name


def test_other_city_sees_only_its_own_region_in_its_list(objects, client_for, other_bureau):
    response = client_for(other_bureau).get(reverse("incubators:bureau_list"))
    assert response.status_code == 200 and list(response.context["nominations"]) == []


def test_bureau_cannot_take_office_transitions_through_the_page(objects, client_for, bureau, cycle):
    nomination, _ = objects
    IncubatorNomination.objects.filter(pk=nomination.pk).update(state=S.SUBMITTED)
    for action in ("accept", "return", "reject"):
        client_for(bureau).post(reverse("incubators:nomination_transition", args=[nomination.pk]),
                                {"action": action, "reason": "x"})
    nomination.refresh_from_db()
    assert nomination.state == S.SUBMITTED
