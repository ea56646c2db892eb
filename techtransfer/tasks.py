from celery import shared_task

from pojian.domain.jobs import run_job


@shared_task
def import_contracts(job_id):
    """Import the contract registration list (技术合同登记), all or nothing (a Job; the file is its input)."""
    from .domain.import_contracts import import_job

    run_job(job_id, import_job)  # all or nothing inside: every row checked first, then one transaction
