"""A results manager's page of the 推介 made of the institution's results: who recommended which result
to which enterprise, when, and the 意向 that followed; nothing of another institution's; refusals."""

import pytest
from django.urls import reverse

from techtransfer.domain import matching
from tests import factories as core
from tests.enterprises.factories import EnterpriseFactory

from .factories import InstitutionFactory, ResultFactory, results_manager

pytestmark = pytest.mark.django_db
URL = reverse("techtransfer:own_recommendations")


@pytest.fixture
def recommended(office, bureau):
    ours = InstitutionFactory(name="吉林大学")
    theirs = InstitutionFactory(name="长春理工大学")
    result = ResultFactory(institution=ours, title="稀土催化剂制备技术")
    quiet = ResultFactory(institution=ours, title="秸秆降解菌剂")
    foreign = ResultFactory(institution=theirs, title="激光器封装工艺")
    followed = EnterpriseFactory(region=bureau.region, name="长春某新材料公司")
    silent = EnterpriseFactory(region=bureau.region, name="长春某农业公司")
    matching.recommend(result, enterprises=[followed], by=bureau, note="与其需求相符")
    matching.recommend(quiet, enterprises=[silent], by=office)
    matching.recommend(foreign, enterprises=[followed], by=office)
    matching.record_interest(result=result, enterprise=followed, side="enterprise", by=bureau, note="希望洽谈")
    matching.record_interest(result=foreign, enterprise=followed, side="enterprise", by=bureau, note="外校意向")
    return {"ours": ours, "theirs": theirs, "result": result, "quiet": quiet, "foreign": foreign,
            "followed": followed}


def test_a_results_manager_sees_who_recommended_its_results_and_what_followed(client_for, bureau, recommended):
    manager = results_manager(recommended["ours"], "results-ours")
    response = client_for(manager).get(URL)
    assert response.status_code == 200
    rows = {r.result.title: (r, interests) for r, interests in response.context["rows"]}
    assert set(rows) == {"稀土催化剂制备技术", "秸秆降解菌剂"}
    rec, interests = rows["稀土催化剂制备技术"]
    assert rec.enterprise == recommended["followed"] and rec.created_by == bureau
    assert [i.note for i in interests] == ["希望洽谈"]  # not the other institution's interest
    assert rows["秸秆降解菌剂"][1] == []
    page = response.content.decode()
    assert "长春某新材料公司" in page and bureau.region.bureau_name in page and "希望洽谈" in page
    assert "激光器封装工艺" not in page and "外校意向" not in page


def test_another_institutions_manager_sees_only_its_own(client_for, recommended):
    manager = results_manager(recommended["theirs"], "results-theirs")
    rows = client_for(manager).get(URL).context["rows"]
    assert [r.result.title for r, _i in rows] == ["激光器封装工艺"]


def test_the_page_is_refused_to_others(client_for, bureau, other_bureau, office, expert, recommended):
    unapproved = results_manager(recommended["ours"], "results-waiting", approved=False)
    for user in (bureau, other_bureau, office, expert, unapproved, core.UserFactory(username="nobody")):
        assert client_for(user).get(URL).status_code == 403, user
    anonymous = client_for(None).get(URL)
    assert anonymous.status_code == 302 and "login" in anonymous.url


def test_the_page_costs_the_same_number_of_queries_for_more_rows(client_for, bureau, recommended,
                                                                  django_assert_max_num_queries):
    manager = results_manager(recommended["ours"], "results-many")
    client = client_for(manager)
    client.get(URL)
    with django_assert_max_num_queries(25) as few:
        client.get(URL)
    for _i in range(10):
        enterprise = EnterpriseFactory(region=bureau.region)
        matching.recommend(recommended["result"], enterprises=[enterprise], by=bureau)
        matching.record_interest(result=recommended["result"], enterprise=enterprise, side="enterprise", by=bureau)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL)
    assert len(response.context["rows"]) == 12
