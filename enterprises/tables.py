"""The office's table of enterprise nominations (django-tables2: columns, sorting, pagination).

The rows are written by the template office_nominations_table.html straight from the records
(one query for the page, select_related), not cell by cell.
"""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from .models import EnterpriseNomination


class NominationTable(tables.Table):
    pick = tables.CheckBoxColumn(accessor="pk", orderable=False, attrs={"th__input": {"form": "bulk", "data-testid": "pick-all",
                                                                                     "aria-label": _("Select all")}})
    enterprise = tables.Column(verbose_name=_("Enterprise"), order_by=("enterprise__name",))
    uscc = tables.Column(verbose_name=_("Code"), accessor="enterprise__uscc", orderable=False)
    region = tables.Column(verbose_name=_("Region"), order_by=("region__sort_order", "region__code"))
    high_tech = tables.BooleanColumn(verbose_name=_("High-tech"), accessor="enterprise__is_high_tech", orderable=False)
    state = tables.Column(verbose_name=_("State"), order_by=("state",))
    verdict = tables.Column(verbose_name=_("四科 check"), accessor="verdict__eligible", order_by=("verdict__eligible",))
    submitted_at = tables.DateTimeColumn(verbose_name=_("Submitted on"), format="SHORT_DATETIME_FORMAT")

    class Meta:
        model = EnterpriseNomination
        fields = ["pick", "enterprise", "uscc", "region", "high_tech", "state", "verdict", "submitted_at"]
        template_name = "enterprises/office_nominations_table.html"
        attrs = {"class": "table table-sm table-hover align-middle", "data-testid": "office-nominations"}
        empty_text = _("No nominations match.")
