"""The Django admin with hostile input, as the office (superuser, second factor passed): never a 500.

For every registered model: its changelist, searched (`?q=`) and filtered (each filter link's
parameters, and each date-hierarchy one) with every value of the fuzz corpus; its add page, posted
once per corpus value with every field set to that value; the autocomplete view for each of its
autocomplete fields with a bad term, page and ids. A refusal (400, 403, 404) or a form error is what
bad input should get; a 500 fails the test.
"""

from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from tests.otp import mark_verified
from tests.pojian.test_fuzz_forms import CORPUS, Forms, world  # noqa: F401 (world is a fixture)


class Links(Forms):
    """Forms and every link of a page, `?query` links included (the changelist filters)."""

    def handle_starttag(self, tag, attrs):
        super().handle_starttag(tag, attrs)
        href = dict(attrs).get("href") or ""
        if tag == "a" and href.startswith("?"):
            self.links.append(href)


def page_of(response):
    page = Links()
    page.feed(response.content.decode())
    return page


def admin_names():
    return sorted((model._meta.app_label, model._meta.model_name) for model in admin.site._registry)


def filter_parameters(page):
    """The query parameter names the changelist's filter and date-hierarchy links use."""
    names = set()
    for link in page.links:
        if link.startswith("?"):
            names.update(name for name, _ in parse_qsl(unescape(link[1:]), keep_blank_values=True))
    return names - {"o", "p", "q", "e", "_changelist_filters"}


@pytest.fixture
def office_client(world):  # noqa: F811 (the fixture imported above)
    office = world["office"]
    office.is_staff = office.is_superuser = True
    office.save()
    client = Client(raise_request_exception=False)
    client.force_login(office)
    mark_verified(client, office)
    assert client.get(reverse("admin:index")).status_code == 200
    return client


def fuzz_changelist(client, url):
    failures = []
    response = client.get(url)
    if response.status_code >= 500:
        return [f"GET {url}: {response.status_code}"]
    if response.status_code != 200:
        return failures
    parameters = filter_parameters(page_of(response)) | {"q"}
    for name in sorted(parameters):
        for value in CORPUS:
            answer = client.get(url, {name: value})
            if answer.status_code >= 500:
                failures.append(f"GET {url}?{name}={value[:30]!r}: {answer.status_code}")
    return failures


def fuzz_add(client, url):
    response = client.get(url)
    if response.status_code >= 500:
        return [f"GET {url}: {response.status_code}"]
    if response.status_code != 200:
        return []
    failures = []
    for method, action, fields, fixed in page_of(response).forms:
        if method != "post" or not fields:
            continue
        target = action or url
        for value in CORPUS:
            answer = client.post(target, {**fixed, **{field: value for field in fields}})
            if answer.status_code >= 500:
                failures.append(f"POST {urlsplit(target).path} with {value[:30]!r}: {answer.status_code}")
    return failures


def fuzz_autocomplete(client, model):
    failures = []
    model_admin = admin.site._registry[model]
    url = reverse("admin:autocomplete")
    for field in model_admin.get_autocomplete_fields(None):
        base = {"app_label": model._meta.app_label, "model_name": model._meta.model_name, "field_name": field}
        for value in CORPUS:
            for extra in ({"term": value}, {"page": value}, {"term": "a", "page": "2"}):
                answer = client.get(url, {**base, **extra})
                if answer.status_code >= 500:
                    failures.append(f"GET {url} {field} {extra!r:.40}: {answer.status_code}")
    return failures


@pytest.mark.django_db
def test_no_admin_page_answers_500_to_hostile_input(office_client, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    failures = []
    for model in sorted(admin.site._registry, key=lambda m: m._meta.label):
        app_label, model_name = model._meta.app_label, model._meta.model_name
        failures += fuzz_changelist(office_client, reverse(f"admin:{app_label}_{model_name}_changelist"))
        failures += fuzz_add(office_client, reverse(f"admin:{app_label}_{model_name}_add"))
        failures += fuzz_autocomplete(office_client, model)
    assert len(admin.site._registry) > 10
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_widgets_with_ids_of_nothing_or_garbage_do_not_answer_500(office_client):
    """A form sent back with a related id that is not a number or names nothing is a form error."""
    failures = []
    for model, model_admin in sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label):
        fields = [*model_admin.get_autocomplete_fields(None), *model_admin.raw_id_fields]
        if not fields:
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
        page = page_of(office_client.get(url))
        form = next(f for f in page.forms if f[0] == "post")
        for value in ("x", "99999999999999999999", "-1", "1,2", "a\x00b", "0"):
            data = {**form[3], **{name: "" for name in form[2]}, **{name: value for name in fields}}
            answer = office_client.post(url, data)
            if answer.status_code >= 500:
                failures.append(f"POST {url} with {fields} = {value!r}: {answer.status_code}")
    assert not failures, "\n".join(failures)
