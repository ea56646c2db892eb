"""立项支持: a project for each confirmed selected enterprise, from 任务书 to 验收.

    drafting ──issue_agreement──▶ issued ──upload_signed──▶ signed ──file_midterm──▶ midterm_filed
    signed / midterm_filed ──file_acceptance──▶ acceptance_filed ──decide_acceptance──▶ accepted | failed

Tranches follow the year's split on the 立项支持 budget (e.g. 70 % on signing, 30 % on acceptance):
the first tranche is payable once the agreement is signed, the last once acceptance passed.
A failed acceptance recovers what was paid (追回) or withdraws an unpaid grant.
"""

from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pojian.domain.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from pojian.domain.notifications import notify, office_users, region_bureau_users
from pojian.domain.pdf import render_pdf
from pojian.domain.uploads import PDF, validate_upload

from ..models import Budget, FundingLine, Grant, Project
from . import grants as grant_domain
from .grants import _require, audit

P = Project.State
REMINDER_DAYS = (30, 7)


def _locked(project) -> Project:
    return Project.objects.select_for_update().select_related("grant", "enterprise", "cycle", "region").get(pk=project.pk)


def _move(current, sources, target, *, by, reason=""):
    if current.state not in sources:
        raise TransitionNotAllowed(
            _("A project that is “%(state)s” cannot become “%(target)s”.")
            % {"state": current.get_state_display(), "target": P(target).label}, code="state")
    current.state = target
    current.version += 1
    audit(current, by=by, reason=f"{target}: {reason}" if reason else target)


def _copy_back(project, current):
    for f in Project._meta.concrete_fields:
        setattr(project, f.attname, getattr(current, f.attname))
    return project


def confirmed_selection(round_):
    """The selected items of a confirmed enterprise round, with their nominations' enterprises."""
    from enterprises.models import EnterpriseNomination
    from reviews.models import RoundKind

    if round_.kind != RoundKind.ENTERPRISES or round_.results_confirmed_at is None:
        raise ValidationError(_("Projects are opened only from a confirmed enterprise selection."), code="not_confirmed")
    items = list(round_.items.filter(selected=True).order_by("rank", "pk"))
    nominations = EnterpriseNomination.objects.in_bulk([i.object_id for i in items])
    return [(item, nominations[item.object_id].enterprise) for item in items if item.object_id in nominations]


def _check_term(starts_on, ends_on, midterm_due, acceptance_due):
    if ends_on <= starts_on:
        raise ValidationError(_("The term must end after it starts."), code="term")
    midterm_due = midterm_due or starts_on + (ends_on - starts_on) / 2
    acceptance_due = acceptance_due or ends_on + timedelta(days=90)
    return midterm_due, acceptance_due


@transaction.atomic
def open_project(*, cycle, enterprise, by, amount, starts_on: date, ends_on: date, source=None, source_label="",
                 midterm_due: date | None = None, acceptance_due: date | None = None) -> Project:
    """A proposed 立项支持 grant for one enterprise and its project, in drafting."""
    _require(by, "funding.manage_projects")
    amount = grant_domain._money(amount)
    midterm_due, acceptance_due = _check_term(starts_on, ends_on, midterm_due, acceptance_due)
    line = FundingLine.objects.get(code=FundingLine.PROJECT_SUPPORT)
    grant = grant_domain.propose_grant(cycle=cycle, line=line, beneficiary=enterprise, amount=amount, by=by,
                                       source=source, source_label=source_label)
    project = Project(
        grant=grant, enterprise=enterprise, cycle=cycle, region=enterprise.region,
        number=f"PJ{cycle.year}-{Project.objects.filter(cycle=cycle).count() + 1:03d}",
        title=_("%(name)s technology innovation project") % {"name": enterprise.name},
        starts_on=starts_on, ends_on=ends_on, provincial_funding=amount,
        midterm_due=midterm_due, acceptance_due=acceptance_due,
    )
    audit(project, by=by, reason="opened")
    project.save()
    return project


