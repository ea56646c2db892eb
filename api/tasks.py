from celery import shared_task

from pojian.domain.jobs import run_job


@shared_task(name="api.import_pushed_tax")
def import_pushed_tax(job_id):
    """Import tax figures pushed through the API (a Job; the body is the job's input file)."""
    from .domain.pushes import tax_push_job

    run_job(job_id, tax_push_job)


@shared_task(name="api.import_pushed_registrations")
def import_pushed_registrations(job_id):
    """Import a registration list pushed through the API (a Job; the body is the job's input file)."""
    from .domain.pushes import registrations_push_job

    run_job(job_id, registrations_push_job)
