"""Thin Celery tasks: take ids (or plain values from a schedule) and call a domain function."""

import logging

from celery import shared_task

log = logging.getLogger(__name__)


@shared_task(name="reports.generate_annual_report")
def generate_annual_report(job_id):
    """Generate the annual report of a job (see reports.domain.annual.run_report)."""
    from pojian.domain.jobs import run_job

    from .domain.annual import run_report

    run_job(job_id, run_report)


@shared_task(name="reports.scheduled_annual_report")
def scheduled_annual_report(year=None, region="", requested_by=None):
    """What a django-celery-beat schedule runs: ask for the report(s) as the office user who set it up."""
    from .domain.schedules import run_schedule

    started = run_schedule(year=year, region=region, requested_by=requested_by)
    log.info("scheduled annual reports: %s", started)
    return started


@shared_task(name="reports.send_return_reminders")
def send_return_reminders():
    """Daily (Celery beat): remind the bureaus that have not filed an open statistics return."""
    from .domain.returns import send_reminders

    sent = send_reminders()
    log.info("statistics return reminders: %s", sent)
    return sent
