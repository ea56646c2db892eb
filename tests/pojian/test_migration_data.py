"""The rows the data migrations load survive a transactional test's flush (tests/migration_data.py, restored by
tests/conftest.py): the second test runs after the first one's flush, in the same database (run the file
without xdist, or with --reuse-db, to see the order; the check does not depend on it)."""

import pytest

from tests.migration_data import DATASETS

FLUSHED_MARK = "flushed-by-a-transactional-test"


def migration_rows():
    from django_celery_beat.models import PeriodicTask

    from funding.models import FundingLine
    from pojian.models import CalendarDay, CalendarYear, Region

    return {
        "regions": Region.objects.count(),
        "counties": Region.objects.filter(parent__isnull=False).count(),
        "calendar years": sorted(CalendarYear.objects.values_list("year", flat=True)),
        "calendar days": CalendarDay.objects.count(),
        "funding lines": sorted(FundingLine.objects.values_list("code", flat=True)),
        "periodic tasks": sorted(PeriodicTask.objects.values_list("name", "task")),
    }


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_sees_the_migrations_rows_and_leaves_a_mark():
    from pojian.models import User

    rows = migration_rows()
    assert rows["regions"] > 60 and rows["counties"] > 50 and 2004 in rows["calendar years"]
    assert rows["funding lines"] == ["incubator_post", "project_support", "rd_post", "tech_contract"]
    assert len(rows["periodic tasks"]) == 5
    User.objects.create(username=FLUSHED_MARK)  # committed: only the flush at the end removes it


def test_after_the_flush_the_migrations_rows_are_back(db):
    from django_celery_beat.models import PeriodicTask

    from pojian.models import User

    rows = migration_rows()
    assert rows["regions"] > 60 and rows["counties"] > 50
    assert list(range(2004, 2027)) == [y for y in rows["calendar years"] if 2004 <= y <= 2026]
    assert rows["calendar days"] > 500
    assert rows["funding lines"] == ["incubator_post", "project_support", "rd_post", "tech_contract"]
    assert dict(rows["periodic tasks"]) == {
        "assessment: recompute changed assessments": "assessment.tasks.recompute_changed_assessments",
        "funding: project report reminders": "funding.tasks.send_due_reminders",
        "pojian: re-send queued jobs never started": "pojian.tasks.resend_queued_jobs",
        "统计报表：催报提醒": "reports.send_return_reminders",
        "reviews: scoring deadline reminders": "reviews.tasks.send_deadline_reminders",
    }
    recompute = PeriodicTask.objects.get(name="assessment: recompute changed assessments")
    assert (recompute.interval.every, recompute.interval.period) == (1, "minutes")  # 0003 ran after 0002
    assert not User.objects.filter(username=FLUSHED_MARK).exists()  # the transactional test's rows are gone


def test_every_data_set_is_restored_when_missing(transactional_db):
    """Each data set, deleted as a flush would, comes back from its migrations' functions."""
    from django_celery_beat.models import PeriodicTask

    from funding.models import FundingLine
    from pojian.models import CalendarDay, CalendarYear
    from tests.migration_data import restore

    before = migration_rows()
    PeriodicTask.objects.all().delete()
    FundingLine.objects.all().delete()
    CalendarDay.objects.all().delete()
    CalendarYear.objects.all().delete()
    assert restore() == ["holiday calendar", "funding lines", "periodic tasks"]
    assert migration_rows() == before
    assert restore() == []
    assert [name for name, _present, _loaders in DATASETS] == ["regions", "holiday calendar", "funding lines",
                                                               "periodic tasks"]
