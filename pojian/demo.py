"""Demo data for the core: the current year and one account per demo role. Safe to run twice."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from .domain.cycle import make_current
from .models import Cycle, Region, User

EXPERT_COUNT = 5
COUNTY_DEMO_CITIES = ("220100", "222400")


def seed(*, stdout=None):
    year = timezone.localdate().year
    tz = ZoneInfo(settings.TIME_ZONE)
    cycle, _ = Cycle.objects.get_or_create(
        year=year,
        defaults={
            "nomination_opens": datetime(year, 1, 1, tzinfo=tz),
            "nomination_closes": datetime(year, 12, 31, 23, 59, tzinfo=tz),
            "status": Cycle.Status.OPEN,
        },
    )
    # Last year, closed, so trends and read-only behaviour have something to show.
    Cycle.objects.get_or_create(
        year=year - 1,
        defaults={
            "nomination_opens": datetime(year - 1, 3, 1, tzinfo=tz),
            "nomination_closes": datetime(year - 1, 5, 31, tzinfo=tz),
            "status": Cycle.Status.CLOSED,
        },
    )
    office = _user("office", role=User.Role.OFFICE, full_name="省科技厅办公室", is_staff=True)
    if not cycle.is_current:
        make_current(cycle, by=office)
    for region in Region.objects.nominating():
        _user(f"bureau-{region.code}", role=User.Role.BUREAU, region=region, full_name=region.bureau_name)
    # County bureaus (县(市、区)科技部门) under 长春 and 延边.
    for county in Region.objects.counties().filter(parent__code__in=COUNTY_DEMO_CITIES):
        _user(f"county-{county.code}", role=User.Role.COUNTY, region=county, full_name=county.bureau_name)
    for i in range(1, EXPERT_COUNT + 1):
        _user(f"expert-{i}", role=User.Role.EXPERT, full_name=f"评审专家{i}")
    _user("partner-1", role=User.Role.PARTNER, full_name="吉林省科技投资基金")
    if stdout:
        stdout.write(f"core: year {cycle.year} current, {User.objects.count()} users")
    return cycle


def _user(username, *, role, region=None, full_name="", is_staff=False):
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"role": role, "region": region, "full_name": full_name, "is_staff": is_staff,
                  "email": f"{username}@example.gov.cn"},
    )
    if created:
        user.set_password(settings.DEMO_PASSWORD)
        user.save(update_fields=["password"])
    if is_staff and not user.is_superuser:
        # The office works in the admin too; demo office gets every permission there.
        user.is_superuser = True
        user.save(update_fields=["is_superuser"])
    return user
