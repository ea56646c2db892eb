"""Project pages: the bureau files for its region's projects; other cities, experts and anonymous are refused."""

import pytest
from django.urls import reverse

from funding.domain import projects
from funding.models import Project

from .test_projects import pdf_file, project, selection  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def test_project_page_for_own_bureau(client_for, bureau, project):  # noqa: F811
    r = client_for(bureau).get(reverse("funding:project", args=[project.pk]))
    assert r.status_code == 200 and project.number in r.content.decode()


def test_project_page_refusals(client_for, other_bureau, expert, client, project):  # noqa: F811
    url = reverse("funding:project", args=[project.pk])
    assert client_for(other_bureau).get(url).status_code == 403
    assert client_for(expert).get(url).status_code == 403
    assert client.get(url).status_code == 302


def test_bureau_uploads_signed_agreement_through_page(client_for, bureau, office, other_bureau, project):  # noqa: F811
    projects.issue_agreement(project=project, by=office)
    url = reverse("funding:project_action", args=[project.pk, "signed"])
    assert client_for(other_bureau).post(url, {"file": pdf_file()}).status_code == 403
    client_for(bureau).post(url, {"file": pdf_file()})
    project.refresh_from_db()
    assert project.state == Project.State.SIGNED


def test_agreement_file_refused_to_other_city(client_for, bureau, office, other_bureau, project):  # noqa: F811
    projects.issue_agreement(project=project, by=office)
    url = reverse("funding:project_file", args=[project.pk, "agreement"])
    assert client_for(bureau).get(url).status_code == 200
    assert client_for(other_bureau).get(url).status_code == 403


def test_project_list_bureau_sees_own_only(client_for, bureau, other_bureau, project):  # noqa: F811
    assert project.number in client_for(bureau).get(reverse("funding:projects")).content.decode()
    assert project.number not in client_for(other_bureau).get(reverse("funding:projects")).content.decode()
