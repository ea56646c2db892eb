"""Score sheets (评分表): the office edits a round's criteria and weights, or copies another sheet.

The scoring code (scoring.weighted_total) adds Σ score × weight over the criteria, and everything
downstream reads that total on a 100-point scale: the default sheets' maxima add up to 100, the
acceptance pass score is a number out of 100, and the aggregates of different rounds are shown side
by side. So a sheet is valid when Σ maximum × weight = 100 exactly, every criterion has a name (unique
in the sheet), a maximum above 0 with at most two decimals and a weight of at least 0.

A sheet is fixed once its round has left the assignment phase or any expert has given a score in it:
totals already given depend on it. To change such a sheet, copy it to a round whose sheet is still
open and edit the copy.
"""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from pojian.domain.errors import PermissionDenied, StaleEdit, TransitionNotAllowed, ValidationError

from ..models import Criterion, Round, Score, ScoreSheet

SHEET_TOTAL = Decimal("100")
MAX_CRITERIA = 30


def _require_office(by, obj=None):
    if by is None or not by.has_perm("reviews.manage_sheets", obj):
        raise PermissionDenied(_("Only the provincial office may do this."))


def sheet_locked(round_) -> bool:
    """True once the round's sheet may no longer change (scoring started, or a score was given)."""
    return round_.phase != Round.Phase.ASSIGNMENT or Score.objects.filter(review__assignment__item__round=round_).exists()


def locked_message():
    return _("This score sheet is in use: scoring has started in its round, and totals already given depend on it. "
             "Copy it to a round whose sheet is still open, and edit the copy.")


def _decimal(value, *, places, label, name):
    if isinstance(value, Decimal):
        number = value
    else:
        try:
            number = Decimal(str(value).strip())
        except (InvalidOperation, ValueError, TypeError):
            number = None
    if number is None or not number.is_finite():
        raise ValidationError(_("“%(criterion)s”: the %(what)s must be a number.") % {"criterion": name, "what": label},
                              code="number")
    if number != number.quantize(places):
        raise ValidationError(_("“%(criterion)s”: the %(what)s has too many decimal places.")
                              % {"criterion": name, "what": label}, code="places")
    return number


def clean_criteria(criteria):
    """Check a sheet's criteria; returns them cleaned ([{id, name, guidance, max_score, weight, order}]).

    criteria: [{"id": existing id or None, "name", "guidance", "max_score", "weight", "order"}].
    Raises one ValidationError listing every problem.
    """
    errors, cleaned, names = [], [], set()
    if not criteria:
        raise ValidationError(_("A score sheet needs at least one criterion."), code="empty")
    if len(criteria) > MAX_CRITERIA:
        raise ValidationError(_("A score sheet has at most %(n)s criteria.") % {"n": MAX_CRITERIA}, code="too_many")
    for n, row in enumerate(criteria, start=1):
        name = str(row.get("name") or "").strip()
        label = name or _("criterion %(n)s") % {"n": n}
        if not name:
            errors.append(_("Criterion %(n)s has no name.") % {"n": n})
        elif name in names:
            errors.append(_("“%(criterion)s” appears twice.") % {"criterion": name})
        names.add(name)
        try:
            max_score = _decimal(row.get("max_score"), places=Decimal("0.01"), label=_("maximum score"), name=label)
            if max_score <= 0:
                raise ValidationError(_("“%(criterion)s”: the maximum score must be above 0.") % {"criterion": label},
                                      code="max")
            if max_score >= Decimal("10000"):
                raise ValidationError(_("“%(criterion)s”: the maximum score is too large.") % {"criterion": label},
                                      code="max")
            weight_raw = row.get("weight")
            weight = _decimal(Decimal("1") if weight_raw in (None, "") else weight_raw, places=Decimal("0.001"),
                              label=_("weight"), name=label)
            if weight < 0 or weight >= Decimal("1000"):
                raise ValidationError(_("“%(criterion)s”: the weight must be between 0 and 999.") % {"criterion": label},
                                      code="weight")
        except ValidationError as e:
            errors.extend(e.messages)
            continue
        order = row.get("order")
        cleaned.append({
            "id": row.get("id") or None, "name": name[:120], "guidance": str(row.get("guidance") or "").strip(),
            "max_score": max_score, "weight": weight, "order": int(order) if order not in (None, "") else n,
        })
    if not errors:
        total = sum((c["max_score"] * c["weight"] for c in cleaned), Decimal(0))
        if total != SHEET_TOTAL:
            errors.append(_("The maximum scores times their weights add up to %(total)s; they must add up to %(full)s.")
                          % {"total": _plain(total), "full": SHEET_TOTAL})
    if errors:
        raise ValidationError(errors, code="invalid")
    return cleaned


def _plain(number):
    """90.000 -> "90", 87.5000 -> "87.5" (never "9E+1")."""
    return format(number.normalize(), "f")


