"""Form fields shared by every app: the one money input."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .domain.money import MONEY_MAX, format_money, parse_money


def format_money_template():
    """“%s 元”: format_money's pattern, for the script that echoes the amount while typing."""
    from django.utils.translation import gettext

    return gettext("%(amount)s yuan") % {"amount": "%s"}


class MoneyInput(forms.TextInput):
    """A text box (so 12万 can be typed) that shows beside it the amount it understood.

    The server renders the understood value of a bound field; static/js/money.js updates it
    while the user types, with the same grammar.
    """

    template_name = "pojian/widgets/money.html"
    input_type = "text"

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", "data-money": "", **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        echo = ""
        if value not in (None, ""):
            try:
                echo = format_money(parse_money(value, allow_negative=True, maximum=None))
            except ValueError:
                echo = ""
        context["widget"]["echo"] = echo
        context["widget"]["attrs"]["data-money-format"] = format_money_template()
        context["widget"]["attrs"]["data-money-unreadable"] = str(_("not an amount the portal can read"))
        return context

    def format_value(self, value):
        if isinstance(value, Decimal):
            return f"{value:.2f}"
        return super().format_value(value)


class MoneyField(forms.DecimalField):
    """Money in yuan: reads 12万, 12万元, 1.5亿, 1,234,567.89 and full-width digits; refuses the rest."""

    widget = MoneyInput
    default_help = _("In yuan; 12万, 1.5亿 and 1,234,567.89 are understood.")

    def __init__(self, *, max_digits=16, decimal_places=2, min_value=Decimal("0"), **kwargs):
        if not kwargs.get("help_text"):  # a model field passes its (often empty) help text
            kwargs["help_text"] = self.default_help
        super().__init__(max_digits=max_digits, decimal_places=decimal_places, min_value=min_value, **kwargs)

    def to_python(self, value):
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        maximum = Decimal(10) ** (self.max_digits - self.decimal_places) - Decimal("0.01") if self.max_digits else MONEY_MAX
        try:
            return parse_money(value, allow_negative=self.min_value is None or self.min_value < 0, maximum=maximum)
        except ValueError as e:
            raise ValidationError(str(e), code="invalid") from None

    def validate(self, value):
        forms.Field.validate(self, value)

    def widget_attrs(self, widget):
        # No step/min/max attributes: the input is text, read by parse_money.
        return forms.Field.widget_attrs(self, widget)

