"""Words for the figures: how an indicator is obtained and scored, why a value is missing, units."""

from decimal import ROUND_HALF_UP, Decimal

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.translation import gettext as _

from pojian.models import NominationState

from ..models import Indicator
from .computations import COMPUTATIONS
from .scoring import parse_bands


def unit(indicator) -> str:
    if indicator.source == Indicator.Source.COMPUTED and indicator.computation in COMPUTATIONS:
        return COMPUTATIONS[indicator.computation].unit
    return "number"


def how_obtained(indicator) -> str:
    year = indicator.cycle.year
    if indicator.source == Indicator.Source.COMPUTED:
        computation = COMPUTATIONS.get(indicator.computation)
        if computation is None:
            return _("Computed by the portal.")
        return str(computation.explanation) % {"year": year, "previous": year - 1}
    if indicator.source == Indicator.Source.OFFICE:
        return _("Entered by the provincial office (e.g. the functional divisions' opinion).")
    return _(
        "The aggregate expert score of the region's summary in the %(year)s review round of bureau summaries."
    ) % {"year": year}


def how_scored(indicator) -> str:
    if indicator.scoring == Indicator.Scoring.BANDS:
        bands = "; ".join(
            _("≥ %(min)s: %(points)s points") % {"min": fmt(b["min"]), "points": fmt(b["points"])}
            for b in parse_bands(indicator.bands)
        )
        return _("Scored by bands (the highest band reached counts, 0 below the lowest): %(bands)s.") % {"bands": bands}
    return _("Scored against the best region: value ÷ best region's value × 100 (0 when the best value is 0).")


def note_text(code) -> str:
    if code == "unavailable":
        return _("This figure is not available in the portal yet; it counts as 0.")
    if code == "missing":
        return _("No value yet; it counts as 0.")
    return ""


def fmt(value) -> str:
    """A plain number without trailing zeros (12, 12.5, 0.25)."""
    if value is None or value == "":
        return "—"
    d = Decimal(str(value))
    if d == d.to_integral_value():
        return intcomma(str(int(d)))
    return intcomma(format(d.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize(), "f"))


def value_text(value, unit_name) -> str:
    if value is None:
        return "—"
    d = Decimal(str(value))
    if unit_name == "count":
        return intcomma(str(int(d)))
    if unit_name == "yuan":
        return intcomma(f"{d.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):.2f}")
    if unit_name == "percent":
        return f"{d.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):.2f}%"
    return fmt(d)


def state_label(code) -> str:
    try:
        return str(NominationState(code).label)
    except ValueError:
        return code or ""


def tie_text(tie) -> str:
    if not tie:
        return ""
    others = "、".join(tie.get("with") or [])
    if tie.get("shared"):
        return _("Equal with %(others)s on the total and on every indicator: rank shared.") % {"others": others}
    if tie.get("by"):
        return _("Equal total with %(others)s; decided by the score on “%(indicator)s”.") % {
            "others": others, "indicator": tie["by"]
        }
    return _("Equal total with %(others)s.") % {"others": others}