@transaction.atomic
def open_projects(*, round_, by, amount, starts_on: date, ends_on: date, midterm_due: date | None = None,
                  acceptance_due: date | None = None):
    """A project (and its proposed grant) for each enterprise of the confirmed selection not yet given one."""
    _require(by, "funding.manage_projects")
    _check_term(starts_on, ends_on, midterm_due, acceptance_due)
    cycle = round_.cycle
    existing = set(Project.objects.filter(cycle=cycle).values_list("enterprise_id", flat=True))
    created = []
    for n, (item, enterprise) in enumerate(confirmed_selection(round_), start=1):
        if enterprise.pk in existing:
            continue
        created.append(open_project(
            cycle=cycle, enterprise=enterprise, by=by, amount=amount, starts_on=starts_on, ends_on=ends_on,
            midterm_due=midterm_due, acceptance_due=acceptance_due, source=item,
            source_label=_("%(year)s selection, rank %(rank)s") % {"year": cycle.year, "rank": item.rank or n}))
    return created


@transaction.atomic
def update_project(*, project, by, **fields):
    """Title, goals, indicators, term and budget, while the agreement is still being drafted."""
    _require(by, "funding.manage_projects", project)
    current = _locked(project)
    if current.state != P.DRAFTING:
        raise TransitionNotAllowed(_("An issued agreement is not edited; it changes only by a new version."), code="issued")
    allowed = {"title", "goals", "indicators", "starts_on", "ends_on", "self_funding", "midterm_due", "acceptance_due"}
    for key, value in fields.items():
        if key not in allowed:
            raise ValueError(key)
        setattr(current, key, value)
    indicators = current.indicators or []
    if not all(isinstance(i, dict) and str(i.get("name", "")).strip() and str(i.get("target", "")).strip()
               for i in indicators):
        raise ValidationError({"indicators": _("Each indicator needs a name and a target.")}, code="indicators")
    current.version += 1
    audit(current, by=by, reason="edited")
    current.full_clean(exclude=["grant", "enterprise", "cycle", "region", "agreement", "signed_agreement",
                                "midterm_report", "final_report"])
    current.save()
    return _copy_back(project, current)


def tranche_plan(project) -> list[dict]:
    """[{"number", "percent", "amount", "condition"}]: the year's split, the last tranche taking the cents."""
    budget = Budget.objects.filter(cycle_id=project.cycle_id, line__code=FundingLine.PROJECT_SUPPORT).first()
    split = [Decimal(str(p)) for p in (budget.tranche_split if budget and budget.tranche_split else [70, 30])]
    total = project.grant.amount
    amounts = [(total * p / 100).quantize(Decimal("1"), rounding=ROUND_DOWN) for p in split[:-1]]
    amounts.append(total - sum(amounts, Decimal(0)))
    conditions = ["signing"] + ["midterm"] * (len(split) - 2) + ["acceptance"] if len(split) > 1 else ["signing"]
    return [{"number": i, "percent": p, "amount": a, "condition": c}
            for i, (p, a, c) in enumerate(zip(split, amounts, conditions, strict=True), start=1)]


CONDITION_STATES = {
    "signing": {P.SIGNED, P.MIDTERM_FILED, P.ACCEPTANCE_FILED, P.ACCEPTED},
    "midterm": {P.MIDTERM_FILED, P.ACCEPTANCE_FILED, P.ACCEPTED},
    "acceptance": {P.ACCEPTED},
}
CONDITION_LABELS = {"signing": "on signing the agreement", "midterm": "after the mid-term report",
                    "acceptance": "after acceptance"}


def check_tranche(*, grant, tranche: int, amount: Decimal):
    """For a project's grant: the tranche exists, its condition holds and it is not overpaid."""
    project = Project.objects.filter(grant_id=grant.pk).first()
    if project is None:
        return
    plan = {t["number"]: t for t in tranche_plan(project)}
    t = plan.get(tranche)
    if t is None:
        raise ValidationError({"tranche": _("This project has tranches 1 to %(n)s.") % {"n": len(plan)}}, code="tranche")
    if project.state not in CONDITION_STATES[t["condition"]]:
        raise ValidationError({"tranche": _("Tranche %(n)s is paid %(when)s; the project is “%(state)s”.")
                               % {"n": tranche, "when": _(CONDITION_LABELS[t["condition"]]),
                                  "state": project.get_state_display()}}, code="tranche_condition")
    already = sum((p.amount for p in grant.payments.filter(tranche=tranche).exclude(state="rejected")), Decimal(0))
    if already + amount > t["amount"]:
        raise ValidationError({"amount": _("Tranche %(n)s is %(amount)s yuan; %(left)s yuan of it is left.")
                               % {"n": tranche, "amount": f"{t['amount']:,.2f}", "left": f"{t['amount'] - already:,.2f}"}},
                              code="tranche_amount")


