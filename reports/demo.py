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
    seed_returns(office=office, stdout=stdout)
    if stdout:
        stdout.write(f"reports: progress released for {cycle.year}, {schedules.schedules().count()} report schedule(s)")


RETURN_TITLE = "科技型中小企业季度统计（示例）"


def seed_returns(*, office, stdout=None):
    """Last quarter's statistics return, open, filed by most cities and the demo counties, two of them late."""
    from datetime import date

    from django.utils import timezone

    from pojian.domain.errors import ValidationError
    from pojian.models import Region

    from .domain import returns
    from .models import ReturnFiling, StatisticsReturn

    if StatisticsReturn.objects.filter(title=RETURN_TITLE).exists():
        return
    today = timezone.localdate()
    quarter_month = (today.month - 1) // 3 * 3 + 1
    start = date(today.year, quarter_month, 1)
    start = date(start.year - 1, 10, 1) if quarter_month == 1 else date(start.year, quarter_month - 3, 1)
    fields = [{"source": "nominations"}, {"source": "contracts"}, {"label": "新增入库企业数", "kind": "int"},
              {"label": "研发投入（万元）", "kind": "decimal"}, {"label": "工作说明", "kind": "text"}]
    try:
        ret = returns.define_return(by=office, title=RETURN_TITLE, period="quarter", period_start=start,
                                    fields=fields, due_working_days=10, include_counties=True)
    except ValidationError:
        return  # the holiday calendar for the deadline's year is not loaded: no demo return
    ret = returns.open_return(ret, by=office)
    filers = list(Region.objects.nominating().filter(active=True))[:9] + list(
        Region.objects.counties().filter(parent__code__in=("220100", "222400"))[:6])
    for n, region in enumerate(filers):
        user = region.users.filter(is_active=True).first()
        if user is None:
            continue
        values = returns.prefilled(ret, region)
        values.update({"nominations": values.get("nominations", 0), "contracts": values.get("contracts", 0),
                       "f3": 3 + n % 5, "f4": f"{120 + 15 * n}.00", "f5": "按季度报送"})
        returns.file_return(ret, by=user, values={k: str(v) for k, v in values.items()})
    # Two filings came in after the deadline (whatever today's date is).
    ReturnFiling.objects.filter(statistics_return=ret).update(late=False)
    late = ReturnFiling.objects.filter(statistics_return=ret).order_by("region__sort_order", "region__code")[:2]
    ReturnFiling.objects.filter(pk__in=[f.pk for f in late]).update(late=True)
    if stdout:
        stdout.write(f"reports: statistics return “{ret.title}” with {ret.filings.count()} filings")
