"""The periodic check that recomputes an assessment when its data changed (every 10 minutes;
the office can change the interval or disable it in the admin, django-celery-beat)."""

from django.db import migrations

TASK_NAME = "assessment: recompute changed assessments"


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = IntervalSchedule.objects.get_or_create(every=10, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={"task": "assessment.tasks.recompute_changed_assessments", "interval": every, "enabled": True,
                  "description": "Recompute the unpublished bureau assessments whose data changed since they were computed."},
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0001_initial"),
        ("django_celery_beat", "0018_improve_crontab_helptext"),
    ]

    operations = [migrations.RunPython(create, remove)]
