"""Thin Celery tasks: take ids, call a domain function."""

from celery import shared_task

from pojian.domain.jobs import run_job


@shared_task
def import_investments(job_id):
    from .domain.investments import import_investments as work

    return run_job(job_id, work, atomic=True).status


@shared_task(name="finance.tasks.prepare_digests")
def prepare_digests(cycle_id=None):
    """Run by the django-celery-beat schedule the office sets (no arguments: the current year)."""
    from pojian.models import Cycle

    from .domain.digests import prepare_digests as prepare

    cycle = Cycle.objects.get(pk=cycle_id) if cycle_id else None
    return [d.pk for d in prepare(cycle=cycle)]
