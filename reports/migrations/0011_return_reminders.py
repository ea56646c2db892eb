"""The daily reminders for statistics returns not yet filed (the office may change the time in the admin)."""

from django.db import migrations

TASK_NAME = "统计报表：催报提醒"


def create(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    daily, _ = CrontabSchedule.objects.get_or_create(minute="30", hour="8", day_of_week="*", day_of_month="*",
                                                     month_of_year="*", timezone="Asia/Shanghai")
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={"task": "reports.send_return_reminders", "crontab": daily, "enabled": True,
                  "description": "提醒尚未报送统计报表的科技局：截止前3个和1个工作日，逾期后每个工作日。"},
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0010_statistics_returns"), ("django_celery_beat", "0018_improve_crontab_helptext")]
    operations = [migrations.RunPython(create, remove)]
