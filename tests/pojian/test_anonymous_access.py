"""Every URL that is not explicitly public sends an anonymous visitor to a login page.

The test walks the URL resolver, so URLs that later apps add are covered without listing them.
"""

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# Names (namespace:name) of pages that anyone may see. Adding one here is a decision.
PUBLIC = {
    "landing",
    "login",
    "logout",
    "set_language",
    "admin:login",
    "admin:logout",
    "admin:password_reset",
    "admin:view_on_site",
    "admin:jsi18n",
}
PUBLIC_PREFIXES = ("public:", "public_")
SAMPLE = {"int": "1", "str": "x", "slug": "x", "uuid": str(uuid.uuid4()), "path": "x"}


def walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield f"{namespace}{p.name}" if p.name else None, prefix + str(p.pattern), p.pattern


def concrete_url(route, pattern):
    import re

    converters = getattr(pattern, "converters", {})
    if pattern.__class__.__name__ == "RegexPattern":
        regex = pattern.regex.pattern
        if "(?P<" in regex or "(" in regex:
            return None  # admin's catch-all regexes; covered by the named admin URLs
        # A regex route inside a path prefix (DRF's router under api/v1/) has its anchors mid-string.
        return "/" + route.replace("^", "").replace("$", "").replace("\\", "")

    def sub(m):
        name = m.group(2)
        conv = converters.get(name)
        kind = m.group(1) or "str"
        if conv is not None:
            kind = {"IntConverter": "int", "UUIDConverter": "uuid", "SlugConverter": "slug", "PathConverter": "path"}.get(
                type(conv).__name__, "str"
            )
        return SAMPLE.get(kind, "1")

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", sub, route.replace("^", "").replace("$", ""))


def private_urls():
    for name, route, pattern in walk(get_resolver().url_patterns):
        leaf = name.rsplit(":", 1)[-1] if name else ""  # an app's public page: "<app>:public_…"
        if name in PUBLIC or (name and name.startswith(PUBLIC_PREFIXES)) or leaf.startswith("public_") or route.startswith("static"):
            continue
        url = concrete_url(route, pattern)
        if url:
            yield name, url


def test_url_walk_finds_the_core_pages():
    names = {n for n, _ in private_urls()}
    assert {"home", "health", "password_change", "admin:index"} <= names


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_is_sent_to_login_everywhere(client, method):
    failures = []
    for name, url in private_urls():
        response = getattr(client, method)(url)
        if response.status_code == 404:
            continue  # a sample id that does not exist is refused just as well
        location = response.get("Location", "")
        # 401: the API refuses a caller without credentials (it has no login page to send them to).
        if response.status_code not in (302, 401, 403) or (response.status_code == 302 and "login" not in location):
            failures.append((name, url, response.status_code, location))
    assert not failures
