"""Thin Celery tasks: take ids, call a domain function."""

from celery import shared_task

from pojian.domain.jobs import run_job


@shared_task
def export_results(job_id):
    from .domain.exports import results_job

    return run_job(job_id, results_job).status


@shared_task
def export_confirmed_list(job_id):
    from .domain.exports import confirmed_pdf_job

    return run_job(job_id, confirmed_pdf_job).status


@shared_task
def import_experts(job_id):
    from .domain.experts_import import import_job

    # All or nothing: the work runs in one transaction (a failure changes nothing).
    return run_job(job_id, import_job, atomic=True).status


@shared_task
def propose_assignment(job_id):
    from .domain.assignment import propose_job

    return run_job(job_id, propose_job).status


@shared_task
def detect_conflicts_for_expert(expert_id, user_id=None):
    from pojian.models import User

    from .domain.conflicts import detect_for_expert
    from .models import Expert

    expert = Expert.objects.filter(pk=expert_id).first()
    if expert is None:
        return 0
    by = User.objects.filter(pk=user_id).first() if user_id else None
    return len(detect_for_expert(expert, by=by))


@shared_task
def send_deadline_reminders():
    """Celery beat, every morning: the scoring-deadline reminders due today."""
    from .domain.reminders import send_deadline_reminders as send

    result = send()
    return {"rounds": result["rounds"], "experts": result["experts"], "skipped": len(result["skipped"])}
