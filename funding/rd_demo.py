"""Demo data of the R&D post-subsidy: last year's round paid, this year's in verification by the
bureaus (a few candidates confirmed, one disputed). Through the domain functions; safe to run twice."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from pojian.domain.calendar import CalendarMissing

from .domain import grants, payments, rd_subsidy
from .models import Grant
from .rd_models import RdCandidate, RdSubsidyRule

R = RdSubsidyRule.State


def _rule(cycle, office):
    rule = rd_subsidy.rule_for_year(cycle=cycle, by=office)
    if rule.state == R.DRAFT and rule.computed_at is None:
        rule = rd_subsidy.update_rule(rule=rule, values={"min_intensity": Decimal("3"), "cap": Decimal("300000")},
                                      version=rule.version, by=office)
        rd_subsidy.compute_candidates(rule=rule, by=office)
    return RdSubsidyRule.objects.get(pk=rule.pk)


def _bureau(bureaus, candidate):
    return bureaus.get(candidate.region_id)


def seed_previous(previous, *, office, approver, bureaus, stdout=None):
    """Last year: verified, decided, 公示 ended, grants committed and paid in one tranche.

    The verification deadline and the 公示 are counted in working days: for a year whose holiday schedule
    is not loaded the round stops before them (the demo never guesses a calendar), with a message.
    """
    rule = _rule(previous, office)
    try:
        _verify_and_publish(rule, previous.year, office=office, bureaus=bureaus)
    except CalendarMissing as e:
        if stdout:
            stdout.write(f"funding: R&D post-subsidy {previous.year} stays computed, its verification and 公示 "
                         f"skipped: {e.messages[0]}")
    _pay(RdSubsidyRule.objects.get(pk=rule.pk), previous.year, office=office, approver=approver)


def _verify_and_publish(rule, year, *, office, bureaus):
    if rule.state == R.COMPUTED:
        rule = rd_subsidy.open_verification(rule=rule, by=office, today=date(year, 4, 1))
        for c in RdCandidate.objects.filter(rule=rule, qualified=True).order_by("pk"):
            bureau = _bureau(bureaus, c)
            if bureau is not None:
                rd_subsidy.verify_candidate(candidate=c, confirm=True, by=bureau, today=date(year, 4, 2))
        rule = rd_subsidy.close_verification(rule=rule, by=office, today=rule.verification_due + timedelta(days=1))
    if rule.state == R.DECIDED and rule.notice_starts is None:
        rule = rd_subsidy.publish_notice(rule=rule, by=office, starts=date(year, 5, 6))
    if rule.state == R.DECIDED:
        rd_subsidy.propose_grants(rule=rule, by=office, today=rule.notice_ends + timedelta(days=1))


def _pay(rule, year, *, office, approver):
    for grant in Grant.objects.filter(rd_candidate__rule=rule, state=Grant.State.PROPOSED).order_by("pk"):
        grants.approve_grant(grant=grant, by=approver)
        grants.start_notice(grant=grant, by=approver)
        grants.commit_grant(grant=grant, by=approver)
        p = payments.record_payment(grant=grant, amount=grant.amount, paid_on=date(year, 7, 15), tranche=1,
                                    document_no=f"吉财拨〔{year}〕研{grant.pk:04d}号",
                                    account=f"{grant.beneficiary_name} 基本户", by=office)
        payments.confirm_payment(payment=p, by=approver)


def seed_current(cycle, *, office, bureaus, stdout=None):
    """This year: in verification; the first few candidates confirmed, one disputed (迁出)."""
    rule = _rule(cycle, office)
    if rule.state != R.COMPUTED:
        return
    opens = timezone.localdate()
    try:
        rule = rd_subsidy.open_verification(rule=rule, by=office, today=opens)
    except CalendarMissing:  # the deadline would fall in a year whose holidays are not loaded
        opens = date(cycle.year, 11, 2)
        try:
            rule = rd_subsidy.open_verification(rule=rule, by=office, today=opens)
        except CalendarMissing as e:  # no holiday calendar for the year at all: the candidates stay computed
            if stdout:
                stdout.write(f"funding: R&D post-subsidy {cycle.year} stays computed, its verification skipped: "
                             f"{e.messages[0]}")
            return
    for i, c in enumerate(RdCandidate.objects.filter(rule=rule, qualified=True).order_by("pk")[:6]):
        bureau = _bureau(bureaus, c)
        if bureau is not None:
            rd_subsidy.verify_candidate(candidate=c, confirm=i != 0, reason="" if i else "企业已迁出本省",
                                        by=bureau, today=opens)


def seed(*, previous, cycle, office, approver, bureaus, stdout=None):
    if previous is not None:
        seed_previous(previous, office=office, approver=approver, bureaus=bureaus, stdout=stdout)
    seed_current(cycle, office=office, bureaus=bureaus, stdout=stdout)
