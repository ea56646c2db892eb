"""Conflicts: detected (same unit by USCC or normalised name; investor), declared, confirmed, dismissed."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps

from pojian.domain.errors import PermissionDenied, ValidationError
from pojian.models import Notification
from reviews.domain import conflicts
from reviews.models import Assignment, Conflict
from tests.enterprises import factories as ent

from .factories import AssignmentFactory, ExpertFactory, ReviewItemFactory, RoundFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("吉林（长春）光电股份有限公司", "吉林(长春)光电有限公司"),
        ("长春 禹衡 光学有限公司", "长春禹衡光学有限责任公司"),
        ("ＡＢＣ科技有限公司", "abc科技"),
        ("吉林【测试】科技有限公司", "吉林测试科技"),
    ],
)
def test_normalise_name_equal_variants(a, b):
    assert conflicts.normalise_name(a) == conflicts.normalise_name(b)


def test_normalise_name_keeps_different_companies_apart():
    assert conflicts.normalise_name("长春光学有限公司") != conflicts.normalise_name("吉林光学有限公司")
    assert conflicts.normalise_name("有限公司") == "有限公司"  # never reduced to nothing


def test_detect_same_unit_by_uscc(cycle, office):
    item = ReviewItemFactory(round=RoundFactory(cycle=cycle))
    expert = ExpertFactory(unit_name="另一个名字", unit_uscc=item.nominee_uscc)
    found = conflicts.detect_conflicts(round_=item.round, by=office)
    assert [(c.expert, c.kind, c.status, c.source) for c in found] == [
        (expert, Conflict.Kind.SAME_UNIT, Conflict.Status.PENDING, Conflict.Source.DETECTED)
    ]
    assert found[0].nominee_uscc == item.nominee_uscc


def test_detect_same_unit_by_normalised_name(cycle):
    item = ReviewItemFactory(round=RoundFactory(cycle=cycle), nominee_name="长春测试光电有限公司")
    name = "长春测试光电 股份有限公司"
    expert = ExpertFactory(unit_name=name)
    found = conflicts.detect_conflicts(round_=item.round)
    assert [c.expert for c in found] == [expert]


def test_detect_is_idempotent_and_never_revives_a_dismissed_conflict(cycle, office):
    item = ReviewItemFactory(round=RoundFactory(cycle=cycle))
    ExpertFactory(unit_uscc=item.nominee_uscc)
    (first,) = conflicts.detect_conflicts(round_=item.round)
    assert conflicts.detect_conflicts(round_=item.round) == []
    conflicts.dismiss_conflict(conflict=first, by=office, reason="同名不同单位")
    assert conflicts.detect_conflicts(round_=item.round) == []
    first.refresh_from_db()
    assert first.status == Conflict.Status.DISMISSED


def test_detect_investor_when_the_finance_app_has_investments(cycle):
    if not apps.is_installed("finance"):
        pytest.skip("finance app not installed")
    try:
        institution_model = apps.get_model("finance", "FinanceInstitution")
        investment_model = apps.get_model("finance", "Investment")
    except LookupError:
        pytest.skip("finance models not there yet")
    item = ReviewItemFactory(round=RoundFactory(cycle=cycle))
    enterprise = item.nomination.enterprise
    institution = institution_model.objects.create(
        name="吉林省创新投资有限公司", uscc=ent.make_uscc(777001), kind="vc", region=enterprise.region,
    )
    investment_model.objects.create(
        institution=institution, enterprise=enterprise, date=datetime.date(2025, 5, 1), amount=Decimal("1000000"), round="a",
    )
    by_uscc = ExpertFactory(unit_name="某投资基金", unit_uscc=institution.uscc)
    by_name = ExpertFactory(unit_name="吉林省创新投资（有限责任公司）")
    found = {(c.expert_id, c.kind) for c in conflicts.detect_conflicts(round_=item.round)}
    assert found == {(by_uscc.pk, Conflict.Kind.INVESTOR_OR_ADVISER), (by_name.pk, Conflict.Kind.INVESTOR_OR_ADVISER)}


def test_detected_conflict_withdraws_a_live_assignment_and_tells_the_office(cycle, office):
    item = ReviewItemFactory(round=RoundFactory(cycle=cycle))
    expert = ExpertFactory()
    assignment = AssignmentFactory(item=item, expert=expert, state=Assignment.State.CONFIRMED)
    expert.unit_uscc = item.nominee_uscc
    expert.save()
    conflicts.detect_for_expert(expert, by=office)
    assignment.refresh_from_db()
    assert assignment.state == Assignment.State.WITHDRAWN
    assert Notification.objects.filter(user=office, subject__contains=expert.name).exists()


def test_declare_conflict_hands_the_assignment_back(cycle, office):
    assignment = AssignmentFactory(item=ReviewItemFactory(round=RoundFactory(cycle=cycle, phase="scoring")))
    conflict = conflicts.declare_conflict(
        assignment=assignment, kind=Conflict.Kind.RELATIVE, reason="总经理是我的亲属", by=assignment.expert.user
    )
    assert conflict.source == Conflict.Source.DECLARED
    assert conflict.status == Conflict.Status.CONFIRMED
    assert conflict.is_blocking
    assignment.refresh_from_db()
    assert assignment.state == Assignment.State.WITHDRAWN
    assert Notification.objects.filter(user=office).exists()


def test_declare_conflict_needs_a_reason(cycle):
    assignment = AssignmentFactory(item=ReviewItemFactory(round=RoundFactory(cycle=cycle, phase="scoring")))
    with pytest.raises(ValidationError):
        conflicts.declare_conflict(assignment=assignment, kind=Conflict.Kind.OTHER, reason="  ", by=assignment.expert.user)
    assignment.refresh_from_db()
    assert assignment.state == Assignment.State.CONFIRMED


def test_declare_conflict_refused_for_another_experts_assignment(cycle):
    assignment = AssignmentFactory(item=ReviewItemFactory(round=RoundFactory(cycle=cycle, phase="scoring")))
    other = ExpertFactory()
    with pytest.raises(PermissionDenied):
        conflicts.declare_conflict(assignment=assignment, kind=Conflict.Kind.OTHER, reason="x", by=other.user)


def test_declare_conflict_refused_in_a_closed_round(cycle):
    assignment = AssignmentFactory(item=ReviewItemFactory(round=RoundFactory(cycle=cycle, phase="closed")))
    with pytest.raises(PermissionDenied):
        conflicts.declare_conflict(assignment=assignment, kind=Conflict.Kind.OTHER, reason="x", by=assignment.expert.user)


def test_confirm_and_dismiss_are_the_offices(cycle, office, expert):
    item = ReviewItemFactory(round=RoundFactory(cycle=cycle))
    ExpertFactory(unit_uscc=item.nominee_uscc)
    (found,) = conflicts.detect_conflicts(round_=item.round)
    with pytest.raises(PermissionDenied):
        conflicts.confirm_conflict(conflict=found, by=expert)
    confirmed = conflicts.confirm_conflict(conflict=found, by=office)
    assert confirmed.status == Conflict.Status.CONFIRMED and confirmed.decided_by == office
    with pytest.raises(ValidationError):
        conflicts.dismiss_conflict(conflict=found, by=office, reason="")
    dismissed = conflicts.dismiss_conflict(conflict=found, by=office, reason="已调离该单位")
    assert dismissed.status == Conflict.Status.DISMISSED
    assert not conflicts.is_conflicted(expert_id=found.expert_id, item=item)
    # the audit trail keeps every step with who and why
    history = list(found.history.order_by("history_date").values_list("status", "history_user_id"))
    assert history[-2:] == [(Conflict.Status.CONFIRMED, office.pk), (Conflict.Status.DISMISSED, office.pk)]


def test_conflict_by_uscc_holds_in_every_round(cycle, office):
    item = ReviewItemFactory(round=RoundFactory(cycle=cycle))
    expert = ExpertFactory()
    conflicts.record_conflict(expert=expert, kind=Conflict.Kind.COLLABORATION, source=Conflict.Source.OFFICE,
                              by=office, reason="近三年合作项目", nominee_uscc=item.nominee_uscc.lower())
    assert conflicts.is_conflicted(expert_id=expert.pk, item=item)
    assert (expert.pk, item.pk) in conflicts.blocked_pairs(item.round)


def test_record_conflict_raises_a_dismissed_one_again(cycle, office):
    item = ReviewItemFactory(round=RoundFactory(cycle=cycle))
    expert = ExpertFactory(unit_uscc=item.nominee_uscc)
    (found,) = conflicts.detect_conflicts(round_=item.round)
    conflicts.dismiss_conflict(conflict=found, by=office, reason="误报")
    again = conflicts.record_conflict(expert=expert, kind=Conflict.Kind.SAME_UNIT, source=Conflict.Source.OFFICE,
                                      by=office, reason="复核确认同单位", item=item)
    assert again.pk == found.pk and again.status == Conflict.Status.CONFIRMED
    assert Conflict.objects.filter(expert=expert).count() == 1


def test_record_conflict_needs_a_nominee(office):
    with pytest.raises(ValidationError):
        conflicts.record_conflict(expert=ExpertFactory(), kind=Conflict.Kind.OTHER, source=Conflict.Source.OFFICE,
                                  by=office, reason="x")


def test_conflict_on_a_nominee_without_uscc_uses_the_nomination(cycle, office):
    item = ReviewItemFactory(round=RoundFactory(cycle=cycle), nominee_uscc="")
    expert = ExpertFactory()
    conflicts.record_conflict(expert=expert, kind=Conflict.Kind.OTHER, source=Conflict.Source.OFFICE, by=office,
                              reason="x", item=item)
    assert conflicts.is_conflicted(expert_id=expert.pk, item=item)
    assert (expert.pk, item.pk) in conflicts.blocked_pairs(item.round)
