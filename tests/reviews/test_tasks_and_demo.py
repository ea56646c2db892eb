"""A review job through a real Celery worker, and the demo data."""

import pytest

from pojian.models import Job, User
from reviews.models import Assignment, Conflict, Expert, Round


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_propose_job_runs_on_a_real_worker(celery_worker_on_broker, cycle, office):
    from reviews.domain.jobs import start_propose

    from .factories import ExpertFactory, ReviewItemFactory, RoundFactory

    round_ = RoundFactory(cycle=cycle, experts_per_item=2, max_load=5)
    for _ in range(3):
        ReviewItemFactory(round=round_)
    for _ in range(3):
        ExpertFactory()
    job, _ = start_propose(round_=round_, by=office)
    import time

    for _ in range(300):  # wait for the worker (not a timing assertion: the outcome is checked)
        job.refresh_from_db()
        if not job.is_active:
            break
        time.sleep(0.1)
    assert job.status == Job.Status.DONE, job.message
    assert Assignment.objects.filter(item__round=round_).count() == 6


@pytest.mark.django_db
def test_demo_seed_gives_each_role_its_part(django_capture_on_commit_callbacks, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast demo accounts
    from pojian import demo as core_demo
    from reviews import demo

    with django_capture_on_commit_callbacks(execute=False):
        cycle = core_demo.seed()
        demo.seed(cycle=cycle)  # no enterprise nominations yet: it makes its own
        counts = (Expert.objects.count(), Assignment.objects.count(), Conflict.objects.count())
        demo.seed(cycle=cycle)  # idempotent
    assert (Expert.objects.count(), Assignment.objects.count(), Conflict.objects.count()) == counts
    round_ = Round.objects.get(kind=Round.Kind.ENTERPRISES)
    assert round_.phase == Round.Phase.SCORING
    assert Expert.objects.count() >= 24
    first = Expert.objects.get(user__username="expert-1")
    for i in range(1, 6):
        assert Expert.objects.filter(user=User.objects.get(username=f"expert-{i}")).exists()
    mine = Assignment.objects.filter(expert=first, state=Assignment.State.CONFIRMED, item__round=round_)
    assert mine.filter(progress=Assignment.Progress.SUBMITTED).count() >= 1
    assert mine.exclude(progress=Assignment.Progress.SUBMITTED).count() >= 2
    assert Conflict.objects.filter(source=Conflict.Source.DETECTED).exists()
    from reviews.domain.assignment import check_assignment

    assert check_assignment(round_) == {"count": [], "load": [], "conflict": [], "duplicate": []}
