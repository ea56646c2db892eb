"""A project's results and contracts (双千工程): shown on its page, linked by the office or its bureau."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from pojian.mixins import PortalPermissionMixin, run_domain

from .domain import project_sources
from .forms_sources import ProjectSourcesForm
from .models import Project


def sources_context(user, project):
    """For the project's page: what it builds on, and the form for who may change it."""
    can_link = user.has_perm("funding.link_project_sources", project)
    return {"linked_results": project.results.select_related("institution"),
            "linked_contracts": project.contracts.select_related("institution"),
            "sources_form": ProjectSourcesForm(project=project) if can_link else None}


class ProjectSourcesView(PortalPermissionMixin, View):
    permission_required = "funding.link_project_sources"

    def get_permission_object(self):
        if not hasattr(self, "_project"):
            self._project = get_object_or_404(Project, pk=self.kwargs["pk"])
        return self._project

    def post(self, request, pk):
        project = self.get_permission_object()
        form = ProjectSourcesForm(request.POST, project=project)
        if not form.is_valid():
            messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        elif run_domain(request, project_sources.link_sources, project, by=request.user,
                        results=form.chosen_results(), contracts=form.cleaned_data["contracts"],
                        expected_version=form.cleaned_data["version"]):
            messages.success(request, _("Saved."))
        return HttpResponseRedirect(reverse("funding:project", args=[project.pk]) + "#sources")
