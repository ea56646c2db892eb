"""Incubator post-subsidies by rule (孵化器后补助): the confirmed incubator review round makes the list.

The year's rule gives each selected incubator, by rank within the quota, an amount from bands of
rank or of score, capped, in whole units, scaled to the line's budget with `allocate`. Each
incubator on the list gets a grant in the ledger. Marking by hand stays possible only as an
override with a reason (post_subsidies.mark_supported). Support rolls over years: the list shows
how many consecutive years an incubator has been supported.
"""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from funding.domain.allocation import allocate
from pojian.domain.errors import PermissionDenied, StaleEdit, ValidationError

from ..models import IncubatorNomination, PostSubsidy, PostSubsidyPublication, SubsidyRule

ZERO = Decimal("0")
RULE_FIELDS = ("by", "bands", "cap", "unit")
DEFAULT_BANDS = {"rank": [[3, "1000000"], [6, "600000"], [None, "300000"]]}


def _require_office(by):
    if by is None or not by.has_perm("incubators.manage_post_subsidies"):
        raise PermissionDenied(_("Only the provincial office manages the post-subsidy list."))


def parse_bands(by_, bands):
    """[(limit, amount)]: by rank, last ranks ascending (the last may be None); by score, lowest scores descending."""
    message = _("Give the bands as [[limit, amount in yuan], …]: by rank the last rank of each band, ascending "
                "(the last may be null); by score the lowest score of each band, descending.")
    if not isinstance(bands, list) or not bands:
        raise ValidationError({"bands": message}, code="bands")
    parsed = []
    try:
        for limit, amount in bands:
            parsed.append((None if limit is None else Decimal(str(limit)), Decimal(str(amount))))
    except (TypeError, ValueError, InvalidOperation):
        raise ValidationError({"bands": message}, code="bands") from None
    limits = [limit for limit, _a in parsed]
    if any(not a.is_finite() or a < 0 for _l, a in parsed):
        raise ValidationError({"bands": message}, code="bands")
    if by_ == SubsidyRule.By.RANK:
        if None in limits[:-1] or any(lim is not None and lim < 1 for lim in limits):
            raise ValidationError({"bands": message}, code="bands")
        closed = [lim for lim in limits if lim is not None]
        if closed != sorted(set(closed)):
            raise ValidationError({"bands": message}, code="bands")
    else:
        if None in limits or limits != sorted(set(limits), reverse=True):
            raise ValidationError({"bands": message}, code="bands")
    return parsed


def band_amount(rule, *, rank, score):
    """(amount, band number from 1) for a rank or score under the rule; (0, None) outside every band."""
    for n, (limit, amount) in enumerate(parse_bands(rule.by, rule.bands), start=1):
        if rule.by == SubsidyRule.By.RANK:
            if rank is not None and (limit is None or rank <= limit):
                return amount, n
        elif score is not None and score >= limit:
            return amount, n
    return ZERO, None


def rule_for_year(*, cycle, by):
    """The year's rule, made on first use as a copy of the latest earlier one (or the defaults)."""
    _require_office(by)
    rule = SubsidyRule.objects.filter(cycle=cycle).first()
    if rule is None:
        previous = SubsidyRule.objects.filter(cycle__year__lt=cycle.year).order_by("-cycle__year").first()
        rule = SubsidyRule(cycle=cycle, bands=DEFAULT_BANDS["rank"])
        if previous is not None:
            for field in RULE_FIELDS:
                setattr(rule, field, getattr(previous, field))
        rule._history_user = by
        rule.save()
    return rule


@transaction.atomic
def update_rule(*, rule, values, version, by, reason="rule changed"):
    """Change the year's rule; with `quota` the year's incubator quota, with `budget` (and
    `document_no`) the line's budget in the ledger. Never over someone else's change; every change
    is in the rule's history (and the budget's)."""
    _require_office(by)
    current = SubsidyRule.objects.select_for_update().select_related("cycle").get(pk=rule.pk)
    if current.version != int(version):
        raise StaleEdit(_("Someone else changed this rule meanwhile; reload the page and make your change again."))
    parse_bands(values.get("by", current.by), values.get("bands", current.bands))
    if PostSubsidyPublication.objects.filter(year=current.cycle.year).exists():
        raise ValidationError(
            _("The post-subsidy list for %(year)s has been published; withdraw the publication to change it.")
            % {"year": current.cycle.year}, code="published")
    for field in RULE_FIELDS:
        if field in values:
            setattr(current, field, values[field])
    if values.get("quota") is not None and values["quota"] != current.cycle.incubator_quota:
        cycle = current.cycle
        cycle.incubator_quota = values["quota"]
        cycle._history_user = by
        cycle.save(update_fields=["incubator_quota"])
    if values.get("budget") is not None:
        _set_budget(current.cycle, values["budget"], values.get("document_no", ""), by=by)
    current.version += 1
    current._history_user = by
    current._change_reason = reason[:100]
    current.save()
    return current


def _set_budget(cycle, amount, document_no, *, by):
    from funding.models import Budget, FundingLine

    document_no = (document_no or "").strip()
    budget = Budget.objects.select_for_update().filter(cycle=cycle, line__code=FundingLine.INCUBATOR_POST).first()
    if budget is None:
        if not document_no:
            raise ValidationError({"document_no": _("Give the document number (文号) that sets the budget.")},
                                  code="document_no")
        budget = Budget(cycle=cycle, line=FundingLine.objects.get(code=FundingLine.INCUBATOR_POST))
    if budget.amount == amount and (not document_no or budget.document_no == document_no):
        return budget
    budget.amount = amount
    budget.document_no = document_no or budget.document_no
    budget._history_user = by
    budget._change_reason = "incubator post-subsidy rule page"
    budget.save()
    return budget


