"""How apps add to the shared pages without the core knowing them.

An app may have a `panels.py` with `home_panels(request, cycle)` (cards on the home page:
dicts with "template" and any context) and `nav_items(user)` (menu entries: (label, url)).
"""

from importlib import import_module

PORTAL_APPS = ("enterprises", "incubators", "finance", "reviews", "assessment", "reports", "techtransfer")


def _app_modules():
    for app_label in PORTAL_APPS:
        try:
            yield import_module(f"{app_label}.panels")
        except ModuleNotFoundError as e:
            if e.name != f"{app_label}.panels":
                raise


def home_panels(request, cycle):
    return [p for m in _app_modules() if hasattr(m, "home_panels") for p in m.home_panels(request, cycle)]


def nav_items(user):
    return [i for m in _app_modules() if hasattr(m, "nav_items") for i in m.nav_items(user)]
