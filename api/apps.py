from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The REST API (/api/v1/): the same permissions as the pages, for people's tools and other systems.

    A top-level app like reports/: it reads the other apps and nothing imports it.
    """

    name = "api"
    verbose_name = _("API")

    def ready(self):
        from . import schema  # noqa: F401 - registers the token scheme with drf-spectacular
