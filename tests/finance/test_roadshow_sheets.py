"""Roadshows: a weighted score sheet like a review round's, the judges' materials and a deadline."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from finance.domain import roadshows as domain
from finance.models import RoadshowCriterion, RoadshowScore
from pojian.domain.errors import PermissionDenied, ValidationError
from pojian.domain.pdf import minimal_pdf
from tests import factories as core

from .factories import PresentationFactory, RoadshowFactory

pytestmark = pytest.mark.django_db

PDF_BYTES = minimal_pdf("test")


@pytest.fixture
def roadshow(cycle, partner):
    r = RoadshowFactory(cycle=cycle)
    r.judges.add(partner)
    return r


@pytest.fixture
def sheet(roadshow):
    return [
        RoadshowCriterion.objects.create(roadshow=roadshow, name="技术先进性", max_score=Decimal("40"), weight=Decimal("1"), order=1),
        RoadshowCriterion.objects.create(roadshow=roadshow, name="市场前景", max_score=Decimal("30"), weight=Decimal("2"), order=2),
    ]


def test_weighted_sheet_gives_the_percentage_of_the_maximum(roadshow, sheet, partner):
    p = PresentationFactory(roadshow=roadshow)
    row = domain.score_presentation(presentation=p, judge=partner, values={sheet[0].pk: "30", sheet[1].pk: "21"})
    # (30×1 + 21×2) / (40×1 + 30×2) = 72 / 100
    assert row.percent == Decimal("72.0000") and row.score == 72
    assert sorted(row.values.values_list("value", flat=True)) == [Decimal("21"), Decimal("30")]


def test_weighted_sheet_lists_every_bad_value_and_changes_nothing(roadshow, sheet, partner):
    p = PresentationFactory(roadshow=roadshow)
    with pytest.raises(ValidationError) as info:
        domain.score_presentation(presentation=p, judge=partner, values={sheet[0].pk: "41"})
    assert len(info.value.messages) == 2
    assert not RoadshowScore.objects.exists()


def test_results_rank_by_exact_weighted_means(roadshow, sheet, partner):
    second = core.PartnerFactory(username="judge-2")
    roadshow.judges.add(second)
    a, b = PresentationFactory(roadshow=roadshow), PresentationFactory(roadshow=roadshow)
    domain.score_presentation(presentation=a, judge=partner, values={sheet[0].pk: "40", sheet[1].pk: "10"})  # 60
    domain.score_presentation(presentation=a, judge=second, values={sheet[0].pk: "32", sheet[1].pk: "10"})  # 52
    domain.score_presentation(presentation=b, judge=partner, values={sheet[0].pk: "36.5", sheet[1].pk: "10"})  # 56.5
    rows = domain.results(roadshow)
    assert [(r["presentation"], r["mean"], r["rank"]) for r in rows] == [(b, Decimal("56.50"), 1), (a, Decimal("56.00"), 2)]


def test_score_page_shows_one_field_per_criterion(client_for, roadshow, sheet, partner):
    p = PresentationFactory(roadshow=roadshow)
    url = reverse("finance:roadshow_score", args=[roadshow.pk, p.pk])
    page = client_for(partner).get(url).content.decode()
    assert f'name="criterion_{sheet[0].pk}"' in page and 'name="score"' not in page
    response = client_for(partner).post(url, {f"criterion_{sheet[0].pk}": "20", f"criterion_{sheet[1].pk}": "15", "comment": "好"})
    assert response.status_code == 302
    assert RoadshowScore.objects.get().percent == Decimal("50.0000")


def test_no_scoring_after_the_deadline(roadshow, partner):
    p = PresentationFactory(roadshow=roadshow)
    roadshow.scoring_closes = timezone.now() - datetime.timedelta(minutes=1)
    roadshow.save()
    with pytest.raises(PermissionDenied):
        domain.score_presentation(presentation=p, judge=partner, score=80)
    roadshow.scoring_closes = timezone.now() + datetime.timedelta(days=1)
    roadshow.save()
    assert domain.score_presentation(presentation=p, judge=partner, score=80).score == 80


def test_judges_open_the_business_plan_others_do_not(client_for, roadshow, partner, office, bureau, expert, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    p = PresentationFactory(roadshow=roadshow, financing_need=Decimal("30000000.00"), financing_use="扩建产线")
    p.business_plan.save("plan.pdf", SimpleUploadedFile("plan.pdf", PDF_BYTES))
    url = reverse("finance:roadshow_plan", args=[roadshow.pk, p.pk])
    detail = client_for(partner).get(reverse("finance:roadshow_detail", args=[roadshow.pk])).content.decode()
    assert url in detail and "30000000.00" in detail and "扩建产线" in detail
    response = client_for(partner).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF-")
    assert client_for(office).get(url).status_code == 200
    outsider = core.PartnerFactory(username="not-a-judge")
    for user in (outsider, bureau, expert):
        assert client_for(user).get(url).status_code == 403
    assert client_for(None).get(url).status_code == 302


def test_business_plan_must_really_be_a_pdf(roadshow):
    from django.core.exceptions import ValidationError as DjangoValidationError

    p = PresentationFactory(roadshow=roadshow)
    p.business_plan = SimpleUploadedFile("plan.pdf", b"MZ\x90\x00 not a pdf")
    with pytest.raises(DjangoValidationError):
        p.full_clean()
