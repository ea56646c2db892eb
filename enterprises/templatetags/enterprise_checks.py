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
def criterion_label(code):
    from ..domain.eligibility import label

    return label(code)


@register.filter
def failed_labels(verdict):
    from ..domain.eligibility import label

    return [label(c) for c in verdict.failed] if verdict else []


_STATE_CLASS = {
    "accepted": "text-bg-success", "selected": "text-bg-success", "submitted": "text-bg-primary",
    "returned": "text-bg-warning", "rejected": "text-bg-secondary", "withdrawn": "text-bg-secondary",
    "not_selected": "text-bg-secondary",
}


@register.simple_tag
def office_nomination_rows(table):
    """The <tr>s of the office's nomination list, made in Python.

    The list is the page the office opens most, over 100,000 nominations: through the template
    language its 50 rows took two thirds of the request (a variable lookup chain per cell);
    here they are one format_html each. The markup is the one the template had.
    """
    from django.urls import reverse
    from django.utils import formats, timezone
    from django.utils.html import format_html
    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext as _

    from pojian.models import NominationState

    from ..domain.eligibility import label

    yes, no, not_checked = _("Yes"), _("No"), _("not checked")
    meets, does_not_meet = _("meets"), _("does not meet")
    override_badge = format_html('<span class="badge text-bg-warning" data-testid="override-badge" title="{}">{}</span>',
                                 _("Accepted despite the 四科 check, with a recorded reason"), _("override"))
    list_url = reverse("enterprises:office_nominations")
    states = {value: str(text) for value, text in NominationState.choices}
    labels = {}
    out = []
    for row in table.paginated_rows:
        n = row.record
        enterprise = n.enterprise
        if enterprise.is_high_tech:
            high_tech = format_html('<span class="text-success" title="{}">✔</span>', yes)
        else:
            high_tech = format_html('<span class="text-muted" title="{}">✘</span>', no)
        state = format_html('<span class="badge state-badge {}" data-testid="state">{}</span>',
                            _STATE_CLASS.get(n.state, "text-bg-light border"), states.get(n.state, n.state))
        verdict = getattr(n, "verdict", None)
        if verdict is None:
            result = format_html('<span class="text-muted small">{}</span>', not_checked)
        elif verdict.eligible:
            result = format_html('<span class="badge text-bg-success">{}</span>', meets)
        else:
            failed = "、".join(labels.get(c) or labels.setdefault(c, str(label(c))) for c in verdict.failed)
            result = format_html('<span class="badge text-bg-danger">{}</span> <span class="small">{}</span>',
                                 does_not_meet, failed)
        if n.gate_override_at is not None:
            result = format_html("{} {}", override_badge, result)
        submitted = "—" if n.submitted_at is None else formats.date_format(
            timezone.localtime(n.submitted_at), "SHORT_DATETIME_FORMAT")
        out.append(format_html(
            '<tr data-testid="nomination-row" data-pk="{}">\n'
            '  <td><input class="form-check-input" type="checkbox" name="ids" value="{}" form="bulk" aria-label="{}"></td>\n'
            '  <td><a href="{}{}/">{}</a></td>\n'
            '  <td class="small"><code>{}</code></td>\n  <td>{}</td>\n  <td>{}</td>\n  <td>{}</td>\n  <td>{}</td>\n'
            '  <td class="small text-nowrap">{}</td>\n</tr>\n',
            n.pk, n.pk, enterprise.name, list_url, n.pk, enterprise.name, enterprise.uscc, n.region.name, high_tech, state, result, submitted,
        ))
    if not out:
        return format_html('<tr><td colspan="{}">{}</td></tr>', len(table.columns), table.empty_text)
    return mark_safe("".join(out))  # noqa: S308 - every part made by format_html above
