"""Template helpers for the 四科 verdict and the tax-data differences (usable by any enterprise page).

    {% load enterprise_checks %}
    {% include "enterprises/_verdict.html" with verdict=nomination.verdict %}
    {% include "enterprises/_tax_differences.html" with figures=enterprise_year %}
"""

from django import template

from ..domain.checks import figure_comparison
from ..domain.eligibility import explain

register = template.Library()


@register.simple_tag
def verdict_rows(verdict):
    """The stored explanation in the reader's language (rendered now, not when it was checked)."""
    return explain(verdict.explanation) if verdict else []


@register.simple_tag
def figure_rows(figures):
    return figure_comparison(figures or None)


@register.filter
def failed_labels(verdict):
    from ..domain.eligibility import label

    return [label(c) for c in verdict.failed] if verdict else []
