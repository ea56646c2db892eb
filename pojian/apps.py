from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PojianConfig(AppConfig):
    name = "pojian"
    verbose_name = _("Programme core")

    def ready(self):
        from django.conf import settings
        from django.contrib import admin

        admin.site.site_header = settings.PORTAL_NAME
        admin.site.site_title = _("Chrysalis portal administration")
        admin.site.index_title = _("Provincial office")

        from .third_party import translate_unmarked_labels

        translate_unmarked_labels()
