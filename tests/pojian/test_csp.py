"""The site-wide Content-Security-Policy, and pages that fit it: no inline script, no on…= handler, no inline style.

The pages are those the role walks of test_role_access open (every page without an object, for
each role and the office), then every same-site link found on them (object pages: a nomination,
a summary, a job…) with the demo data, so a page an app adds later is covered without listing it.
"""

from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import call_command
from django.urls import reverse

from pojian.models import User
from tests.pojian.test_role_access import pages_without_objects

DATA_SCRIPT_TYPES = {"application/json", "application/ld+json", "text/template"}
SKIP = ("/accounts/logout/", "/i18n/", "/static/", "/media/", "/admin/logout/")


class InlineCode(HTMLParser):
    """Collects what a strict CSP would block in a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems, self.links, self._script = [], [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in attrs:
            if name.lower().startswith("on"):
                self.problems.append(f"<{tag} {name}=…> handler")
        if "style" in attrs:
            self.problems.append(f"<{tag} style=…> inline style")
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "script" and not attrs.get("src") and (attrs.get("type") or "").lower() not in DATA_SCRIPT_TYPES:
            self._script = []
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag in ("a", "form") and (attrs.get("href") or attrs.get("action") or "").lower().startswith("javascript:"):
            self.problems.append(f"<{tag}> javascript: URL")

    def handle_data(self, data):
        if self._script is not None:
            self._script.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            if "".join(self._script).strip():
                self.problems.append("inline <script> with code")
            self._script = None


def inspect(html):
    parser = InlineCode()
    parser.feed(html)
    return parser


def crawl(client, seeds, limit=400):
    """GET the seeds and the same-site links on them (one level); {url: problems} for HTML pages that opened."""
    seen, found, queue = set(), {}, [(url, 0) for url in seeds]
    while queue and len(seen) < limit:
        url, depth = queue.pop(0)
        url = urldefrag(url)[0]
        if url in seen or url.startswith(SKIP) or not url.startswith("/"):
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        page = inspect(response.content.decode())
        found[url] = page.problems
        if depth < 1:
            for href in page.links:
                parts = urlsplit(href)
                if not parts.netloc and href.startswith("/"):
                    queue.append((href, depth + 1))
    return found


def test_the_inspector_sees_inline_code():
    bad = inspect('<p style="color:red" onclick="x()"></p><script>alert(1)</script><style>p{}</style>')
    assert len(bad.problems) == 4
    good = inspect('<script src="/static/x.js"></script><script type="application/json">{"a": 1}</script>')
    assert good.problems == []


@pytest.mark.django_db
def test_every_page_carries_the_policy(client_for, bureau, cycle):
    policy = client_for(bureau).get(reverse("home"))["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if " " in d.strip())
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe" not in policy and directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"


@pytest.mark.django_db
def test_public_pages_have_no_inline_code(client, cycle):
    found = crawl(client, ["/", reverse("login"), reverse("api:public_docs"), reverse("api:public_redoc")])
    assert {"/", reverse("login"), reverse("api:public_docs"), reverse("api:public_redoc")} <= set(found)
    assert {u: p for u, p in found.items() if p} == {}


@pytest.mark.django_db
def test_pages_each_role_opens_have_no_inline_script_handler_or_style(client_for):
    # The demo is seeded once for the four roles (seed_demo is the slowest set-up of the suite);
    # each role walks with a client of its own, and every role's findings are reported together.
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    seeds = [reverse("home")] + [url for _name, url in pages_without_objects()]
    opened, problems = {}, {}
    for username in ["office", "bureau-220100", "expert-1", "partner-1"]:
        found = crawl(client_for(User.objects.get(username=username)), seeds)
        opened[username] = len(found)
        problems[username] = {u: p for u, p in found.items() if p}
    assert {u: n for u, n in opened.items() if n < 3} == {}, opened  # each walk really opened pages
    assert {u: p for u, p in problems.items() if p} == {}
