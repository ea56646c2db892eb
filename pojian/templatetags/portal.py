from decimal import Decimal

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

register = template.Library()


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key)


@register.filter
def yuan(value):
    """Money in yuan with grouping and two decimals: 1,234,567.00."""
    if value is None or value == "":
        return "—"
    return intcomma(f"{Decimal(value):.2f}")


@register.filter
def wanyuan(value):
    """Money in 万元 (ten thousand yuan), two decimals, grouped."""
    if value is None or value == "":
        return "—"
    return intcomma(f"{Decimal(value) / Decimal(10000):.2f}")


@register.filter
def change_reason(record):
    """A history record's reason in words (“accept: …” → “已受理：…”); see pojian.history."""
    from pojian.history import change_reason_display

    return change_reason_display(record.history_change_reason, getattr(record, "instance_type", None))


@register.filter
def file_basename(name):
    """“summaries/2026/3-总结.pdf” → “3-总结.pdf”: a stored file's name without the storage path."""
    return str(name or "").rsplit("/", 1)[-1]
