from django import template

from ..domain import explain

register = template.Library()


@register.filter
def how_obtained(indicator):
    return explain.how_obtained(indicator)


@register.filter
def how_scored(indicator):
    return explain.how_scored(indicator)


@register.filter
def note_text(code):
    return explain.note_text(code)


@register.filter
def indicator_value(value, indicator):
    """The raw value in the indicator's unit: 12 / 1,234,567.00 / 45.50%."""
    return explain.value_text(value, explain.unit(indicator))


@register.filter
def plain_number(value):
    return explain.fmt(value)


@register.filter
def state_label(code):
    return explain.state_label(code)


@register.filter
def tie_text(tie):
    return explain.tie_text(tie)
