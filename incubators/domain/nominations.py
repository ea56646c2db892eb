"""Creating and editing incubator nominations, and the incubator's tenants.

State changes (submit, withdraw, accept, …) are the shared workflow's
(`pojian.domain.workflow.transition`); what is the incubators' own is here: a nomination is
made together with its incubator (an existing one of the region, or a new one) and the
year's typed figures; an edit names the version it was based on and a stale one is refused.
"""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from pojian.domain import workflow
from pojian.domain.concurrency import save_versioned
from pojian.domain.errors import PermissionDenied, ValidationError
from pojian.models import NominationState

from ..models import Incubator, IncubatorNomination, IncubatorYear

INCUBATOR_FIELDS = (
    "name", "uscc", "kind", "level", "level_year", "operator", "address", "contact_person", "contact_phone",
)
YEAR_FIELDS = (
    "other_tenants", "other_tenants_source", "other_graduated", "other_graduated_source",
    "investment_raised", "investment_raised_source", "mentors", "mentors_source",
    "space_m2", "space_m2_source", "services",
)


def _audit(obj, by, reason):
    obj._history_user = by
    obj._change_reason = reason
    return obj


def _check_new_incubator(incubator):
    """Validate a new or changed incubator; a USCC known elsewhere gets a precise message."""
    if incubator.uscc:
        other = Incubator.objects.filter(uscc=incubator.uscc.strip().upper()).exclude(pk=incubator.pk).first()
        if other is not None:
            if other.region_id == incubator.region_id:
                raise ValidationError(
                    {"uscc": _("“%(name)s” already has this credit code: choose it from the list instead.")
                     % {"name": other.name}}, code="uscc_exists",
                )
            raise ValidationError(
                {"uscc": _("This credit code belongs to an incubator of %(region)s.") % {"region": other.region}},
                code="uscc_other_region",
            )
    incubator.full_clean(validate_unique=False)


def save_year(*, incubator, year, figures, by):
    """Create or update the incubator's typed figures for the year (only the fields given)."""
    record = IncubatorYear.objects.filter(incubator=incubator, year=year).first() or IncubatorYear(
        incubator=incubator, year=year
    )
    for field in YEAR_FIELDS:
        if field in figures:
            value = figures[field]
            setattr(record, field, "" if value is None and field == "services" else value)
    record.full_clean(validate_unique=False)
    _audit(record, by, "figures")
    record.save()
    return record


def create_nomination(*, by, cycle, figures, results, recommendation="", letter=None, incubator=None,
                      new_incubator=None):
    """A bureau nominates an incubator of its region for the year: an existing one or a new one."""
    if not by.has_perm("incubators.add_nomination"):
        raise PermissionDenied(_("Only a city bureau may nominate incubators."))
    if cycle is None or cycle.is_closed:
        raise ValidationError(_("There is no open programme year to nominate for."), code="no_cycle")
    if incubator is None and not new_incubator:
        raise ValidationError(_("Choose an incubator of your region or enter a new one."), code="no_incubator")
    with transaction.atomic():
        if incubator is None:
            incubator = Incubator(region_id=by.region_id, **{k: v for k, v in new_incubator.items() if k in INCUBATOR_FIELDS})
            _check_new_incubator(incubator)
            _audit(incubator, by, "created with a nomination")
            try:
                with transaction.atomic():
                    incubator.save()
            except IntegrityError as e:  # another bureau registered the same code a moment ago
                raise ValidationError(
                    {"uscc": _("This credit code was registered meanwhile; choose the incubator from the list.")},
                    code="uscc_exists",
                ) from e
        elif incubator.region_id != by.region_id:
            raise PermissionDenied(_("You may only nominate incubators of your own region."))
        if IncubatorNomination.objects.filter(cycle=cycle, incubator=incubator).exclude(
            state=NominationState.WITHDRAWN
        ).exists():
            raise ValidationError(
                _("%(name)s has already been nominated for %(year)s.") % {"name": incubator.name, "year": cycle.year},
                code="duplicate",
            )
        nomination = IncubatorNomination(
            cycle=cycle, region_id=by.region_id, incubator=incubator, created_by=by,
            results=results, recommendation=recommendation or "",
        )
        if letter:
            nomination.letter = letter
        _audit(nomination, by, "create")
        try:
            with transaction.atomic():
                nomination.save()
        except IntegrityError as e:
            raise ValidationError(
                _("%(name)s has already been nominated for %(year)s.") % {"name": incubator.name, "year": cycle.year},
                code="duplicate",
            ) from e
        save_year(incubator=incubator, year=cycle.year, figures=figures, by=by)
    return nomination


def update_nomination(*, nomination, by, expected_version, figures, results, recommendation="", letter=None,
                      clear_letter=False, incubator_changes=None):
    """Save a bureau's edit, refusing it when someone saved the nomination since the form was loaded."""
    if not by.has_perm("incubators.change_nomination", nomination):
        raise PermissionDenied(_("This nomination cannot be changed now."))
    with transaction.atomic():
        nomination.results = results
        nomination.recommendation = recommendation or ""
        if letter:
            nomination.letter = letter
        elif clear_letter:
            nomination.letter = None
        _audit(nomination, by, "edit")
        save_versioned(nomination, expected_version=expected_version)  # raises StaleEdit: nothing is saved
        if incubator_changes:
            incubator = nomination.incubator
            changed = {k: v for k, v in incubator_changes.items() if k in INCUBATOR_FIELDS and getattr(incubator, k) != v}
            if changed:
                for k, v in changed.items():
                    setattr(incubator, k, v)
                _check_new_incubator(incubator)
                _audit(incubator, by, f"edited with nomination {nomination.pk}")
                incubator.save()
        save_year(incubator=nomination.incubator, year=nomination.cycle.year, figures=figures, by=by)
    return nomination


def missing_for_submit(nomination):
    """What a nomination still lacks before it may be submitted (messages; empty when complete)."""
    missing = []
    if not nomination.letter:
        missing.append(_("the stamped recommendation letter (PDF)"))
    if not (nomination.results or "").strip():
        missing.append(_("the results in cultivating tech SMEs"))
    if not IncubatorYear.objects.filter(incubator_id=nomination.incubator_id, year=nomination.cycle.year).exists():
        missing.append(_("this year's performance figures"))
    return missing


def transition(nomination, action, *, by, reason=""):
    """The shared workflow's transition; a nomination is submitted only when it is complete."""
    if action == "submit":
        missing = missing_for_submit(nomination)
        if missing:
            raise ValidationError(
                _("Before submitting, add: %(missing)s.") % {"missing": _("; ").join(missing)}, code="incomplete"
            )
    return workflow.transition(nomination, action, by=by, reason=reason)


def save_tenancies(*, incubator, by, changed=(), deleted=()):
    """Save the incubator's linked tenants as edited (all or nothing, audited)."""
    if not by.has_perm("incubators.change_incubator", incubator):
        raise PermissionDenied(_("You may not change this incubator's tenants."))
    with transaction.atomic():
        for tenancy in deleted:
            if tenancy.pk and tenancy.incubator_id == incubator.pk:
                _audit(tenancy, by, "remove tenant")
                tenancy.delete()
        for tenancy in changed:
            tenancy.incubator = incubator
            if tenancy.enterprise.region_id != incubator.region_id and not by.has_perm("incubators.review_nominations"):
                raise ValidationError(
                    _("%(name)s is not an enterprise of %(region)s.")
                    % {"name": tenancy.enterprise.name, "region": incubator.region}, code="other_region",
                )
            tenancy.full_clean()
            _audit(tenancy, by, "tenant")
            tenancy.save()
