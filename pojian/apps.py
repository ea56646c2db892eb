from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
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

        # Every admin page that edits a model refuses a save based on a stale page (see admin_locking).
        from .admin_locking import protect
        from .admin_widgets import harden

        admin.autodiscover()
        protect(admin.site)
        harden(admin.site)  # bad ids, filters and crontabs in the admin: a notice, never a 500

        from django.core import checks

        from .checks import two_factor_required

        checks.register(two_factor_required, checks.Tags.security, deploy=True)

        from django.contrib.auth.signals import user_logged_in

        from .middleware import note_sign_in_as_activity

        user_logged_in.connect(note_sign_in_as_activity, dispatch_uid="pojian-idle-clock")


        from .third_party import translate_unmarked_labels

        translate_unmarked_labels()

class PortalAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the portal's site: office users need their second factor there too."""

    default = False
    default_site = "pojian.admin_site.PortalAdminSite"
