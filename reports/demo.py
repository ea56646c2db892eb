"""Demo data for reports: the year's progress figures released to the public page, and a
(disabled) monthly report schedule to show how scheduling looks. Safe to run twice."""

from pojian.models import Cycle, User

from .domain import public, schedules
from .models import ProgressRelease

SCHEDULE_NAME = "每月全省年度报告（示例）"


def seed(*, cycle, stdout=None):
    office = User.objects.filter(username="office").first()
    if office is None or cycle is None:
        return
    # Last year's final figures too, so the public page shows a finished year beside the running one.
    for year_cycle in Cycle.objects.filter(year__in=[cycle.year - 1, cycle.year]).order_by("year"):
        if not ProgressRelease.objects.filter(cycle=year_cycle).exists():
            public.release_progress(cycle=year_cycle, by=office, note="示例数据")
    if not schedules.schedules().filter(name=SCHEDULE_NAME).exists():
        schedules.save_schedule(by=office, name=SCHEDULE_NAME, frequency="monthly", hour=2, day_of_month=1,
                                year="current", region="", enabled=False)
    if stdout:
        stdout.write(f"reports: progress released for {cycle.year}, {schedules.schedules().count()} report schedule(s)")
