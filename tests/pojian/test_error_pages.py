"""The portal's own error pages: Chinese, in the site's layout, each with a way back."""

import pytest
from django.test import Client
from django.urls import reverse


def assert_portal_page(response):
    html = response.content.decode()
    assert 'data-testid="error-page"' in html
    assert 'data-testid="error-way-back"' in html
    assert "navbar" in html  # the site's layout, not a bare line
    assert "Forbidden" not in html and "Not Found" not in html
    return html


@pytest.mark.django_db
def test_refused_view_renders_the_chinese_403(client_for, bureau):
    response = client_for(bureau).get(reverse("reviews:office_rounds"))
    assert response.status_code == 403
    html = assert_portal_page(response)
    assert "无权访问" in html
    assert reverse("home") in html


@pytest.mark.django_db
def test_refused_view_speaks_english_when_chosen(client_for, bureau):
    client = client_for(bureau)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("reviews:office_rounds")).content.decode()
    assert "Access refused" in html


@pytest.mark.django_db
def test_missing_page_renders_the_chinese_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = assert_portal_page(response)
    assert "页面不存在" in html
    assert reverse("login") in html


def test_debug_is_off_unless_asked(settings):
    import subprocess
    import sys

    from tests.pojian.test_settings import ROOT

    code = "import django,os;os.environ.setdefault('DJANGO_SETTINGS_MODULE','pojian.settings');django.setup();from django.conf import settings;print(settings.DEBUG)"
    env = {k: v for k, v in __import__("os").environ.items() if k != "DJANGO_DEBUG"}
    off = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    on = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**env, "DJANGO_DEBUG": "1"}, capture_output=True, text=True, timeout=60)
    assert off.stdout.strip() == "False", off.stderr
    assert on.stdout.strip() == "True", on.stderr
    makefile = (ROOT / "Makefile").read_text()
    assert "DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py runserver" in makefile


@pytest.mark.django_db
def test_server_error_renders_the_chinese_500(rf, bureau):
    from pojian.views import server_error

    request = rf.get("/")
    request.user = bureau
    response = server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert "出错了" in html and 'data-testid="error-way-back"' in html


def test_server_error_renders_without_a_request_context(rf, monkeypatch):
    """When the context processors fail too (the database is down), the page still renders."""
    from pojian import context_processors
    from pojian.views import server_error

    def broken(request):
        raise RuntimeError("database down")

    monkeypatch.setattr(context_processors, "portal", broken)
    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "出错了" in response.content.decode()


@pytest.mark.django_db
def test_csrf_failure_renders_the_chinese_page_with_the_form_to_go_back_to(bureau):
    client = Client(enforce_csrf_checks=True)
    client.force_login(bureau)
    form = reverse("password_change")
    response = client.post(form, {"old_password": "x"}, HTTP_REFERER=f"http://testserver{form}")
    assert response.status_code == 403
    html = assert_portal_page(response)
    assert "表单已过期" in html
    assert f'href="http://testserver{form}"' in html


@pytest.mark.django_db
def test_csrf_failure_does_not_link_back_to_another_site(bureau):
    client = Client(enforce_csrf_checks=True)
    client.force_login(bureau)
    response = client.post(reverse("password_change"), {}, HTTP_REFERER="https://evil.example/")
    assert response.status_code == 403
    assert "evil.example" not in response.content.decode()


@pytest.mark.django_db
def test_language_menu_names_each_language_in_itself(client):
    html = client.get(reverse("landing")).content.decode()
    assert ">English</option>" in html
    assert "英语" not in html
    assert ">简体中文</option>" in html
