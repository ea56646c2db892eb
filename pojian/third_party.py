"""Labels of third-party apps shown in the Chinese admin, translated in our catalogue.

django-axes ships no Chinese catalogue, and django-celery-beat leaves a few labels untranslated
(fuzzy) or not marked for translation at all. Their msgids are listed here so `makemessages`
keeps them in locale/zh_Hans; the unmarked ones are given lazy labels when the apps are ready.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

# django-axes (models and admin), and celery-beat's fuzzy entries: the same msgids as theirs.
THIRD_PARTY_MSGIDS = [
    gettext_noop("access attempt"), gettext_noop("access attempts"),
    gettext_noop("access failure"), gettext_noop("access failures"),
    gettext_noop("access log"), gettext_noop("access logs"),
    gettext_noop("access attempt expiration"), gettext_noop("access attempt expirations"),
    gettext_noop("Access Attempt"), gettext_noop("Access lock out"), gettext_noop("Attempt Remaining"),
    gettext_noop("Attempt Time"), gettext_noop("Expires At"), gettext_noop("Failed Logins"),
    gettext_noop("Form Data"), gettext_noop("GET Data"), gettext_noop("HTTP Accept"), gettext_noop("IP Address"),
    gettext_noop("Locked Out"), gettext_noop("Logout Time"), gettext_noop("Meta Data"), gettext_noop("Not set"),
    gettext_noop("POST Data"), gettext_noop("Path"), gettext_noop("Session key hash (sha256)"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("User Agent"), gettext_noop("Username"),
    gettext_noop("Schedule"), gettext_noop("Arguments"), gettext_noop("Execution Options"),
]


def translate_unmarked_labels():
    """Give lazy, translated labels to third-party fields whose labels are plain English strings."""
    from django.apps import apps
    from django_celery_beat.models import PeriodicTask

    apps.get_app_config("axes").verbose_name = _("Sign-in protection")

    PeriodicTask._meta.get_field("task").verbose_name = _("Task name")
    PeriodicTask.scheduler.fget.short_description = _("Schedule")
