"""The post-subsidy list (后补助名单): the office marks supported incubators with an amount.

Support can roll over years (可滚动支持): one row per incubator and year, and the list shows
each incubator's history across years.

An incubator is marked from a nomination of the year that is selected (an incubator review
round's confirmed result, see reviews.domain) or accepted: the office may also decide without
a review round for incubators, as the policy leaves the form of the review to it.
"""

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from pojian.domain.errors import PermissionDenied, ValidationError
from pojian.domain.money import parse_money
from pojian.domain.notifications import notify, region_bureau_users
from pojian.models import NominationState

from ..models import IncubatorNomination, PostSubsidy, PostSubsidyPublication

ELIGIBLE_STATES = (NominationState.ACCEPTED, NominationState.SELECTED)


def _require_office(by):
    if not by.has_perm("incubators.manage_post_subsidies"):
        raise PermissionDenied(_("Only the provincial office manages the post-subsidy list."))


def _require_unpublished(year):
    if PostSubsidyPublication.objects.filter(year=year).exists():
        raise ValidationError(
            _("The post-subsidy list for %(year)s has been published; withdraw the publication to change it.")
            % {"year": year}, code="published",
        )


def _amount(value):
    try:
        amount = parse_money(value, maximum=Decimal("1e12") - Decimal("0.01"))
    except ValueError as e:
        raise ValidationError(str(e), code="amount") from None
    if amount <= 0:
        raise ValidationError(_("The amount must be a positive number of yuan with at most two decimals."), code="amount")
    return amount


def candidates(*, year):
    """The year's nominations an incubator may be marked from (accepted or selected)."""
    return IncubatorNomination.objects.filter(cycle__year=year, state__in=ELIGIBLE_STATES).select_related(
        "incubator", "region"
    )


def mark_supported(*, nomination, amount, by, notes=""):
    """Put the nominated incubator on the year's post-subsidy list with `amount` yuan (or change the amount).

    Once the list is made by the year's rule (subsidy_rule.list_from_round), marking by hand is an
    override: it needs a reason, which is kept.
    """
    _require_office(by)
    amount = _amount(amount)
    year = nomination.cycle.year
    from ..models import SubsidyRule

    by_rule = SubsidyRule.objects.filter(cycle__year=year, applied_at__isnull=False).exists()
    if by_rule and not (notes or "").strip():
        raise ValidationError(_("The list is made by the year's rule: give the reason for overriding it."),
                              code="override_reason")
    with transaction.atomic():
        nomination = IncubatorNomination.objects.select_for_update().select_related("incubator", "cycle").get(
            pk=nomination.pk
        )
        if nomination.state not in ELIGIBLE_STATES:
            raise ValidationError(
                _("Only an accepted or selected nomination can be put on the post-subsidy list."), code="state"
            )
        _require_unpublished(year)
        subsidy = PostSubsidy.objects.select_for_update().filter(incubator=nomination.incubator, year=year).first()
        created = subsidy is None
        if created:
            subsidy = PostSubsidy(incubator=nomination.incubator, year=year)
        subsidy.amount = amount
        subsidy.nomination = nomination
        subsidy.decided_by = by
        subsidy.notes = (notes or "").strip()
        if by_rule:
            subsidy.override_reason = subsidy.notes
        subsidy._history_user = by
        subsidy._change_reason = f"{'mark' if created else 'change'}: {amount}"
        subsidy.full_clean(validate_unique=False)
        subsidy.save()
        notify(
            region_bureau_users(nomination.region_id),
            subject=_("%(name)s is on the %(year)s post-subsidy list") % {"name": nomination.incubator.name, "year": year},
            body=_("Amount: %(amount)s yuan.") % {"amount": f"{amount:,.2f}"}, by=by,
            url=nomination.get_absolute_url(),
        )
    return subsidy


def remove_support(*, subsidy, by, reason):
    """Take an incubator off the year's list (the reason is kept in the audit trail)."""
    _require_office(by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Please give a reason."), code="reason_required")
    with transaction.atomic():
        _require_unpublished(subsidy.year)
        subsidy._history_user = by
        subsidy._change_reason = f"remove: {reason}"
        subsidy.delete()


def publish(*, year, by):
    """Publish the year's list on the public page."""
    _require_office(by)
    if not PostSubsidy.objects.filter(year=year).exists():
        raise ValidationError(_("The post-subsidy list for %(year)s is empty.") % {"year": year}, code="empty")
    publication, created = PostSubsidyPublication.objects.get_or_create(year=year, defaults={"published_by": by})
    return publication


def unpublish(*, year, by):
    _require_office(by)
    for publication in PostSubsidyPublication.objects.filter(year=year):
        publication._history_user = by
        publication._change_reason = "unpublish"
        publication.delete()


def support_history(*, incubator_ids):
    """{incubator_id: {year: amount}} of every post-subsidy of these incubators, in one query."""
    history = defaultdict(dict)
    for incubator_id, year, amount in PostSubsidy.objects.filter(incubator_id__in=list(incubator_ids)).values_list(
        "incubator_id", "year", "amount"
    ):
        history[incubator_id][year] = amount
    return history


def year_list(*, year, history_years=5, visible_years=None):
    """The post-subsidy list of a year with each incubator's history of support across years.

    Returns (years shown, rows) where a row is {subsidy, amounts (per year shown), total,
    years_supported}. `visible_years` limits the history to those years (the public page
    shows only published years).
    """
    subsidies = list(
        PostSubsidy.objects.filter(year=year).select_related("incubator", "incubator__region", "nomination", "decided_by")
    )
    history = support_history(incubator_ids=[s.incubator_id for s in subsidies])
    all_years = sorted({y for h in history.values() for y in h} | {year}, reverse=True)
    if visible_years is not None:
        all_years = [y for y in all_years if y in visible_years or y == year]
    shown = [y for y in all_years if y <= year][:history_years]
    rows = []
    for s in subsidies:
        up_to = {y: a for y, a in history[s.incubator_id].items()
                 if y <= year and (visible_years is None or y in visible_years)}
        rows.append({
            "subsidy": s,
            "amounts": [up_to.get(y) for y in shown],
            "total": sum(up_to.values(), Decimal("0")),
            "years_supported": len(up_to),
            "consecutive_years": consecutive_years(up_to, year),
        })
    return shown, rows


def consecutive_years(history, year):
    """How many years in a row, ending with `year`, an incubator was supported (可滚动支持)."""
    n = 0
    while year - n in history:
        n += 1
    return n


def year_total(*, year):
    return PostSubsidy.objects.filter(year=year).aggregate(total=Sum("amount"))["total"] or Decimal("0")
