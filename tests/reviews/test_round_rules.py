"""Rounds: late nominations assigned at once, reassignment candidates, the closing checklist, the
minimum number of reviews at selection, and the deadline reminders counted in working days."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from pojian.domain.errors import ValidationError
from pojian.models import Notification
from reviews.domain import assignment, conflicts, ranking, reminders, rounds, scoring
from reviews.models import Assignment, Conflict, ReviewItem, Round

from .factories import ExpertFactory, accepted_nomination, scoring_round

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def _submit(a, value="40"):
    crit = a.item.round.sheet.criteria.first()
    scoring.save_review(assignment=a, by=a.expert.user, scores={c.pk: value for c in a.item.round.sheet.criteria.all()},
                        recommendation="neutral")
    scoring.submit_review(assignment=a, by=a.expert.user)
    return crit


def test_late_nomination_joins_a_scoring_round_with_its_experts(cycle, office):
    for _ in range(2):
        accepted_nomination(cycle=cycle)
    for _ in range(3):
        ExpertFactory()
    round_ = rounds.create_round(cycle=cycle, kind=Round.Kind.ENTERPRISES, by=office, experts_per_item=2, max_load=5)
    rounds.populate_round(round_=round_, by=office)
    assignment.propose_assignment(round_=round_, by=office)
    assignment.confirm_assignment(round_=round_, by=office)
    rounds.open_scoring(round_=round_, by=office, closes=datetime.datetime(2099, 1, 1, tzinfo=TZ))
    late = accepted_nomination(cycle=cycle)
    Notification.objects.all().delete()
    assert rounds.populate_round(round_=round_, by=office) == (1, 0)
    item = ReviewItem.objects.get(round=round_, object_id=late.pk)
    live = Assignment.objects.filter(item=item)
    assert live.count() == 2 and set(live.values_list("state", flat=True)) == {Assignment.State.CONFIRMED}
    assert assignment.check_assignment(round_) == {"count": [], "load": [], "conflict": [], "duplicate": []}
    assert Notification.objects.filter(user__in=[a.expert.user for a in live]).count() == 2


def test_candidates_after_a_declared_conflict(cycle, office):
    round_, _crits, its, exps, assignments = scoring_round(items=1, experts=2, criteria=1, cycle=cycle)
    spare = [ExpertFactory(), ExpertFactory()]
    conflicts.declare_conflict(assignment=assignments[0], kind=Conflict.Kind.SAME_UNIT, reason="同一单位", by=exps[0].user)
    candidates = [c["expert"] for c in assignment.candidate_experts(its[0])]
    assert set(candidates) == set(spare)  # neither the conflicted expert nor the one still assigned
    page = reverse("reviews:office_round", args=[round_.pk])
    from django.test import Client

    client = Client()
    client.force_login(office)
    assert its[0].nominee_name in client.get(page).content.decode()  # the prompt to reassign
    item_page = client.get(reverse("reviews:office_item", args=[its[0].pk])).content.decode()
    assert 'data-testid="candidates"' in item_page and spare[0].name in item_page


def test_closing_checklist_counts_what_is_open(cycle, office):
    round_, _crits, its, exps, assignments = scoring_round(items=2, experts=3, criteria=1, cycle=cycle)
    _submit(assignments[0])
    scoring.save_review(assignment=assignments[1], by=assignments[1].expert.user,
                        scores={round_.sheet.criteria.first().pk: "10"}, recommendation="neutral")
    checklist = rounds.close_checklist(round_)
    assert (checklist["not_started"], checklist["incomplete"], len(checklist["under_minimum"])) == (4, 1, 2)
    assert checklist["open"]
    with pytest.raises(ValidationError) as info:
        rounds.close_round(round_=round_, by=office)
    assert info.value.code == "open_points"
    round_.refresh_from_db()
    assert round_.phase == Round.Phase.SCORING


def test_closing_with_nothing_open_needs_no_reason(cycle, office):
    round_, _crits, _its, _exps, assignments = scoring_round(items=1, experts=3, criteria=1, cycle=cycle)
    for a in assignments:
        _submit(a)
    assert not rounds.close_checklist(round_)["open"]
    rounds.close_round(round_=round_, by=office)
    assert round_.phase == Round.Phase.CLOSED and round_.close_reason == ""


def test_selection_skips_items_under_the_minimum_unless_overridden(cycle, office):
    round_, _crits, its, _exps, assignments = scoring_round(items=2, experts=3, criteria=1, cycle=cycle)
    for a in assignments:
        if a.item == its[0] or a.expert == assignments[0].expert:
            _submit(a, "45" if a.item == its[1] else "30")  # its[1] has one review, the higher score
    rounds.close_round(round_=round_, by=office, confirm_open=True, reason="测试")
    ranking.rank_round(round_=round_, by=office)
    ranking.select(round_=round_, by=office, quota=2)
    selected = set(ReviewItem.objects.filter(round=round_, selected=True).values_list("pk", flat=True))
    assert selected == {its[0].pk}
    with pytest.raises(ValidationError):
        ranking.override_selection(item=its[1], selected=True, reason="", by=office)
    ranking.override_selection(item=its[1], selected=True, reason="另两位专家因回避无法评审", by=office)
    assert ReviewItem.objects.get(pk=its[1].pk).selected
    from django.test import Client

    client = Client()
    client.force_login(office)
    assert 'data-testid="under-minimum"' in client.get(reverse("reviews:office_results", args=[round_.pk])).content.decode()


def test_reminders_three_and_one_working_day_before_the_deadline(cycle, office):
    round_, _crits, _its, exps, assignments = scoring_round(items=1, experts=2, criteria=1, cycle=cycle)
    _submit(assignments[0])
    # Deadline Friday 2026-10-09, after National Day: three working days before is 09-29, one is 10-08.
    Round.objects.filter(pk=round_.pk).update(scoring_closes=datetime.datetime(2026, 10, 9, 17, 0, tzinfo=TZ))
    assert reminders.send_deadline_reminders(today=datetime.date(2026, 9, 25))["rounds"] == 0
    three = reminders.send_deadline_reminders(today=datetime.date(2026, 9, 30))
    assert three["rounds"] == 1 and three["experts"] == 1  # only the expert with an open review
    assert Notification.objects.filter(user=exps[1].user).count() == 1
    assert Notification.objects.filter(user=exps[0].user).count() == 0
    assert reminders.send_deadline_reminders(today=datetime.date(2026, 10, 2))["rounds"] == 0  # holiday, already sent
    assert reminders.send_deadline_reminders(today=datetime.date(2026, 10, 8))["rounds"] == 1
    assert reminders.send_deadline_reminders(today=datetime.date(2026, 10, 8))["rounds"] == 0  # once only
    round_.refresh_from_db()
    assert round_.reminders_sent == "1,3"


def test_reminder_days_follow_the_calendar(cycle):
    round_, *_rest = scoring_round(items=1, experts=1, criteria=1, cycle=cycle)
    Round.objects.filter(pk=round_.pk).update(scoring_closes=datetime.datetime(2026, 10, 9, 17, 0, tzinfo=TZ))
    round_.refresh_from_db()
    assert reminders.due_reminders(round_, datetime.date(2026, 9, 28)) == []
    assert reminders.due_reminders(round_, datetime.date(2026, 9, 29)) == [3]  # 09-29, 09-30 and 10-08 before it
    assert reminders.due_reminders(round_, datetime.date(2026, 9, 30)) == [3]
    assert reminders.due_reminders(round_, datetime.date(2026, 10, 8)) == [3, 1]


def test_reminder_task_runs_on_the_worker(celery_worker_on_broker, cycle):
    from reviews import tasks

    round_, *_rest = scoring_round(items=1, experts=1, criteria=1, cycle=cycle)
    Round.objects.filter(pk=round_.pk).update(scoring_closes=None)
    assert tasks.send_deadline_reminders.delay().get(timeout=30) == {"rounds": 0, "experts": 0, "skipped": 0}


def test_beat_schedules_the_reminders():
    from django_celery_beat.models import PeriodicTask

    assert PeriodicTask.objects.filter(task="reviews.tasks.send_deadline_reminders", enabled=True).exists()
