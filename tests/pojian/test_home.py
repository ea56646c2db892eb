import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_bureau_home_shows_own_region_not_others(client_for, bureau, other_bureau, cycle):
    page = client_for(bureau).get(reverse("home")).content.decode()
    assert "长春市" in page
    assert "吉林市" not in page
    other = client_for(other_bureau).get(reverse("home")).content.decode()
    assert "吉林市" in other and "长春市" not in other


@pytest.mark.django_db
def test_office_home_shows_the_whole_province(client_for, office, cycle):
    page = client_for(office).get(reverse("home")).content.decode()
    for name in ("长春市", "延边朝鲜族自治州", "长白山管委会", "梅河口市"):
        assert name in page


@pytest.mark.django_db
def test_expert_home_shows_assignments_section(client_for, expert, cycle):
    response = client_for(expert).get(reverse("home"))
    assert response.status_code == 200
    assert response.templates[0].name == "pojian/home_expert.html"


@pytest.mark.django_db
def test_home_is_chinese_by_default(client_for, bureau, cycle):
    page = client_for(bureau).get(reverse("home")).content.decode()
    assert 'lang="zh-Hans"' in page
    assert "退出" in page  # "Log out"


@pytest.mark.django_db
def test_landing_is_public(client):
    response = client.get(reverse("landing"))
    assert response.status_code == 200
    assert "破茧成蝶" in response.content.decode()


@pytest.mark.django_db
def test_health_page_office_only(client_for, office, bureau, expert):
    assert client_for(office).get(reverse("health")).status_code == 200
    assert client_for(bureau).get(reverse("health")).status_code == 403
    assert client_for(expert).get(reverse("health")).status_code == 403
    anon = client_for(None).get(reverse("health"))
    assert anon.status_code == 302 and reverse("login") in anon["Location"]


@pytest.mark.django_db
def test_only_the_office_menu_links_to_the_status_page(client_for, office, bureau, expert):
    link = f'href="{reverse("health")}"'
    assert link in client_for(office).get(reverse("home")).content.decode()
    for user in (bureau, expert):
        assert link not in client_for(user).get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_health_page_reports_database(client_for, office):
    page = client_for(office).get(reverse("health"))
    assert any(c["name"] and c["ok"] for c in page.context["checks"])