def agreement_pdf(project) -> bytes:
    return render_pdf("funding/agreement_pdf.html", {"project": project, "tranches": tranche_plan(project),
                                                     "today": timezone.localdate()})


@transaction.atomic
def issue_agreement(*, project, by):
    """The 任务书 as a PDF from the project's data; the bureau prints, signs, stamps and uploads it."""
    _require(by, "funding.manage_projects", project)
    current = _locked(project)
    if not current.indicators:
        raise ValidationError(_("Give the goals and indicators before issuing the agreement."), code="no_indicators")
    _move(current, {P.DRAFTING}, P.ISSUED, by=by)
    current.agreement.save(f"{current.number}.pdf", ContentFile(agreement_pdf(current)), save=False)
    current.save()
    notify(region_bureau_users(current.region_id),
           subject=_("Agreement for %(title)s issued: print, sign, stamp and upload it") % {"title": current.title},
           body=_("The agreement (任务书) can be downloaded from the project's page."),
           url=reverse("funding:project", args=[current.pk]), by=by,
           next_step=_("Upload the signed and stamped agreement on the project's page."))
    return _copy_back(project, current)


def _bureau_or_office(by, project, perm="funding.file_project_report"):
    if not (by.has_perm(perm, project) or by.has_perm("funding.manage_projects", project)):
        raise PermissionDenied(_("You may not do this."))


@transaction.atomic
def upload_signed_agreement(*, project, file, by):
    _bureau_or_office(by, project)
    validate_upload(file, kinds=[PDF])
    current = _locked(project)
    _move(current, {P.ISSUED}, P.SIGNED, by=by)
    current.signed_agreement.save(f"{current.number}-signed.pdf", file, save=False)
    current.signed_at = timezone.now()
    current.save()
    notify(office_users(), subject=_("Signed agreement uploaded: %(title)s") % {"title": current.title},
           body=_("The file is on the project's page."), url=reverse("funding:project", args=[current.pk]), by=by)
    return _copy_back(project, current)


@transaction.atomic
def file_midterm(*, project, file, by):
    _bureau_or_office(by, project)
    validate_upload(file, kinds=[PDF])
    current = _locked(project)
    _move(current, {P.SIGNED}, P.MIDTERM_FILED, by=by)
    current.midterm_report.save(f"{current.number}-midterm.pdf", file, save=False)
    current.midterm_filed_at = timezone.now()
    current.save()
    notify(office_users(), subject=_("Mid-term report filed: %(title)s") % {"title": current.title},
           body=_("The file is on the project's page."), url=reverse("funding:project", args=[current.pk]), by=by)
    return _copy_back(project, current)


@transaction.atomic
def file_acceptance(*, project, file, reached: dict, by):
    """The bureau applies for acceptance with the final report and what each indicator reached."""
    _bureau_or_office(by, project)
    validate_upload(file, kinds=[PDF])
    current = _locked(project)
    names = [i["name"] for i in current.indicators]
    missing = [n for n in names if not str(reached.get(n, "")).strip()]
    if missing:
        raise ValidationError({"reached": _("Say what was reached for: %(names)s") % {"names": "、".join(missing)}},
                              code="reached")
    _move(current, {P.SIGNED, P.MIDTERM_FILED}, P.ACCEPTANCE_FILED, by=by)
    current.indicators = [{**i, "reached": str(reached[i["name"]]).strip()} for i in current.indicators]
    current.final_report.save(f"{current.number}-final.pdf", file, save=False)
    current.acceptance_filed_at = timezone.now()
    current.save()
    notify(office_users(), subject=_("Acceptance applied for: %(title)s") % {"title": current.title},
           body=_("The file is on the project's page."), url=reverse("funding:project", args=[current.pk]), by=by)
    return _copy_back(project, current)


