"""Every form and every list filter, as each role, with hostile input: never a 500.

Walks like test_role_access: from every page that takes no object, and from each page those
link to (one address per URL name, so the pages of objects — edit forms included — are reached),
every <form> on the page is sent once per value of the corpus, every field set to that value.
A page or a submission that answers 500 fails the test; a refusal (400, 403, 404, 409) or a form
error is what bad input should get.
"""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from tests.pojian.test_anonymous_access import private_urls

CORPUS = [
    "x" * 5000,  # very long text
    "a\x00b",  # NUL
    "99999999999999999999",  # beyond every integer column
    "-2147483649",
    "2147483648",
    "1.000000000000000000000000001",  # many decimals
    "1e400",
    "-0.5",
    "吉林🦋\u202e\u200b",  # unicode, emoji, direction override, zero width
    "<script>alert(1)</script>\"'><img src=x>",
    "2026-02-30",
]
# Pages not to follow or send: they end the session or are files, not forms.
SKIP_NAMES = {"logout", "set_language", "admin:logout", "password_change"}
SKIP_SUFFIXES = ("download", "pdf", "xlsx", "letter", "report", "file", "export", "template", "docx", "csv")


class Forms(HTMLParser):
    """The links and forms of a page: forms as (method, action, [field names], {name: first value})."""

    def __init__(self):
        super().__init__()
        self.links, self.forms, self._form = [], [], None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and (a.get("href") or "").startswith("/"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = [(a.get("method") or "get").lower(), a.get("action") or "", [], {}]
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "select", "textarea", "button") and a.get("name"):
            kind = (a.get("type") or "").lower()
            if kind == "file":
                return
            name = a["name"]
            if kind in ("hidden", "submit") or tag == "button":
                self._form[3].setdefault(name, a.get("value") or "")
            elif name not in self._form[2]:
                self._form[2].append(name)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def url_name(path):
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return match.view_name


def skipped(path):
    name = url_name(path)
    return (name is None or name in SKIP_NAMES or name.startswith("admin:")
            or any(name.endswith(s) for s in SKIP_SUFFIXES) or urlsplit(path).path.startswith("/static"))


def walk_and_fuzz(client):
    """Visit, follow one level of links, send every form with each hostile value; return the 500s."""
    failures, seen = [], set()
    todo = [url for name, url in private_urls() if name and not skipped(url)
            and not any(part in url.split("/") for part in ("1", "x"))]
    depth = {url: 0 for url in todo}
    while todo:
        url = todo.pop(0)
        name = url_name(url)
        if name in seen:
            continue
        seen.add(name)
        response = client.get(url)
        if response.status_code >= 500:
            failures.append(f"GET {url}: {response.status_code}")
            continue
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        page = Forms()
        page.feed(response.content.decode())
        if depth[url] == 0:
            for link in page.links:
                link = link.split("#")[0]
                if link and link not in depth and not skipped(link) and url_name(link) not in seen:
                    depth[link] = 1
                    todo.append(link)
        for method, action, fields, fixed in page.forms:
            target = action or url
            if skipped(target) or not (fields or method == "post"):
                continue
            for value in CORPUS:
                data = {**fixed, **{field: value for field in fields}}
                answer = client.post(target, data) if method == "post" else client.get(target, data)
                if answer.status_code >= 500:
                    failures.append(f"{method.upper()} {target} ({name}) with {value[:30]!r}: {answer.status_code}")
    return failures, seen


@pytest.fixture
def world(cycle, office, bureau, expert, partner, county):
    """Something of every kind for each role to open and edit."""
    from tests.assessment.factories import PolicyFactory, SummaryFactory
    from tests.enterprises import factories as ef
    from tests.finance import factories as ff
    from tests.incubators import factories as inf
    from tests.reviews import factories as rf

    enterprise = ef.eligible_enterprise(region=bureau.region, year=cycle.year)
    ef.EnterpriseNominationFactory(enterprise=enterprise, cycle=cycle, created_by=bureau)
    institution = ff.InstitutionFactory(name="长春北湖天使投资有限公司", region=bureau.region)
    institution.users.add(partner)
    ff.FinanceNominationFactory(institution=institution, cycle=cycle, created_by=bureau)
    ff.InvestmentFactory(institution=institution, enterprise=enterprise)
    ff.PartnershipFactory(institution=institution, year=cycle.year, added_by=office)
    ff.PresentationFactory(roadshow=ff.RoadshowFactory(cycle=cycle), enterprise=enterprise)
    inf.IncubatorNominationFactory(cycle=cycle, created_by=bureau, incubator=inf.IncubatorFactory(region=bureau.region))
    PolicyFactory(summary=SummaryFactory(cycle=cycle, region=bureau.region, created_by=bureau))
    round_, _, items, experts, _ = rf.scoring_round(items=1, experts=1, cycle=cycle)
    experts[0].user = expert
    experts[0].save()
    rf.ConflictFactory(expert=experts[0], status="pending")
    # A nomination the county bureau prepares (its pages: the bureau's, limited to its county).
    ef.EnterpriseNominationFactory(enterprise=ef.EnterpriseFactory(region=bureau.region), cycle=cycle, created_by=county,
                                   county=county.region)
    return {"office": office, "bureau": bureau, "expert": expert, "partner": partner, "county": county}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["office", "bureau", "county", "expert", "partner", "anonymous"])
def test_no_form_or_filter_answers_500_to_hostile_input(world, role, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.force_login(world[role])
    failures, seen = walk_and_fuzz(client)
    assert len(seen) > 3
    assert not failures, "\n".join(failures)
