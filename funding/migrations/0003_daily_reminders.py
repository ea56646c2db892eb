"""The daily reminders for projects' mid-term reports and acceptances (the office may change it in the admin)."""

from django.db import migrations

TASK_NAME = "funding: project report reminders"


def create(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    daily, _ = CrontabSchedule.objects.get_or_create(minute="0", hour="8", day_of_week="*", day_of_month="*",
                                                     month_of_year="*", timezone="Asia/Shanghai")
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={"task": "funding.tasks.send_due_reminders", "crontab": daily, "enabled": True,
                  "description": "Remind bureaus 30 and 7 days before a project's mid-term report or acceptance is due."},
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("funding", "0002_lines"), ("django_celery_beat", "0018_improve_crontab_helptext")]
    operations = [migrations.RunPython(create, remove)]
