"""Thin Celery tasks for enterprises: they take ids, load, and call a domain function."""

from celery import shared_task

from pojian.domain.jobs import run_job

from .domain import checks, export
from .domain import import_tax as tax
from .filters import office_queryset_for_job
from .models import EnterpriseNomination

# --- the office side: 四科 checks, tax data, export --------------------------------------------


@shared_task
def check_nomination(nomination_id):
    """Re-run the 四科 check for one nomination (on submit, or when its figures change)."""
    nomination = EnterpriseNomination.objects.select_related("cycle").filter(pk=nomination_id).first()
    if nomination is None:
        return None
    return checks.check_nomination(nomination).eligible


@shared_task
def check_nomination_job(job_id):
    """The 四科 check of one nomination as a job (params: nomination): on submit and on changed figures."""

    def work(job, progress):
        nomination = EnterpriseNomination.objects.select_related("cycle").filter(pk=job.params["nomination"]).first()
        if nomination is not None:
            checks.check_nomination(nomination)

    run_job(job_id, work, atomic=True)


@shared_task
def check_year(job_id):
    """The office's year-wide 四科 run (a Job with progress; params: year)."""
    run_job(job_id, checks.year_check_job)


@shared_task
def import_tax(job_id):
    """Import a tax-data file, all or nothing (a Job; params: year; the file is the job's input)."""
    run_job(job_id, tax.tax_import_job, atomic=True)  # the rows and the job's status: one transaction


@shared_task
def import_registrations(job_id):
    """Import the province's registration list (入库登记), all or nothing (a Job; the file is its input)."""
    from .domain.import_registrations import import_job

    run_job(job_id, import_job)  # all or nothing inside: parse first, then one transaction


@shared_task
def import_recognitions(job_id):
    """Import the high-tech, 专精特新 or 小巨人 list, all or nothing (a Job; params: kind; the file is its input)."""
    from .domain.import_recognitions import import_job

    run_job(job_id, import_job)  # all or nothing inside: parse first, then one transaction


@shared_task
def tidy_after_import():
    """VACUUM/ANALYZE the figures and verdicts a large tax import rewrote (PostgreSQL; no-op elsewhere)."""
    from .models import EnterpriseYear, Verdict

    checks.tidy(EnterpriseYear, Verdict)


@shared_task
def tidy_verdicts():
    """VACUUM/ANALYZE the verdicts after a set-based check rewrote many of them (PostgreSQL; no-op elsewhere)."""
    from .models import Verdict

    checks.tidy(Verdict)


@shared_task
def export_nominations(job_id):
    """Export the office's filtered nomination list to .xlsx (a Job; params: year, filters)."""
    run_job(job_id, lambda job, progress: export.export_job(job, progress, office_queryset_for_job(job)))


# --- the bureau side: batch nomination import ----------------------------------------------------


@shared_task
def import_nominations(job_id):
    """Import a bureau's filled-in nomination template, all or nothing (a Job; params: cycle, language)."""
    from .domain.import_nominations import import_job

    run_job(job_id, import_job, atomic=True)


# --- the cultivation pool (培育库) --------------------------------------------------------------


@shared_task
def refresh_pool(enterprise_ids, via):
    """Enter these enterprises into the pool (if new) and re-evaluate their tiers (sent on commit, in chunks)."""
    from .domain import pool

    return pool.refresh(enterprise_ids=enterprise_ids, via=via)


@shared_task
def reevaluate_tiers(job_id):
    """The office's re-evaluation of every tier standing (a Job), after it changed a year's tier rules."""
    from .domain import pool

    run_job(job_id, lambda job, progress: pool.reevaluate_job(job, progress))


@shared_task
def export_pool(job_id):
    """Export the pool as filtered (office: all regions; a bureau: its own) to .xlsx (a Job)."""
    from .domain import pool_export

    run_job(job_id, pool_export.export_job)
