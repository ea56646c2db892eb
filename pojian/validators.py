from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .domain.uscc import is_valid


def validate_uscc(value):
    if not is_valid(value):
        raise ValidationError(
            _("“%(value)s” is not a valid unified social credit code (18 characters, check character per GB 32100-2015)."),
            code="invalid_uscc",
            params={"value": value},
        )


# Bounds for numbers people type. A number beyond them is a typing error, answered with a form
# error; the database's own ranges (2,147,483,647 for an integer) are never reached.
YEAR_MIN, YEAR_MAX = 1900, 2100
MAX_COUNT = 10_000_000  # people, items, rows: more than any enterprise or programme has
MAX_SMALL_COUNT = 10_000  # quotas, loads, days
