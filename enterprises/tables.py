"""The office's table of enterprise nominations (django-tables2)."""

import django_tables2 as tables
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from .domain.eligibility import label
from .models import EnterpriseNomination


class NominationTable(tables.Table):
    enterprise = tables.Column(verbose_name=_("Enterprise"), order_by=("enterprise__name",), linkify=False)
    uscc = tables.Column(verbose_name=_("Code"), accessor="enterprise__uscc", orderable=False)
    region = tables.Column(verbose_name=_("Region"), order_by=("region__sort_order", "region__code"))
    high_tech = tables.BooleanColumn(verbose_name=_("High-tech"), accessor="enterprise__is_high_tech", orderable=False)
    state = tables.Column(verbose_name=_("State"), order_by=("state",))
    verdict = tables.Column(verbose_name=_("四科 check"), accessor="pk", order_by=("verdict__eligible",), empty_values=())
    submitted_at = tables.DateTimeColumn(verbose_name=_("Submitted on"), format="SHORT_DATETIME_FORMAT")

    class Meta:
        model = EnterpriseNomination
        fields = ["enterprise", "uscc", "region", "high_tech", "state", "verdict", "submitted_at"]
        attrs = {"class": "table table-sm table-hover align-middle", "data-testid": "office-nominations"}
        row_attrs = {"data-testid": "nomination-row", "data-pk": lambda record: record.pk}
        empty_text = _("No nominations match.")

    def render_enterprise(self, record):
        return format_html(
            '<a href="{}">{}</a>', reverse("enterprises:office_nomination", args=[record.pk]), record.enterprise.name,
        )

    def render_state(self, record):
        return render_to_string("pojian/_state_badge.html", {"nomination": record})

    def render_verdict(self, record):
        verdict = getattr(record, "verdict", None)  # select_related: no query per row
        if verdict is None:
            return format_html('<span class="text-muted small">{}</span>', _("not checked"))
        if verdict.eligible:
            return format_html('<span class="badge text-bg-success">{}</span>', _("meets"))
        return format_html(
            '<span class="badge text-bg-danger">{}</span> <span class="small">{}</span>', _("does not meet"),
            format_html_join("、", "{}", ((label(c),) for c in verdict.failed)),
        )
