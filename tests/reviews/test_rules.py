"""Permissions: the assigned expert may see and score; another city's bureau, an unassigned or
conflicted expert and an anonymous visitor are refused."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from reviews.domain.conflicts import record_conflict
from reviews.models import Assignment, Conflict, PublicNotice, ReviewItem, Round

from .factories import AssignmentFactory, ExpertFactory, ReviewItemFactory, RoundFactory

pytestmark = pytest.mark.django_db

EXPERT_PERMS = ("reviews.view_assignment", "reviews.score_assignment", "reviews.declare_conflict")
OFFICE_PERMS = ("reviews.manage_rounds", "reviews.manage_experts", "reviews.manage_conflicts",
                "reviews.manage_assignments", "reviews.rank_round", "reviews.select",
                "reviews.publish_notice", "reviews.confirm_results", "reviews.export_results", "reviews.import_experts")


@pytest.fixture
def scene(cycle):
    item = ReviewItemFactory(round=RoundFactory(cycle=cycle, phase=Round.Phase.SCORING))
    mine = AssignmentFactory(item=item)
    return item, mine


def test_assigned_expert_may_view_and_score(scene):
    item, mine = scene
    user = mine.expert.user
    for perm in EXPERT_PERMS:
        assert user.has_perm(perm, mine), perm
    assert user.has_perm("reviews.view_item", item)
    assert user.has_perm("reviews.view_expert_dashboard")


def test_unassigned_expert_is_refused(scene):
    item, mine = scene
    stranger = ExpertFactory().user
    for perm in EXPERT_PERMS:
        assert not stranger.has_perm(perm, mine), perm
    assert not stranger.has_perm("reviews.view_item", item)


def test_conflicted_expert_is_refused(scene, office):
    item, mine = scene
    user = mine.expert.user
    # Recorded directly (pending, detected) so the assignment stays: the rule alone must refuse.
    Conflict.objects.create(expert=mine.expert, nominee_uscc=item.nominee_uscc, kind=Conflict.Kind.SAME_UNIT,
                            source=Conflict.Source.DETECTED, status=Conflict.Status.PENDING)
    user = type(user).objects.get(pk=user.pk)
    for perm in EXPERT_PERMS:
        assert not user.has_perm(perm, mine), perm
    assert not user.has_perm("reviews.view_item", item)


def test_dismissed_conflict_does_not_refuse(scene, office):
    item, mine = scene
    Conflict.objects.create(expert=mine.expert, nominee_uscc=item.nominee_uscc, kind=Conflict.Kind.SAME_UNIT,
                            source=Conflict.Source.DETECTED, status=Conflict.Status.DISMISSED)
    assert mine.expert.user.has_perm("reviews.score_assignment", mine)


def test_declared_conflict_withdraws_and_refuses(scene, office):
    item, mine = scene
    record_conflict(expert=mine.expert, kind=Conflict.Kind.RELATIVE, source=Conflict.Source.DECLARED, by=mine.expert.user,
                    reason="亲属", item=item)
    mine.refresh_from_db()
    assert mine.state == Assignment.State.WITHDRAWN
    assert not mine.expert.user.has_perm("reviews.view_assignment", mine)
    assert not mine.expert.user.has_perm("reviews.view_item", item)


def test_other_bureau_and_anonymous_are_refused(scene, other_bureau, bureau):
    item, mine = scene
    for user in (other_bureau, bureau, AnonymousUser()):
        for perm in EXPERT_PERMS + ("reviews.view_item",):
            assert not user.has_perm(perm, mine if perm != "reviews.view_item" else item), (user, perm)
        for perm in OFFICE_PERMS:
            assert not user.has_perm(perm, item.round), (user, perm)
        assert not user.has_perm("reviews.view_expert_dashboard")


def test_experts_have_no_office_permission(scene):
    _item, mine = scene
    for perm in OFFICE_PERMS:
        assert not mine.expert.user.has_perm(perm, mine.item.round), perm


def test_office_has_the_office_permissions_but_does_not_score(scene, office):
    item, mine = scene
    for perm in OFFICE_PERMS:
        assert office.has_perm(perm, item.round), perm
    assert office.has_perm("reviews.view_item", item)
    assert not office.has_perm("reviews.score_assignment", mine)


def test_office_sees_scores_only_once_the_round_is_closed(scene, office, bureau, other_bureau):
    item, mine = scene  # the round is in the scoring phase
    for obj in (item.round, item, mine, None):
        assert not office.has_perm("reviews.view_scores", obj), obj
    Round.objects.filter(pk=item.round_id).update(phase=Round.Phase.CLOSED)
    item = ReviewItem.objects.select_related("round").get(pk=item.pk)
    mine = Assignment.objects.select_related("item__round").get(pk=mine.pk)
    for obj in (item.round, item, mine):
        assert office.has_perm("reviews.view_scores", obj), obj
    for user in (bureau, other_bureau, mine.expert.user, AnonymousUser()):
        assert not user.has_perm("reviews.view_scores", item.round), user


@pytest.mark.parametrize("phase", [Round.Phase.ASSIGNMENT, Round.Phase.CLOSED])
def test_expert_sees_nothing_outside_the_scoring_phase(scene, phase):
    item, mine = scene
    Round.objects.filter(pk=item.round_id).update(phase=phase)
    mine = Assignment.objects.get(pk=mine.pk)
    assert not mine.expert.user.has_perm("reviews.view_assignment", mine)
    assert not mine.expert.user.has_perm("reviews.score_assignment", mine)
    item.round.refresh_from_db()
    assert not mine.expert.user.has_perm("reviews.view_item", item)


def test_submitted_assignment_is_viewable_not_scorable(scene):
    _item, mine = scene
    Assignment.objects.filter(pk=mine.pk).update(progress=Assignment.Progress.SUBMITTED)
    mine.refresh_from_db()
    assert mine.expert.user.has_perm("reviews.view_assignment", mine)
    assert not mine.expert.user.has_perm("reviews.score_assignment", mine)


def test_proposed_assignment_is_invisible(scene):
    item, mine = scene
    Assignment.objects.filter(pk=mine.pk).update(state=Assignment.State.PROPOSED)
    mine.refresh_from_db()
    assert not mine.expert.user.has_perm("reviews.view_assignment", mine)
    assert not mine.expert.user.has_perm("reviews.view_item", item)


def test_bureau_sees_its_own_outcome_after_confirmation(scene, bureau, other_bureau):
    item, _mine = scene
    assert item.region_id == bureau.region_id
    assert not bureau.has_perm("reviews.view_outcome", item)
    Round.objects.filter(pk=item.round_id).update(results_confirmed_at=timezone.now())
    item.round.refresh_from_db()
    assert bureau.has_perm("reviews.view_outcome", item)
    assert not other_bureau.has_perm("reviews.view_outcome", item)
    assert not AnonymousUser().has_perm("reviews.view_outcome", item)


def test_public_notice_is_public_once_started(scene, office):
    item, _mine = scene
    notice = PublicNotice(round=item.round, title="t", starts=timezone.localdate(), ends=timezone.localdate(),
                          how_to_object="x", published_by=office)
    assert AnonymousUser().has_perm("reviews.view_public_notice", notice)
    notice.starts = timezone.localdate() + timezone.timedelta(days=1)
    assert not AnonymousUser().has_perm("reviews.view_public_notice", notice)
