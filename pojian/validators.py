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
