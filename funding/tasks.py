"""Thin Celery tasks: take ids or nothing, call a domain function."""

from celery import shared_task
from django.utils import timezone

from .domain import projects


@shared_task
def send_due_reminders():
    """Daily (django-celery-beat): reminders 30 and 7 days before a project's report or acceptance is due."""
    return projects.send_due_reminders(today=timezone.localdate())
