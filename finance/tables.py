import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from pojian.templatetags.portal import yuan

from .models import FinanceNomination, Investment


class NominationTable(tables.Table):
    select = tables.CheckBoxColumn(accessor="pk", attrs={
        "th__input": {"data-testid": "select-all", "aria-label": _("Select all")},
        "td__input": {"name": "ids", "form": "bulk-form", "aria-label": lambda record: _("Select %(name)s") % {
            "name": record.institution}},
    })
    institution = tables.Column(verbose_name=_("Institution"), linkify=True, order_by=("institution__name",))
    region = tables.Column(verbose_name=_("Region"))
    kind = tables.Column(verbose_name=_("Kind"), accessor="institution__kind", order_by=("institution__kind",))
    state = tables.Column(verbose_name=_("State"))
    cycle = tables.Column(verbose_name=_("Year"), accessor="cycle__year")
    updated_at = tables.DateTimeColumn(verbose_name=_("Updated"), format="Y-m-d H:i")

    class Meta:
        model = FinanceNomination
        fields = ["select", "institution", "region", "kind", "cycle", "state", "updated_at"]
        attrs = {"class": "table table-sm table-hover align-middle text-nowrap", "data-testid": "nomination-table"}
        empty_text = _("No nominations yet.")

    def __init__(self, *args, selectable=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not selectable:
            self.columns.hide("select")

    def render_institution(self, record):
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), record.institution.name)

    def render_kind(self, record):
        return record.institution.get_kind_display()

    def render_state(self, record):
        from django.template.loader import render_to_string

        return render_to_string("pojian/_state_badge.html", {"nomination": record})


class InvestmentTable(tables.Table):
    institution = tables.Column(verbose_name=_("Institution"))
    enterprise = tables.Column(verbose_name=_("Enterprise"))
    date = tables.DateColumn(verbose_name=_("Date"), format="Y-m-d")
    amount = tables.Column(verbose_name=_("Amount (yuan)"), attrs={"td": {"class": "text-end"}})
    round = tables.Column(verbose_name=_("Round"))
    early_or_small = tables.BooleanColumn(verbose_name=_("Early or small"))
    reason = tables.Column(verbose_name=_("Basis"), orderable=False, empty_values=(),
                           attrs={"td": {"class": "text-wrap", "style": "min-width: 16rem"}})
    edit = tables.TemplateColumn(
        '{% load i18n %}<a href="{% url \'finance:investment_edit\' record.pk %}">{% translate "Edit" %}</a>',
        verbose_name="", orderable=False)

    class Meta:
        model = Investment
        fields = ["institution", "enterprise", "date", "amount", "round", "early_or_small", "reason", "edit"]
        attrs = {"class": "table table-sm table-hover align-middle text-nowrap", "data-testid": "investment-table"}
        empty_text = _("No investments recorded.")

    def render_amount(self, value):
        return yuan(value)

    def render_reason(self, record):
        return format_html('<span class="small text-muted">{}</span>', record.reason)
