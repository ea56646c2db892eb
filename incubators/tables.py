"""The office's table of incubator nominations (django-tables2: sortable, paginated)."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from .models import IncubatorNomination


class IncubatorNominationTable(tables.Table):
    incubator = tables.Column(
        verbose_name=_("Incubator"), accessor="incubator__name", order_by=("incubator__name",),
        linkify=lambda record: record.get_absolute_url(), attrs={"a": {"data-testid": "nomination-link"}},
    )
    uscc = tables.Column(verbose_name=_("Credit code"), accessor="incubator__uscc", orderable=False)
    region = tables.Column(verbose_name=_("Region"), order_by=("region__sort_order",))
    year = tables.Column(verbose_name=_("Year"), accessor="cycle__year")
    kind = tables.Column(verbose_name=_("Kind"), accessor="incubator__kind")
    level = tables.Column(verbose_name=_("Level"), accessor="incubator__level")
    state = tables.TemplateColumn(template_name="incubators/_state_cell.html", verbose_name=_("State"))
    submitted_at = tables.DateTimeColumn(verbose_name=_("Submitted at"), format="Y-m-d H:i")

    class Meta:
        model = IncubatorNomination
        fields = ()
        sequence = ("incubator", "uscc", "region", "year", "kind", "level", "state", "submitted_at")
        order_by = ("region", "incubator")
        attrs = {"class": "table table-sm table-hover align-middle", "data-testid": "nominations-table"}
        empty_text = _("No incubator nominations match.")

    def render_kind(self, record):
        return record.incubator.get_kind_display()

    def render_level(self, record):
        return record.incubator.get_level_display()
