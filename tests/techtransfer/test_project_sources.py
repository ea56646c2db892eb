"""A supported project (立项支持) links the results and contracts it builds on: the office or the bureau
of its region, on the project's page; shown on the project, the result and the contract; refusals."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from funding.domain import project_sources, projects
from pojian.domain.errors import PermissionDenied, StaleEdit, ValidationError
from techtransfer.domain import contract_changes, matching
from tests.funding.factories import BudgetFactory, line
from tests.reviews.factories import ReviewItemFactory, RoundFactory, accepted_nomination

from .factories import InstitutionFactory, ResultFactory, TechContractFactory, results_manager

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(cycle, office, bureau):
    r = RoundFactory(cycle=cycle, results_confirmed_at=timezone.now())
    nomination = accepted_nomination(cycle=cycle, region=bureau.region)
    ReviewItemFactory(round=r, selected=True, rank=1, object_id=nomination.pk)
    BudgetFactory(cycle=cycle, line=line("project_support"), amount=Decimal("2000000"), tranche_split=[70, 30])
    [p] = projects.open_projects(round_=r, by=office, amount=Decimal("500000"), starts_on=datetime.date(2026, 7, 1),
                                 ends_on=datetime.date(2027, 6, 30))
    assert p.region == bureau.region and p.enterprise == nomination.enterprise
    return p


@pytest.fixture
def sources(project, office):
    institution = InstitutionFactory(name="吉林大学")
    result = ResultFactory(institution=institution, title="稀土催化剂制备技术")
    contract = TechContractFactory(enterprise=project.enterprise, institution=institution, result=result,
                                   title="催化剂合作开发")
    recommended = ResultFactory(title="被推介的成果")
    matching.recommend(recommended, enterprises=[project.enterprise], by=office)
    return {"result": result, "contract": contract, "recommended": recommended, "institution": institution}


def test_the_choices_are_the_enterprises_contracts_and_the_results_it_is_connected_with(project, sources):
    unrelated = ResultFactory(title="无关成果")
    others = TechContractFactory()
    results = set(project_sources.result_choices(project))
    assert {sources["result"], sources["recommended"]} <= results and unrelated not in results
    assert list(project_sources.contract_choices(project)) == [sources["contract"]] and others.enterprise != project.enterprise


def test_the_bureau_links_them_and_both_sides_show_it(client_for, bureau, office, project, sources):
    url = reverse("funding:project_sources", args=[project.pk])
    response = client_for(bureau).post(url, {"results": [sources["result"].pk], "contracts": [sources["contract"].pk],
                                             "more_results": str(sources["recommended"].pk),
                                             "version": project.version})
    assert response.status_code == 302
    project.refresh_from_db()
    assert set(project.results.all()) == {sources["result"], sources["recommended"]}
    assert list(project.contracts.all()) == [sources["contract"]]
    assert project.history.first().history_user == bureau
    page = client_for(office).get(reverse("funding:project", args=[project.pk])).content.decode()
    assert "稀土催化剂制备技术" in page and sources["contract"].registration_number in page
    for other_side in (reverse("techtransfer:public_result", args=[sources["result"].pk]),
                       reverse("techtransfer:contract", args=[sources["contract"].pk])):
        shown = client_for(bureau).get(other_side).content.decode()
        assert 'data-testid="linked-projects"' in shown and project.number in shown, other_side


def test_the_project_is_not_shown_to_those_who_may_not_see_it(client_for, other_bureau, bureau, project, sources,
                                                             office):
    project_sources.link_sources(project, by=office, results=[sources["result"]], contracts=[],
                                 expected_version=project.version)
    public = client_for(None).get(reverse("techtransfer:public_result", args=[sources["result"].pk]))
    assert public.status_code == 200 and project.number not in public.content.decode()
    manager = results_manager(sources["institution"], "results-jlu")
    shown = client_for(manager).get(reverse("techtransfer:public_result", args=[sources["result"].pk]))
    assert project.number not in shown.content.decode()
    assert project.number not in client_for(other_bureau).get(
        reverse("techtransfer:public_result", args=[sources["result"].pk])).content.decode()


def test_refusals(client_for, other_bureau, expert, project, sources):
    url = reverse("funding:project_sources", args=[project.pk])
    data = {"results": [sources["result"].pk], "version": project.version}
    manager = results_manager(sources["institution"], "results-jlu")
    for user in (other_bureau, expert, manager):
        assert client_for(user).post(url, data).status_code == 403, user
    anonymous = client_for(None).post(url, data)
    assert anonymous.status_code == 302 and "login" in anonymous.url
    assert not project.results.exists()
    with pytest.raises(PermissionDenied):
        project_sources.link_sources(project, by=other_bureau, results=[sources["result"]], contracts=[],
                                     expected_version=project.version)


def test_wrong_contracts_stale_forms_and_unpublished_results_are_refused(bureau, office, project, sources):
    foreign = TechContractFactory()
    with pytest.raises(ValidationError):
        project_sources.link_sources(project, by=bureau, results=[], contracts=[foreign],
                                     expected_version=project.version)
    draft = ResultFactory(state="draft")
    with pytest.raises(ValidationError):
        project_sources.link_sources(project, by=bureau, results=[draft], contracts=[],
                                     expected_version=project.version)
    contract_changes.cancel_contract(sources["contract"], by=office, reason="解除")
    sources["contract"].refresh_from_db()
    with pytest.raises(ValidationError):
        project_sources.link_sources(project, by=bureau, results=[], contracts=[sources["contract"]],
                                     expected_version=project.version)
    seen = project.version
    project_sources.link_sources(project, by=office, results=[sources["result"]], contracts=[],
                                 expected_version=seen)
    with pytest.raises(StaleEdit):
        project_sources.link_sources(project, by=bureau, results=[], contracts=[], expected_version=seen)
    assert list(project.results.all()) == [sources["result"]]


def test_a_bad_catalogue_number_is_a_form_error(client_for, bureau, project, sources):
    url = reverse("funding:project_sources", args=[project.pk])
    for bad in ("abc", "999999", str(ResultFactory(state="submitted").pk)):
        response = client_for(bureau).post(url, {"more_results": bad, "version": project.version}, follow=True)
        assert response.status_code == 200 and not project.results.exists(), bad
