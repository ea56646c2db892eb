"""Views every kind of nomination shares: taking a transition, downloading the stamped letter.

An app wires them to its own model and permission:

    path("nominations/<int:pk>/transition/",
         NominationTransitionView.as_view(model=EnterpriseNomination,
                                          permission_required="enterprises.view_nomination"),
         name="nomination_transition"),
"""

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.generic import DetailView
from django.views.generic.detail import SingleObjectMixin
from django.views.generic.edit import ProcessFormView

from .domain import workflow
from .downloads import file_response
from .mixins import PortalPermissionMixin, run_domain


class NominationTransitionView(PortalPermissionMixin, SingleObjectMixin, ProcessFormView):
    """POST action=<transition> [reason=…] [version=…]: one transition, then back where the user was.

    The permission named here is to see the nomination; whether this user may take this
    transition is decided by the workflow table itself.
    """

    http_method_names = ["post"]
    model = None
    permission_required = None
    # An app's wrapper around workflow.transition (same signature), e.g. to queue a check on submit.
    transition_function = None

    def post(self, request, *args, **kwargs):
        nomination = self.get_object()
        action = request.POST.get("action", "")
        version = request.POST.get("version")
        if version and version.isdigit() and int(version) != nomination.version:
            messages.error(request, _("Someone else changed this nomination meanwhile; please look at it again."))
        elif run_domain(request, self.transition_function or workflow.transition, nomination, action, by=request.user,
                        reason=request.POST.get("reason", "")):
            outcome = workflow.OUTCOMES.get(action, workflow.TRANSITIONS[action].label)
            messages.success(request, _("“%(nominee)s” was %(outcome)s.") % {"nominee": nomination.nominee_name,
                                                                              "outcome": outcome})
        return HttpResponseRedirect(self._next(nomination))

    def _next(self, nomination):
        url = self.request.POST.get("next") or self.request.headers.get("Referer", "")
        if url and url_has_allowed_host_and_scheme(url, {self.request.get_host()}, self.request.is_secure()):
            return url
        return nomination.get_absolute_url() if hasattr(nomination, "get_absolute_url") else "/home/"


class ProtectedFileView(PortalPermissionMixin, DetailView):
    """Serve a file field of an object to those who may see the object (never from /media/ directly).

    Through `pojian.downloads.file_response`: a real PDF opens inline in a sandbox, anything else is
    an attachment of its detected type; the fetch is written to the download audit.
    """

    file_field = "letter"

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        f = getattr(obj, self.file_field)
        if not f:
            raise Http404(_("No file has been uploaded."))
        field = obj._meta.get_field(self.file_field)
        label = f"{obj._meta.verbose_name} {obj.pk}-{field.name}"
        return file_response(request, f, filename=label, inline=True, obj=obj,
                             subject=f"{obj._meta.verbose_name} “{obj}”: {field.verbose_name}")
