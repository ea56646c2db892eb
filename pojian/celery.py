"""The portal's Celery app. Tasks are thin: they take ids and call a domain function."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pojian.settings")

app = Celery("pojian")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
