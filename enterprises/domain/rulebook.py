"""A programme year's rulebook (the 四科 rules as data): the year's current version, a new year's
copy of the last one, and the office's changes.

Before the first check of the year has run, a change edits the current version in place (its
history keeps the old values). Once a verdict was judged by it, a change makes a new version with
a reason, and the year's check runs again in the background, so every stored verdict keeps the
values it was judged by.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ..models import Rulebook


def _shift(day, years):
    if day is None:
        return None
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a year without one
        return day.replace(year=day.year + years, day=28)


def current(year):
    """The year's current rulebook (its latest version), or None."""
    return Rulebook.objects.filter(year=year).order_by("-version").first()


def rulebook_for(year):
    """The year's current rulebook; a year without one gets a copy of the latest earlier year's
    (the figures year and the cut-off moved along), or the document's defaults."""
    year = int(year)
    found = current(year)
    if found is not None:
        return found
    previous = Rulebook.objects.filter(year__lt=year).order_by("-year", "-version").first()
    values = {"figures_year": year - 1}
    if previous is not None:
        gap = year - previous.year
        values = {name: getattr(previous, name) for name in Rulebook.VALUES}
        values["figures_year"] = previous.figures_year + gap
        values["previous_registration_until"] = _shift(previous.previous_registration_until, gap)
        values["high_value_kinds"] = list(previous.high_value_kinds)
    try:
        with transaction.atomic():
            return Rulebook.objects.create(year=year, version=1, **values)
    except IntegrityError:  # created meanwhile by another request
        return current(year)


def has_judged(rulebook):
    """Whether a verdict was judged by this version (the year's first check has run on it)."""
    return rulebook.verdicts.exists()


def changed_values(rulebook, values):
    """{name: new value} for the values that differ from the rulebook's."""
    changed = {}
    for name in Rulebook.VALUES:
        if name not in values:
            continue
        new, old = values[name], getattr(rulebook, name)
        if name == "high_value_kinds":
            new, old = sorted(new), sorted(old)
        if new != old:
            changed[name] = values[name]
    return changed


def update_rulebook(*, rulebook, values, reason="", by=None, language=None):
    """Apply the office's change to a year's rulebook. Returns (the current rulebook, the re-check Job or None).

    Refused (ValidationError) for a version that is not the year's latest, and for a change to a
    version already used by a check without a reason. Nothing changes when no value does.
    """
    from pojian.domain.jobs import start_job

    from .. import tasks
    from . import checks

    reason = (reason or "").strip()
    with transaction.atomic():
        latest = Rulebook.objects.select_for_update().filter(year=rulebook.year).order_by("-version").first()
        if latest.pk != rulebook.pk:
            raise ValidationError(_("This is not the year's current rulebook: it was changed meanwhile. Reload the page."))
        changed = changed_values(latest, values)
        if not changed:
            return latest, None
        if not has_judged(latest):
            for name, value in changed.items():
                setattr(latest, name, value)
            if reason:
                latest.reason = reason
            latest._change_reason = reason
            if by is not None:
                latest._history_user = by
            latest.full_clean()
            latest.save()
            return latest, None
        if not reason:
            raise ValidationError(_("The year's check has already run on these rules: give a reason for the change."))
        new = Rulebook(year=latest.year, version=latest.version + 1, reason=reason, created_by=by,
                       **{name: getattr(latest, name) for name in Rulebook.VALUES})
        for name, value in changed.items():
            setattr(new, name, value)
        new.full_clean()
        if by is not None:
            new._history_user = by
        new._change_reason = reason
        new.save()
        job, _created = start_job(
            kind="enterprises.check_year",
            title=_("四科 check of the %(year)s enterprise nominations (rulebook version %(version)s)") % {
                "year": new.year, "version": new.version},
            by=by,
            task=tasks.check_year,
            params={"year": new.year, "language": language or settings.LANGUAGE_CODE},
            dedupe_key=checks.year_check_dedupe_key(new.year),
        )
        return new, job


def figures_label(*, figures_year, year):
    """How every page, form and file says it: 2025年度财务数据（2026年度推荐）."""
    return _("Financial figures for %(figures_year)s (%(year)s nominations)") % {
        "figures_year": figures_year, "year": year}


def figures_year_for(year):
    """The fiscal year whose figures judge the nominations of programme year `year`."""
    return rulebook_for(year).figures_year

