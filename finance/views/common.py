import io

import rules

from pojian.downloads import file_response
from pojian.mixins import PortalPermissionMixin
from pojian.models import Cycle, Download


def current_cycle():
    return Cycle.objects.current()


def xlsx_response(request, write, filename):
    """An .xlsx made in memory by `write(file)` (small sheets only; big ones are jobs), audited as an export."""
    buf = io.BytesIO()
    write(buf)
    return file_response(request, buf.getvalue(), filename=filename, subject=filename, category=Download.Category.EXPORT)


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
