"""Thin Celery tasks of 双千工程: take ids, load, call the domain."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation

from pojian.domain.jobs import run_job


@shared_task
def email_account_decision(request_id):
    """E-mail a refused account request's reason to the address it gave (there is no account to notify)."""
    from .domain.accounts import decision_email
    from .models import AccountRequest

    req = AccountRequest.objects.filter(pk=request_id, state=AccountRequest.State.REFUSED).first()
    if req is None:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject, text = decision_email(req)
        send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [req.email])



@shared_task
def import_contracts(job_id):
    """Import the contract registration list (技术合同登记), all or nothing (a Job; the file is its input)."""
    from .domain.import_contracts import import_job

    run_job(job_id, import_job)  # all or nothing inside: every row checked first, then one transaction


@shared_task
def compute_contract_subsidy(job_id):
    """The contract subsidy's amounts of one year's rule, as a job with progress (params: rule_id)."""
    from .domain.subsidy_workflow import compute_job

    run_job(job_id, compute_job)
