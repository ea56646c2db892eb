from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from pojian import demo
from pojian.panels import PORTAL_APPS


class Command(BaseCommand):
    help = "Load the demo data set (users for every role, the open year, sample nominations). Safe to run twice."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError(_("seed_demo refuses to run in production mode."))
        with transaction.atomic():
            cycle = demo.seed(stdout=self.stdout)
            # Each app seeds its own part, in dependency order; an app without demo.py is skipped.
            for app_label in PORTAL_APPS:
                try:
                    module = import_module(f"{app_label}.demo")
                except ModuleNotFoundError as e:
                    if e.name != f"{app_label}.demo":
                        raise
                    continue
                module.seed(cycle=cycle, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(_("Demo data ready. Password for every demo user: %(p)s") % {"p": settings.DEMO_PASSWORD}))