def _sheet_of(round_):
    sheet = ScoreSheet.objects.select_for_update().filter(round=round_).first()
    if sheet is None:
        sheet = ScoreSheet.objects.create(round=round_, title=_("Score sheet"))
    return sheet


def _open_sheet(round_):
    """The round's sheet, locked for update (made if missing); refused when scoring has started."""
    current = Round.objects.select_for_update(of=("self",)).get(pk=round_.pk)
    if sheet_locked(current):
        raise TransitionNotAllowed(locked_message(), code="locked")
    return _sheet_of(current)


def _write_criteria(sheet, cleaned):
    existing = {c.pk: c for c in sheet.criteria.all()}
    keep = {c["id"] for c in cleaned if c["id"] in existing}
    # Drop the removed ones first, then rename through a temporary name so names can swap.
    Criterion.objects.filter(sheet=sheet).exclude(pk__in=keep).delete()
    for pk in keep:
        Criterion.objects.filter(pk=pk).update(name=f"__renaming_{pk}")
    for c in cleaned:
        criterion = existing.get(c["id"]) if c["id"] in keep else Criterion(sheet=sheet)
        for field in ("name", "guidance", "max_score", "weight", "order"):
            setattr(criterion, field, c[field])
        criterion.save()


def _save_sheet(sheet, *, by, reason):
    sheet.version += 1
    sheet._history_user = by
    sheet._change_reason = reason[:100]
    sheet.save()


def save_sheet(*, round_, by, title, instructions="", criteria, expected_version=None):
    """Replace the round's sheet (title, instructions, criteria), unless it is locked. Returns the sheet."""
    _require_office(by, round_)
    title = (title or "").strip()
    if not title:
        raise ValidationError(_("Give the score sheet a title."), code="title")
    cleaned = clean_criteria(criteria)
    with transaction.atomic():
        sheet = _open_sheet(round_)
        if expected_version is not None and sheet.version != int(expected_version):
            raise StaleEdit(
                _("Someone else changed this record while you were editing it. Reload the page to see their changes."),
                code="stale",
            )
        known = set(sheet.criteria.values_list("pk", flat=True))
        for c in cleaned:
            if c["id"] is not None and int(c["id"]) not in known:
                raise ValidationError(_("Unknown criterion."), code="unknown")
            c["id"] = int(c["id"]) if c["id"] is not None else None
        sheet.title, sheet.instructions = title[:120], (instructions or "").strip()
        _write_criteria(sheet, cleaned)
        _save_sheet(sheet, by=by, reason="edit: " + "、".join(c["name"] for c in cleaned))
    return sheet


def copy_sheet(*, source, round_, by):
    """Copy `source` (a ScoreSheet, e.g. last year's or a locked one) onto the round's sheet, if that is open."""
    _require_office(by, round_)
    if source.round_id == round_.pk:
        raise ValidationError(_("Choose another round's score sheet to copy."), code="same")
    criteria = [{"name": c.name, "guidance": c.guidance, "max_score": c.max_score, "weight": c.weight, "order": c.order}
                for c in source.criteria.order_by("order", "pk")]
    cleaned = clean_criteria(criteria)
    with transaction.atomic():
        sheet = _open_sheet(round_)
        sheet.title, sheet.instructions = source.title, source.instructions
        _write_criteria(sheet, cleaned)
        _save_sheet(sheet, by=by, reason=f"copy: {source.round}")
    return sheet


def sheets_of_year(cycle):
    """The year's rounds with their sheets, criteria and whether each sheet is locked (office list)."""
    from django.db.models import Exists, OuterRef, Prefetch

    rounds = (
        Round.objects.filter(cycle=cycle).select_related("cycle", "sheet")
        .prefetch_related(Prefetch("sheet__criteria", queryset=Criterion.objects.order_by("order", "pk")))
        .annotate(scored=Exists(Score.objects.filter(review__assignment__item__round=OuterRef("pk"))))
        .order_by("kind", "pk")
    )
    rows = []
    for r in rounds:
        sheet = getattr(r, "sheet", None) if _has_sheet(r) else None
        criteria = list(sheet.criteria.all()) if sheet else []
        rows.append({
            "round": r, "sheet": sheet, "criteria": criteria,
            "max_total": sum((c.max_score * c.weight for c in criteria), Decimal(0)),
            "locked": r.phase != Round.Phase.ASSIGNMENT or r.scored,
        })
    return rows


def _has_sheet(round_):
    from django.core.exceptions import ObjectDoesNotExist

    try:
        return round_.sheet is not None
    except ObjectDoesNotExist:
        return False


def copy_sources(round_):
    """Sheets that may be copied onto this round: every other round's sheet with criteria, this year's first."""
    return list(
        ScoreSheet.objects.exclude(round=round_).filter(criteria__isnull=False).distinct()
        .select_related("round__cycle").order_by("-round__cycle__year", "round__kind", "pk")
    )
