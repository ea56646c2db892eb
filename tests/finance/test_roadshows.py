"""Roadshows: only the event's judges score, 0–100; results rank by mean score."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from finance.domain import roadshows as domain
from finance.models import RoadshowScore

from .factories import PresentationFactory, RoadshowFactory

pytestmark = pytest.mark.django_db


def refused(response):
    return response.status_code == 403 or (response.status_code == 302 and "/accounts/login/" in response["Location"])


@pytest.fixture
def roadshow(cycle, partner):
    r = RoadshowFactory(cycle=cycle)
    r.judges.add(partner)
    return r


def test_judge_scores_and_changes_a_score(client_for, roadshow, partner):
    p = PresentationFactory(roadshow=roadshow)
    url = reverse("finance:roadshow_score", args=[roadshow.pk, p.pk])
    assert client_for(partner).get(url).status_code == 200
    assert client_for(partner).post(url, {"score": 88, "comment": "好"}).status_code == 302
    assert client_for(partner).post(url, {"score": 91, "comment": "更好"}).status_code == 302
    score = RoadshowScore.objects.get()
    assert (score.judge, score.score, score.comment) == (partner, 91, "更好")
    assert score.history.count() == 2


@pytest.mark.parametrize("value", [-1, 101, "八十"])
def test_score_out_of_range_is_refused(client_for, roadshow, partner, value):
    p = PresentationFactory(roadshow=roadshow)
    response = client_for(partner).post(reverse("finance:roadshow_score", args=[roadshow.pk, p.pk]), {"score": value})
    assert response.status_code == 200 and response.context["form"].errors
    assert not RoadshowScore.objects.exists()


@pytest.mark.parametrize("who", ["other_partner", "office", "bureau", "other_bureau", "expert", "anonymous"])
def test_only_judges_may_score(client_for, roadshow, who, request):
    p = PresentationFactory(roadshow=roadshow)
    user = None if who == "anonymous" else request.getfixturevalue(who)
    url = reverse("finance:roadshow_score", args=[roadshow.pk, p.pk])
    assert refused(client_for(user).get(url))
    assert refused(client_for(user).post(url, {"score": 50}))
    assert not RoadshowScore.objects.exists()


def test_no_scoring_once_closed(client_for, roadshow, partner):
    p = PresentationFactory(roadshow=roadshow)
    roadshow.scoring_open = False
    roadshow.save()
    assert client_for(partner).post(reverse("finance:roadshow_score", args=[roadshow.pk, p.pk]), {"score": 50}).status_code == 403
    with pytest.raises(PermissionDenied):
        domain.score_presentation(presentation=p, judge=partner, score=50)


def test_presentation_of_another_roadshow_is_not_found(client_for, roadshow, partner, cycle):
    other = PresentationFactory(roadshow=RoadshowFactory(cycle=cycle))
    assert client_for(partner).post(reverse("finance:roadshow_score", args=[roadshow.pk, other.pk]), {"score": 50}).status_code == 404


def test_domain_refuses_non_integer_scores(roadshow, partner):
    p = PresentationFactory(roadshow=roadshow)
    for bad in (Decimal("80.5"), 101, True):
        with pytest.raises(ValidationError):
            domain.score_presentation(presentation=p, judge=partner, score=bad)


def test_results_mean_and_rank_with_ties(roadshow, partner, other_partner, cycle):
    roadshow.judges.add(other_partner)
    a, b, c, d = (PresentationFactory(roadshow=roadshow) for _ in range(4))
    for p, (s1, s2) in zip((a, b, c), ((80, 91), (90, 81), (70, 70)), strict=True):
        domain.score_presentation(presentation=p, judge=partner, score=s1)
        domain.score_presentation(presentation=p, judge=other_partner, score=s2)
    rows = domain.results(roadshow)
    assert [(r["presentation"], r["mean"], r["rank"], r["count"]) for r in rows] == [
        (a, Decimal("85.50"), 1, 2), (b, Decimal("85.50"), 1, 2), (c, Decimal("70.00"), 3, 2), (d, None, None, 0)]


def test_results_shown_to_the_office_not_to_judges(client_for, roadshow, office, partner):
    PresentationFactory(roadshow=roadshow)
    url = reverse("finance:roadshow_detail", args=[roadshow.pk])
    assert client_for(office).get(url).context["results"] is not None
    assert client_for(partner).get(url).context["results"] is None


@pytest.mark.parametrize("who", ["other_partner", "bureau", "expert", "anonymous"])
def test_roadshow_detail_refused_to_non_judges(client_for, roadshow, who, request):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    assert refused(client_for(user).get(reverse("finance:roadshow_detail", args=[roadshow.pk])))


def test_partner_lists_only_roadshows_it_judges(client_for, roadshow, partner, other_partner, cycle):
    RoadshowFactory(cycle=cycle).judges.add(other_partner)
    assert list(client_for(partner).get(reverse("finance:roadshow_list")).context["object_list"]) == [roadshow]


def test_an_office_superuser_is_no_judge(client_for, roadshow):
    from tests import factories as core

    admin = core.OfficeFactory(username="office-super", is_staff=True, is_superuser=True)
    p = PresentationFactory(roadshow=roadshow)
    assert client_for(admin).post(reverse("finance:roadshow_score", args=[roadshow.pk, p.pk]), {"score": 50}).status_code == 403
    with pytest.raises(PermissionDenied):
        domain.score_presentation(presentation=p, judge=admin, score=50)
    assert not RoadshowScore.objects.exists()
