"""Thin Celery tasks: take ids or nothing, call a domain function."""

from celery import shared_task
from django.utils import timezone

from .domain import projects


@shared_task
def send_due_reminders():
    """Daily (django-celery-beat): reminders 30 and 7 days before a project's report or acceptance is due."""
    return projects.send_due_reminders(today=timezone.localdate())


@shared_task
def compute_rd_candidates(job_id):
    """The R&D post-subsidy candidates of one rule, as a job with progress (params: rule_id)."""
    from pojian.domain.jobs import run_job

    from .domain import rd_subsidy

    run_job(job_id, rd_subsidy.compute_job)
