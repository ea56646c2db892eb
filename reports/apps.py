from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Annual reports, the office's statistics dashboard and the public progress page (跟踪问效).

    A top-level app because it reads every other app and belongs to none of them: nothing imports it.
    """

    name = "reports"
    label = "reports"
    verbose_name = _("Reports and statistics")
