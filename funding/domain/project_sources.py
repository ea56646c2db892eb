"""The results (成果库) and technology contracts a supported project (立项支持) builds on (双千工程).

The office, or the bureau of the project's region, links them on the project's page; a contract
must be the project's enterprise's and in force, a result published. One change, one history entry
(the project's version is bumped: optimistic lock).
"""

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from pojian.domain.concurrency import save_versioned
from pojian.domain.errors import PermissionDenied, ValidationError

from ..models import Project
from .grants import audit


def contract_choices(project):
    """The enterprise's contracts in force, and any already linked."""
    from techtransfer.models import TechContract

    return (TechContract.objects.filter(Q(enterprise_id=project.enterprise_id, cancelled_at__isnull=True)
                                        | Q(projects=project))
            .select_related("institution").distinct().order_by("-registered_on", "pk"))


def result_choices(project):
    """Published results the enterprise is known to be connected with (its contracts, 推介, 意向, 对接),
    and any already linked. Others are added by their catalogue number."""
    from techtransfer.models import Result

    e = project.enterprise_id
    near = (Q(contracts__enterprise_id=e) | Q(recommendations__enterprise_id=e) | Q(interests__enterprise_id=e)
            | Q(match_records__enterprise_id=e))
    return (Result.objects.filter(Q(state=Result.State.PUBLISHED) & near | Q(projects=project))
            .select_related("institution").distinct().order_by("title", "pk"))


def link_sources(project, *, by, results, contracts, expected_version):
    """Set the results and contracts the project builds on (replacing the earlier choice)."""
    from techtransfer.models import Result

    if not by.has_perm("funding.link_project_sources", project):
        raise PermissionDenied(_("Only the office or the bureau of the project's region links its results and contracts."))
    results, contracts = list(results), list(contracts)
    with transaction.atomic():
        current = Project.objects.select_for_update().get(pk=project.pk)
        linked_results = set(current.results.values_list("pk", flat=True))
        linked_contracts = set(current.contracts.values_list("pk", flat=True))
        for c in contracts:
            if c.pk in linked_contracts:
                continue
            if c.enterprise_id != current.enterprise_id:
                raise ValidationError(_("Contract %(number)s is not the project's enterprise's.") % {
                    "number": c.registration_number})
            if c.cancelled_at is not None:
                raise ValidationError(_("Contract %(number)s is cancelled.") % {"number": c.registration_number})
        for r in results:
            if r.pk not in linked_results and r.state != Result.State.PUBLISHED:
                raise ValidationError(_("Only published results are linked (%(title)s is not).") % {"title": r.title})
        new_results, new_contracts = {r.pk for r in results}, {c.pk for c in contracts}
        if (new_results, new_contracts) == (linked_results, linked_contracts):
            return current
        audit(current, by=by, reason=_("results and contracts built on: %(r)s results, %(c)s contracts") % {
            "r": len(new_results), "c": len(new_contracts)})
        save_versioned(current, expected_version=expected_version)
        current.results.set(results)
        current.contracts.set(contracts)
    project.version = current.version
    return current
