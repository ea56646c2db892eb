"""Demo data for reports: the year's progress figures released to the public page, and a
(disabled) monthly report schedule to show how scheduling looks. Safe to run twice."""

from pojian.models import User

from .domain import public, schedules
from .models import ProgressRelease

SCHEDULE_NAME = "每月全省年度报告（示例）"


def seed(*, cycle, stdout=None):
    office = User.objects.filter(username="office").first()
    if office is None or cycle is None:
        return
    if not ProgressRelease.objects.filter(cycle=cycle).exists():
        public.release_progress(cycle=cycle, by=office, note="示例数据")
    if not schedules.schedules().filter(name=SCHEDULE_NAME).exists():
        schedules.save_schedule(by=office, name=SCHEDULE_NAME, frequency="monthly", hour=2, day_of_month=1,
                                year="current", region="", enabled=False)
    if stdout:
        stdout.write(f"reports: progress released for {cycle.year}, {schedules.schedules().count()} report schedule(s)")