@transaction.atomic
def decide_acceptance(*, project, outcome, experts, scores: dict | None = None, note="", by):
    """The office records the acceptance review by experts from the pool (conflicts avoided).

    Outcomes 通过 / 整改后通过 / 不通过; on 不通过 what was paid is recovered (or the unpaid grant withdrawn).
    """
    from reviews.models import Conflict

    _require(by, "funding.manage_projects", project)
    if outcome not in Project.Outcome.values:
        raise ValidationError({"outcome": _("Choose an outcome.")}, code="outcome")
    experts = list(experts)
    if not experts:
        raise ValidationError({"experts": _("Name the experts of the acceptance review.")}, code="experts")
    note = (note or "").strip()
    if outcome != Project.Outcome.PASSED and not note:
        raise ValidationError({"note": _("Give the experts' opinion for this outcome.")}, code="note")
    current = _locked(project)
    conflicted = Conflict.objects.filter(expert__in=experts, status__in=Conflict.BLOCKING,
                                         nominee_uscc=current.enterprise.uscc).select_related("expert")
    if conflicted:
        raise ValidationError({"experts": _("These experts have a conflict with the enterprise: %(names)s")
                               % {"names": "、".join(sorted({str(c.expert) for c in conflicted}))}}, code="conflict")
    target = P.FAILED if outcome == Project.Outcome.FAILED else P.ACCEPTED
    _move(current, {P.ACCEPTANCE_FILED}, target, by=by, reason=note)
    current.outcome, current.outcome_note, current.decided_at = outcome, note, timezone.now()
    current.acceptance_scores = {str(k): str(v) for k, v in (scores or {}).items()}
    current.save()
    current.acceptance_experts.set(experts)
    if target == P.FAILED:
        grant = current.grant
        grant.refresh_from_db()
        reason = _("Acceptance failed: %(note)s") % {"note": note}
        if grant.paid_amount > 0:
            grant_domain.recover_grant(grant=grant, by=by, amount=grant.paid_amount, reason=reason)
        elif grant.state in (Grant.State.PROPOSED, Grant.State.APPROVED, Grant.State.IN_NOTICE, Grant.State.COMMITTED):
            grant_domain.withdraw_grant(grant=grant, by=by, reason=reason)
    notify(region_bureau_users(current.region_id),
           subject=_("Acceptance of %(title)s: %(outcome)s") % {"title": current.title,
                                                               "outcome": current.get_outcome_display()},
           body=note or current.get_outcome_display(), url=reverse("funding:project", args=[current.pk]), by=by)
    return _copy_back(project, current)


def overdue_projects(*, today: date, region_id=None):
    """Projects with a mid-term report or an acceptance application past its due date."""
    qs = Project.objects.exclude(state__in=[P.ACCEPTED, P.FAILED]).select_related("region", "enterprise")
    if region_id:
        qs = qs.filter(region_id=region_id)
    rows = []
    for p in qs.filter(acceptance_due__lt=today) | qs.filter(midterm_due__lt=today, midterm_filed_at__isnull=True,
                                                               state__in=[P.ISSUED, P.SIGNED]):
        rows.append((p, p.overdue(today)))
    return [(p, late) for p, late in rows if late]


def send_due_reminders(*, today: date) -> int:
    """Tell the bureau 30 and 7 days before a mid-term report or an acceptance is due; once per date."""
    sent = 0
    for days in REMINDER_DAYS:
        due = today + timedelta(days=days)
        for kind, qs in (
            ("midterm", Project.objects.filter(midterm_due=due, midterm_filed_at__isnull=True,
                                               state__in=[P.ISSUED, P.SIGNED])),
            ("acceptance", Project.objects.filter(acceptance_due=due, acceptance_filed_at__isnull=True)
             .exclude(state__in=[P.ACCEPTED, P.FAILED])),
        ):
            for project in qs:
                key = f"{kind}:{due.isoformat()}:{days}"
                with transaction.atomic():
                    current = Project.objects.select_for_update().get(pk=project.pk)
                    if key in current.reminded:
                        continue
                    current.reminded = [*current.reminded, key]
                    Project.objects.filter(pk=current.pk).update(reminded=current.reminded)
                    what = _("mid-term report") if kind == "midterm" else _("acceptance application")
                    notify(region_bureau_users(current.region_id),
                           subject=_("%(title)s: the %(what)s is due in %(days)s days (%(due)s)")
                           % {"title": current.title, "what": what, "days": days, "due": due.isoformat()},
                           body=_("File it on the project's page before it is due."),
                           url=reverse("funding:project", args=[current.pk]))
                    sent += 1
    return sent
