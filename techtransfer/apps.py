from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TechtransferConfig(AppConfig):
    """双千工程: the results catalogue of universities and institutes, enterprise demands, matching
    and technology contracts."""

    name = "techtransfer"
    verbose_name = _("Dual-thousand programme (results and contracts)")
