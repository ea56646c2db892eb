import io

import rules
from django.http import HttpResponse

from pojian.mixins import PortalPermissionMixin
from pojian.models import Cycle

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def current_cycle():
    return Cycle.objects.current()


def xlsx_response(write, filename):
    """An .xlsx made in memory by `write(file)` (small sheets only; big ones are jobs)."""
    buf = io.BytesIO()
    write(buf)
    response = HttpResponse(buf.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def is_office(user):
    return user.is_superuser or user.role == "office"


class FinancePermissionMixin(PortalPermissionMixin):
    """PortalPermissionMixin, checked against the rules alone.

    A superuser passes every `has_perm` through Django's model backend; finance pages are for
    roles, so an office superuser gets the office's pages but not, say, a bureau's edit form or a
    judge's score form.
    """

    def has_permission(self):
        obj = self.get_permission_object()
        return all(rules.has_perm(p, self.request.user, obj) for p in self.get_permission_required())


def allows(user, perm, obj=None):
    return rules.has_perm(perm, user, obj)
