"""One reading of money, for every form field and every import column.

People type amounts the way they say them: "12万", "12万元", "1.5亿", "1,234,567.89",
"￥3，000", full-width digits from a Chinese input method. `parse_money` reads all of these
into exact Decimal yuan (two decimals, fen), and refuses, with a message in the user's language,
anything it cannot read exactly: it never drops a unit or a digit it does not understand.
`format_money` is how the understood value is shown back ("120,000.00 元").
"""

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

FEN = Decimal("0.01")
# The largest amount a money column holds (max_digits=16, decimal_places=2).
MONEY_MAX = Decimal("99999999999999.99")

# Unit words after the number, longest first so 千万 is not read as 千 + 万.
UNITS = [
    ("万亿", Decimal(10) ** 12),
    ("千万", Decimal(10) ** 7),
    ("百万", Decimal(10) ** 6),
    ("十万", Decimal(10) ** 5),
    ("亿", Decimal(10) ** 8),
    ("万", Decimal(10) ** 4),
    ("千", Decimal(10) ** 3),
]
_CURRENCY_WORDS = ("人民币", "RMB", "CNY", "¥", "元整", "元", "圆")
# Plain digits with an optional decimal part, or digits grouped by thousands.
_NUMBER = re.compile(r"^(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d+)?$|^\.\d+$")


def _normalise(text):
    # NFKC turns full-width digits, commas, points and the yen sign into their ASCII forms.
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("。", ".")  # a Chinese input method types 。 for the decimal point
    return re.sub(r"\s+", "", text)


def parse_money(value, *, allow_negative=False, maximum=MONEY_MAX):
    """Decimal yuan (quantized to fen) from what a person typed or a spreadsheet holds.

    Raises ValueError whose text is the user's message. None and "" are not money: the caller
    decides whether a blank is allowed.
    """
    if isinstance(value, bool) or value is None:
        raise ValueError(_("Enter an amount in yuan."))
    if isinstance(value, Decimal):
        amount = value
        shown = str(value)
    elif isinstance(value, int):
        amount = Decimal(value)
        shown = str(value)
    elif isinstance(value, float):
        # Excel stores numbers as doubles; their shortest repr is what the user typed.
        amount = Decimal(repr(value))
        shown = repr(value)
    else:
        shown = str(value).strip()
        amount = _parse_text(shown)
    if not amount.is_finite():
        raise ValueError(_("“%(value)s” is not an amount of money.") % {"value": shown})
    if amount < 0 and not allow_negative:
        raise ValueError(_("The amount must not be negative."))
    if amount != amount.quantize(FEN, rounding="ROUND_DOWN"):
        raise ValueError(
            _("“%(value)s” has more than two decimals of a yuan (fen); the amount would be %(amount)s.")
            % {"value": shown, "amount": format_money(amount, places=None)}
        )
    if maximum is not None and abs(amount) > maximum:
        raise ValueError(_("The amount %(amount)s is too large.") % {"amount": format_money(amount)})
    return amount.quantize(FEN)


def _parse_text(shown):
    text = _normalise(shown)
    if not text:
        raise ValueError(_("Enter an amount in yuan."))
    sign = 1
    if text[0] in "+-":
        sign, text = (-1 if text[0] == "-" else 1), text[1:]
    for word in _CURRENCY_WORDS:  # ¥ before, 元 after, in either order with the unit
        text = text.removeprefix(word)
    for word in _CURRENCY_WORDS:
        text = text.removesuffix(word)
    multiplier = Decimal(1)
    for word, factor in UNITS:
        if text.endswith(word):
            text, multiplier = text[: -len(word)], factor
            break
    if not _NUMBER.match(text):
        raise ValueError(
            _("“%(value)s” is not an amount of money the portal can read. Write it like 120000, 12万, 1.5亿 or 1,234,567.89.")
            % {"value": shown}
        )
    try:
        amount = Decimal(text.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimal numbers
        raise ValueError(_("“%(value)s” is not an amount of money.") % {"value": shown}) from None
    return sign * amount * multiplier


def parse_optional_money(value, **kwargs):
    """parse_money, with None for an empty cell or field."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_money(value, **kwargs)


def format_money(amount, *, places=2):
    """“120,000.00 元” (“120,000.00 yuan” in English): the amount as the portal understood it."""
    amount = Decimal(amount)
    if places is not None:
        number = f"{amount.quantize(Decimal(1).scaleb(-places)):,}"
    else:
        number = f"{amount.normalize():,f}"
    return _("%(amount)s yuan") % {"amount": number}
