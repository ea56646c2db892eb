"""The periodic task that sends again the jobs whose message was lost (queued, never started),
every minute; the office can change the interval in the admin (django-celery-beat)."""

from django.db import migrations

TASK_NAME = "pojian: re-send queued jobs never started"


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={"task": "pojian.tasks.resend_queued_jobs", "interval": every, "enabled": True,
                  "description": "Send again the background jobs queued longer than JOB_RESEND_AFTER and never started."},
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("pojian", "0003_jobs"),
        ("django_celery_beat", "0018_improve_crontab_helptext"),
    ]

    operations = [migrations.RunPython(create, remove)]
