"""Thin Celery tasks: take ids, call a domain function."""

from celery import shared_task

from pojian.domain.jobs import run_job

from .domain.export import export_job


@shared_task
def export_nominations(job_id):
    return run_job(job_id, export_job).status
