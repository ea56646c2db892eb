from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Annual reports, the office's statistics dashboard and the public progress page (跟踪问效).

    It lives inside pojian/ because it reads every app and belongs to none of them.
    """

    name = "pojian.reports"
    label = "reports"
    verbose_name = _("Reports and statistics")
