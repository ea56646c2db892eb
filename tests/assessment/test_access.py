"""Who sees what, through every assessment URL.

The URLs are found by walking the resolver (a page added later is covered without listing it),
filled in with 长春's real objects. Another city's bureau, an expert and an anonymous visitor are
refused on every non-public page; no page shows 长春's figures to another bureau before or after
publication (after it, only the public ranking); the public page shows nothing before publication.
"""

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from assessment.demo import tiny_pdf
from assessment.domain import compute, results
from assessment.models import Indicator
from pojian.models import NominationState, Region
from tests.assessment.factories import IndicatorFactory, OfficeEntryFactory, PolicyFactory, SummaryFactory

# What only 长春's pages may show: a typed figure and a sentence of its summary.
MARK_FIGURE = "987,654.32"
MARK_FIGURE_PLAIN = "987654.32"
MARK_TEXT = "长春独有的总结内容"

# Pages a bureau uses for ITSELF (its own summary and figures); any bureau may open them.
OWN_PAGES = {"assessment:my_summary", "assessment:mine", "assessment:summary_list",
             # the counties' ranking: a city bureau sees its own counties there (test_counties)
             "assessment:counties"}


def assessment_urls():
    """[(name, route)] of every assessment page, public ones included."""
    found = []

    def walk(patterns, prefix="", namespace=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern) and prefix.startswith("assessment/"):
                found.append((f"{namespace}{p.name}", "/" + prefix + str(p.pattern)))

    walk(get_resolver().url_patterns)
    return found


@pytest.fixture
def world(db, cycle, office, bureau, other_bureau):
    Region.objects.exclude(code__in=["220100", "220200"]).update(active=False)
    cc = bureau.region
    summary = SummaryFactory(cycle=cycle, region=cc, created_by=bureau, work_done=MARK_TEXT,
                             state=NominationState.ACCEPTED)
    policy = PolicyFactory(summary=summary, link="", file=SimpleUploadedFile("p.pdf", tiny_pdf("p")))
    typed = IndicatorFactory(cycle=cycle, code="opinion", name="处室意见", source=Indicator.Source.OFFICE)
    OfficeEntryFactory(indicator=typed, region=cc, value=Decimal("987654.32"), entered_by=office)
    OfficeEntryFactory(indicator=typed, region=other_bureau.region, value=Decimal("12"), entered_by=office)
    computed = IndicatorFactory(cycle=cycle, code="policies", source="computed", computation="local_policies")
    compute.compute_assessment(cycle=cycle, by=office)
    return {"cycle": cycle, "summary": summary, "policy": policy, "typed": typed, "computed": computed, "region": cc}


def concrete(route, world, kind="xlsx"):
    values = {"year": str(world["cycle"].year), "code": world["region"].code, "kind": kind}

    def sub(m):
        name = m.group(2)
        if name == "pk":
            if "/policies/" in route:
                return str(world["policy"].pk)
            if "/values/" in route or "/indicators/" in route:
                return str((world["typed"] if "/values/" in route else world["computed"]).pk)
            return str(world["summary"].pk)
        return values[name]

    return re.sub(r"<(?:(\w+):)?(\w+)>", sub, route)


def private(world):
    return [(n, concrete(r, world)) for n, r in assessment_urls() if not n.startswith("public_")]


def test_the_walk_finds_the_assessment_pages(world):
    names = {n for n, _ in assessment_urls()}
    assert {"assessment:summary", "assessment:table", "assessment:region", "assessment:items",
            "public_assessment"} <= names
    assert len(names) >= 20


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_is_sent_to_login_on_every_private_page(client_for, world, method):
    client = client_for(None)
    for name, url in private(world):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "login" in response["Location"], (name, url, response.status_code)


@pytest.mark.parametrize("method", ["get", "post"])
def test_expert_is_refused_on_every_private_page(client_for, world, expert, method):
    client = client_for(expert)
    for name, url in private(world):
        assert getattr(client, method)(url).status_code == 403, (name, url)


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_citys_bureau_is_refused_everything_of_changchun(client_for, world, other_bureau, method):
    client = client_for(other_bureau)
    for name, url in private(world):
        response = getattr(client, method)(url)
        if name in OWN_PAGES:
            assert response.status_code in (200, 302, 405), (name, url)
        else:
            assert response.status_code == 403, (name, url, response.status_code)
        body = response.content.decode()
        assert MARK_FIGURE not in body and MARK_FIGURE_PLAIN not in body and MARK_TEXT not in body, name


def test_own_bureau_and_office_see_the_figures(client_for, world, bureau, office):
    url = reverse("assessment:region", args=[world["cycle"].year, "220100"])
    for user in (bureau, office):
        body = client_for(user).get(url).content.decode()
        assert MARK_FIGURE in body, user


def test_bureau_sees_its_rank_only_after_publication(client_for, world, bureau, office):
    url = reverse("assessment:region", args=[world["cycle"].year, "220100"])
    assert 'data-testid="region-rank"' not in client_for(bureau).get(url).content.decode()
    assert 'data-testid="region-rank"' in client_for(office).get(url).content.decode()
    results.publish(results.assessment_for(world["cycle"]), by=office)
    assert 'data-testid="region-rank"' in client_for(bureau).get(url).content.decode()


def test_after_publication_another_bureau_gets_only_the_public_ranking(client_for, world, other_bureau, office):
    results.publish(results.assessment_for(world["cycle"]), by=office)
    client = client_for(other_bureau)
    for name, url in private(world):
        response = client.get(url)
        if name not in OWN_PAGES:
            assert response.status_code == 403, (name, url)
        assert MARK_FIGURE not in response.content.decode()
    public = client.get(reverse("public_assessment", args=[world["cycle"].year])).content.decode()
    assert "长春市" in public and MARK_FIGURE not in public and MARK_FIGURE_PLAIN not in public and MARK_TEXT not in public


def test_public_page_shows_nothing_before_publication(client_for, world, office):
    anonymous = client_for(None)
    url = reverse("public_assessment", args=[world["cycle"].year])
    assert anonymous.get(url).status_code == 404
    index = anonymous.get(reverse("public_assessment_index")).content.decode()
    assert str(world["cycle"].year) not in index.split('data-testid="published-years"')[1].split("</ul>")[0]
    results.publish(results.assessment_for(world["cycle"]), by=office)
    assert anonymous.get(url).status_code == 200
    assert reverse("public_assessment", args=[world["cycle"].year]) in anonymous.get(reverse("public_assessment_index")).content.decode()


def test_own_bureau_cannot_use_the_office_pages(client_for, world, bureau):
    client = client_for(bureau)
    year = world["cycle"].year
    for url in (reverse("assessment:table", args=[year]), reverse("assessment:compute", args=[year]),
                reverse("assessment:publish", args=[year]), reverse("assessment:export", args=[year, "xlsx"]),
                reverse("assessment:commend", args=[year, "220100"]),
                reverse("assessment:office_values", args=[year, world["typed"].pk])):
        assert client.post(url).status_code == 403, url
    assert not results.assessment_for(world["cycle"]).is_published
