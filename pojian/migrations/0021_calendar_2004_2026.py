"""The official holiday schedules 2004–2026 (days off and 调休 make-up working days), from the
pinned `chinesecalendar` package (see requirements.txt). Later years are added by the office."""

from django.db import migrations

FIRST, LAST = 2004, 2026
SOURCE = "chinesecalendar 1.11.0（国务院办公厅部分节假日安排通知）"

NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def load(apps, schema_editor):
    import chinese_calendar

    CalendarYear = apps.get_model("pojian", "CalendarYear")
    CalendarDay = apps.get_model("pojian", "CalendarDay")
    rows = []
    for kind, table in (("off", chinese_calendar.holidays), ("working", chinese_calendar.workdays)):
        for day, name in table.items():
            if FIRST <= day.year <= LAST and name:
                rows.append(CalendarDay(day=day, kind=kind, name=NAMES.get(str(name), str(name))))
    CalendarDay.objects.bulk_create(rows, ignore_conflicts=True)
    CalendarYear.objects.bulk_create(
        [CalendarYear(year=y, source=SOURCE) for y in range(FIRST, LAST + 1)], ignore_conflicts=True
    )


def unload(apps, schema_editor):
    apps.get_model("pojian", "CalendarDay").objects.filter(day__year__range=(FIRST, LAST)).delete()
    apps.get_model("pojian", "CalendarYear").objects.filter(year__range=(FIRST, LAST)).delete()


class Migration(migrations.Migration):
    dependencies = [("pojian", "0020_calendar")]
    operations = [migrations.RunPython(load, unload)]
