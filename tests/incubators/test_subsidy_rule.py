"""Incubator post-subsidies by rule: the list from the confirmed incubator review round, bands of rank
or score, cap, budget scaling, grants in the ledger, manual marking only as an override with a reason."""

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from funding.models import Budget, Grant
from incubators.domain import post_subsidies, subsidy_rule
from incubators.models import IncubatorNomination, PostSubsidy
from pojian.domain.errors import PermissionDenied, StaleEdit, ValidationError
from pojian.models import NominationState as S
from reviews.models import ReviewItem, Round
from tests import factories as core
from tests.funding.factories import line
from tests.reviews.factories import RoundFactory

from .factories import IncubatorFactory, complete_nomination

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def year():
    return core.CycleFactory(year=2026, incubator_quota=3)


def confirmed_round(cycle, scores, bureau):
    round_ = RoundFactory(cycle=cycle, kind=Round.Kind.INCUBATORS)
    ct = ContentType.objects.get_for_model(IncubatorNomination)
    nominations = []
    for rank, score in enumerate(scores, start=1):
        n = complete_nomination(cycle=cycle, created_by=bureau, state=S.SELECTED,
                                incubator=IncubatorFactory(region=bureau.region))
        ReviewItem.objects.create(round=round_, content_type=ct, object_id=n.pk, nominee_name=n.incubator.name,
                                  region=n.region, rank=rank, aggregate=D(score), selected=True)
        nominations.append(n)
    Round.objects.filter(pk=round_.pk).update(results_confirmed_at=timezone.now())
    return nominations


def set_rule(cycle, office, **values):
    rule = subsidy_rule.rule_for_year(cycle=cycle, by=office)
    return subsidy_rule.update_rule(rule=rule, values=values, version=rule.version, by=office)


def test_list_by_rank_bands_within_quota(year, office, bureau):
    nominations = confirmed_round(year, ["95", "90", "85", "80"], bureau)
    set_rule(year, office, by="rank", bands=[[1, "1000000"], [None, "500000"]], cap=None)
    made = subsidy_rule.list_from_round(cycle=year, by=office)
    assert len(made) == 3  # the quota
    amounts = {s.incubator_id: s.amount for s in PostSubsidy.objects.all()}
    assert amounts == {nominations[0].incubator_id: D("1000000"), nominations[1].incubator_id: D("500000"),
                       nominations[2].incubator_id: D("500000")}
    assert PostSubsidy.objects.get(incubator=nominations[0].incubator).rank == 1


def test_list_by_score_bands_cap_and_budget(year, office, bureau):
    confirmed_round(year, ["95", "85", "70"], bureau)
    set_rule(year, office, by="score", bands=[[90, "900000"], [80, "600000"], [0, "300000"]], cap=D("800000"))
    Budget.objects.create(cycle=year, line=line("incubator_post"), amount=D("1000000"), document_no="x")
    subsidy_rule.list_from_round(cycle=year, by=office)
    amounts = sorted(PostSubsidy.objects.values_list("amount", flat=True))
    # Asked 800,000 (capped) + 600,000 + 300,000 = 1,700,000 → scaled to 1,000,000.
    assert sum(amounts) == D("1000000") and amounts[-1] < D("800000")


def test_no_confirmed_round_refused(year, office):
    with pytest.raises(ValidationError):
        subsidy_rule.list_from_round(cycle=year, by=office)


def test_rule_copied_bad_bands_and_stale_refused(year, office):
    last = core.CycleFactory(year=2025, is_current=False)
    set_rule(last, office, by="score", bands=[[80, "100000"]])
    rule = subsidy_rule.rule_for_year(cycle=year, by=office)
    assert rule.by == "score" and rule.bands == [[80, "100000"]]
    with pytest.raises(ValidationError):
        subsidy_rule.update_rule(rule=rule, values={"bands": [[70, "1"], [80, "1"]]}, version=rule.version, by=office)
    with pytest.raises(ValidationError):
        subsidy_rule.update_rule(rule=rule, values={"by": "rank", "bands": [[None, "1"], [3, "1"]]},
                                 version=rule.version, by=office)
    subsidy_rule.update_rule(rule=rule, values={"cap": D("1")}, version=rule.version, by=office)
    with pytest.raises(StaleEdit):
        subsidy_rule.update_rule(rule=rule, values={"cap": D("2")}, version=rule.version, by=office)


def test_manual_marking_is_an_override_with_reason(year, office, bureau):
    nominations = confirmed_round(year, ["95"], bureau)
    subsidy_rule.list_from_round(cycle=year, by=office)
    with pytest.raises(ValidationError):
        post_subsidies.mark_supported(nomination=nominations[0], amount="123", by=office)
    post_subsidies.mark_supported(nomination=nominations[0], amount="123", by=office, notes="绩效突出")
    s = PostSubsidy.objects.get()
    assert s.override_reason == "绩效突出" and s.amount == D("123")
    subsidy_rule.list_from_round(cycle=year, by=office)  # the override stays
    assert PostSubsidy.objects.get().amount == D("123")


def test_grants_in_the_ledger_after_publication(year, office, bureau):
    nominations = confirmed_round(year, ["95", "90"], bureau)
    subsidy_rule.list_from_round(cycle=year, by=office)
    with pytest.raises(ValidationError):
        subsidy_rule.propose_grants(cycle=year, by=office)
    post_subsidies.publish(year=year.year, by=office)
    assert subsidy_rule.propose_grants(cycle=year, by=office) == 2
    grant = Grant.objects.get(beneficiary_id=nominations[0].incubator_id)
    assert grant.line.code == "incubator_post" and grant.amount == PostSubsidy.objects.get(
        incubator=nominations[0].incubator).amount


def test_rolling_years_counted(year, office):
    assert post_subsidies.consecutive_years({2024: 1, 2025: 1, 2026: 1}, 2026) == 3
    assert post_subsidies.consecutive_years({2023: 1, 2025: 1, 2026: 1}, 2026) == 2


def test_only_office_makes_the_list(year, bureau, expert):
    for user in (bureau, expert, None):
        with pytest.raises(PermissionDenied):
            subsidy_rule.list_from_round(cycle=year, by=user)


def test_from_round_page_office_only(client_for, year, office, bureau, expert, client):
    from django.urls import reverse

    confirmed_round(year, ["95"], bureau)
    url = reverse("incubators:post_subsidy_from_round")
    for user in (bureau, expert):
        assert client_for(user).post(url, {"year": year.year}).status_code == 403
    assert client.post(url, {"year": year.year}).status_code == 302 and not PostSubsidy.objects.exists()
    r = client_for(office).post(url, {"year": year.year})
    assert r.status_code == 302 and PostSubsidy.objects.count() == 1
    html = client_for(office).get(reverse("incubators:post_subsidies"), {"year": year.year}).content.decode()
    assert 'data-testid="from-round"' in html
