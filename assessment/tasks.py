"""Thin Celery tasks: they take ids and call the domain."""

from celery import shared_task


@shared_task
def compute_assessment_job(job_id):
    from .domain.compute import run_compute_job

    run_compute_job(job_id)


@shared_task
def recompute_changed_assessments():
    """Periodic (django-celery-beat): recompute the unpublished assessments whose data changed."""
    from .domain.compute import recompute_changed

    return [job.pk for job in recompute_changed()]


@shared_task
def export_xlsx_job(job_id):
    from .domain.exports import run_xlsx_job

    run_xlsx_job(job_id)


@shared_task
def export_pdf_job(job_id):
    from .domain.exports import run_pdf_job

    run_pdf_job(job_id)