def explain(rule, *, rank, score, band, banded, granted, scaled, budget):
    """One line saying how an incubator's amount was reached: rank or score, band, cap, scaling, unit."""
    from django.contrib.humanize.templatetags.humanize import intcomma

    def yuan(d):
        return intcomma(f"{d:.2f}")

    parts = [_("rank %(rank)s") % {"rank": rank} if rule.by == SubsidyRule.By.RANK
             else _("score %(score)s") % {"score": score}]
    parts.append(_("band %(n)s: %(amount)s yuan") % {"n": band, "amount": yuan(banded)} if band
                 else _("in no band"))
    if rule.cap is not None and banded > rule.cap:
        parts.append(_("cap %(cap)s yuan") % {"cap": yuan(rule.cap)})
    if scaled:
        parts.append(_("scaled to the budget of %(budget)s yuan") % {"budget": yuan(budget)})
    parts.append(_("in units of %(unit)s yuan: %(amount)s yuan") % {"unit": yuan(rule.unit), "amount": yuan(granted)})
    return " → ".join(parts)


def confirmed_round(cycle):
    from reviews.models import Round

    return (Round.objects.filter(cycle=cycle, kind=Round.Kind.INCUBATORS, results_confirmed_at__isnull=False)
            .order_by("-results_confirmed_at").first())


def _budget(cycle):
    from funding.models import Budget, FundingLine

    budget = Budget.objects.filter(cycle=cycle, line__code=FundingLine.INCUBATOR_POST).first()
    return budget.amount if budget else None


def list_from_round(*, cycle, by):
    """Make the year's post-subsidy list from the confirmed incubator review round, by the year's rule.

    The round's selected items in rank order, up to the year's incubator quota; rows marked by
    hand as an override keep their amount. Returns the subsidies on the list.
    """
    _require_office(by)
    round_ = confirmed_round(cycle)
    if round_ is None:
        raise ValidationError(_("The incubator review round of %(year)s has no confirmed results yet.")
                              % {"year": cycle.year}, code="no_round")
    with transaction.atomic():
        rule = SubsidyRule.objects.select_for_update().get(pk=rule_for_year(cycle=cycle, by=by).pk)
        if PostSubsidyPublication.objects.filter(year=cycle.year).exists():
            raise ValidationError(
                _("The post-subsidy list for %(year)s has been published; withdraw the publication to change it.")
                % {"year": cycle.year}, code="published")
        items = list(round_.items.filter(selected=True).order_by("rank", "pk")[:cycle.incubator_quota])
        nominations = IncubatorNomination.objects.in_bulk([i.object_id for i in items])
        requests, meta = {}, {}
        for item in items:
            nomination = nominations.get(item.object_id)
            if nomination is None:
                continue
            amount, band = band_amount(rule, rank=item.rank, score=item.aggregate)
            requests[nomination.incubator_id] = amount
            meta[nomination.incubator_id] = (nomination, item, band)
        asked = sum((min(a, rule.cap) if rule.cap is not None else a for a in requests.values()), ZERO)
        budget = _budget(cycle)
        scaled = budget is not None and asked > budget
        granted = allocate(requests, budget=budget if scaled else asked, cap=rule.cap, unit=rule.unit)
        existing = {s.incubator_id: s for s in PostSubsidy.objects.select_for_update().filter(year=cycle.year)}
        for incubator_id, s in existing.items():
            if incubator_id not in granted and not s.override_reason and s.grant_id is None:
                s._history_user, s._change_reason = by, "not on the rule's list"
                s.delete()
        made = []
        for incubator_id, amount in granted.items():
            nomination, item, band = meta[incubator_id]
            s = existing.get(incubator_id) or PostSubsidy(incubator_id=incubator_id, year=cycle.year)
            s.rank, s.score, s.computed_amount, s.nomination, s.decided_by = (
                item.rank, item.aggregate, amount, nomination, by)
            if not s.override_reason:
                if amount <= 0:
                    if s.pk and s.grant_id is None:
                        s.delete()
                    continue
                s.amount = amount
                s.notes = _("By the %(year)s rule from the review round: %(how)s.") % {
                    "year": cycle.year, "how": explain(rule, rank=item.rank, score=item.aggregate, band=band,
                                                       banded=requests[incubator_id], granted=amount, scaled=scaled,
                                                       budget=budget)}
            s._history_user, s._change_reason = by, "rule"
            s.save()
            made.append(s)
        rule.applied_at = timezone.now()
        rule.save(update_fields=["applied_at"])
    return made


def propose_grants(*, cycle, by):
    """One proposed grant in the ledger (line 孵化器后补助) per incubator on the published list."""
    from funding.domain.grants import propose_grant
    from funding.models import FundingLine

    _require_office(by)
    if not PostSubsidyPublication.objects.filter(year=cycle.year).exists():
        raise ValidationError(_("Publish the post-subsidy list first."), code="unpublished")
    line = FundingLine.objects.get(code=FundingLine.INCUBATOR_POST)
    made = 0
    with transaction.atomic():
        for s in PostSubsidy.objects.select_for_update().filter(year=cycle.year, grant__isnull=True).select_related(
                "incubator"):
            s.grant = propose_grant(cycle=cycle, line=line, beneficiary=s.incubator, amount=s.amount, by=by,
                                    region=s.incubator.region, source=s,
                                    source_label=_("Incubator post-subsidy %(year)s") % {"year": cycle.year})
            s.save(update_fields=["grant"])
            made += 1
    return made

