"""A city bureau's dashboard (reports:bureau_dashboard): its region's figures this year beside last year,
its standing in the assessment only once published, the office choosing a region, and refusals."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from assessment.domain import results
from assessment.domain import sources as assessment_sources
from assessment.models import Assessment, Indicator, IndicatorResult, RegionResult
from enterprises.models import PoolEntry, TierStanding
from funding.models import Grant, GrantState
from pojian.models import NominationState as S
from tests import factories as core
from tests.enterprises.factories import EnterpriseFactory
from tests.funding.factories import line
from tests.reports.factories import nominate
from tests.techtransfer.factories import TechContractFactory

pytestmark = pytest.mark.django_db

THIS, LAST = 2025, 2024
URL = reverse("reports:bureau_dashboard")


@pytest.fixture
def years():
    last = core.CycleFactory(year=LAST, is_current=False)
    this = core.CycleFactory(year=THIS, is_current=True)
    return this, last


def section(response, key):
    return next(s for s in response.context["sections"] if s["key"] == key)


def rows(response, key):
    return {row[0]: row[1:] for row in section(response, key)["rows"]}


def known_figures(this, last, office):
    """长春: this year 3 live nominations (1 selected, 1 accepted, 1 draft; 四科 2 checked, 1 passed) and a
    withdrawn one; last year 1 submitted (passed). 吉林 (must never show): 2 selected this year."""
    cc, jl = core.region("220100"), core.region("220200")
    nominate(cycle=this, region=cc, state=S.SELECTED, failed=())
    nominate(cycle=this, region=cc, state=S.ACCEPTED, failed=("revenue",))
    nominate(cycle=this, region=cc, state=S.DRAFT)
    nominate(cycle=this, region=cc, state=S.WITHDRAWN)
    nominate(cycle=last, region=cc, state=S.SUBMITTED, failed=())
    for _ in range(2):
        nominate(cycle=this, region=jl, state=S.SELECTED, failed=())
    # Tiers: two 长春 enterprises on "sme" this year, one on "sike" last year; a 吉林 one (not counted).
    a, b, c = EnterpriseFactory(region=cc), EnterpriseFactory(region=cc), EnterpriseFactory(region=jl)
    now = timezone.now()
    for ent, year, code, rank in ((a, THIS, "sme", 1), (b, THIS, "sme", 1), (a, LAST, "sike", 2), (c, THIS, "sme", 1)):
        TierStanding.objects.create(enterprise=ent, year=year, rank=rank, code=code, name=code.upper(), evaluated_at=now)
    PoolEntry.objects.create(enterprise=a, region=cc, entered_on=datetime.date(LAST, 1, 1), tier_code="sme")
    # Contracts: 长春 one in force this year (1,000,000, paid 300,000 this year), one cancelled (left out), one
    # last year (500,000); 吉林 one this year.
    kept = TechContractFactory(enterprise=a, registered_on=datetime.date(THIS, 3, 1))
    TechContractFactory(enterprise=b, registered_on=datetime.date(THIS, 4, 1), cancelled_at=now)
    TechContractFactory(enterprise=a, registered_on=datetime.date(LAST, 5, 1), contract_amount=Decimal("500000.00"),
                        tech_amount=Decimal("400000.00"))
    TechContractFactory(enterprise=c, registered_on=datetime.date(THIS, 5, 1))
    from techtransfer.models import ContractPayment

    ContractPayment.objects.create(contract=kept, paid_on=datetime.date(THIS, 6, 1), amount=Decimal("300000.00"),
                                   invoice_number="FP1", created_by=office)
    # Grants: 长春 committed 80,000 paid 20,000 this year, 50,000 all paid last year; 吉林 90,000 this year.
    for cycle, ent, region, amount, paid, state in (
        (this, a, cc, "80000", "20000", GrantState.PARTLY_PAID), (last, a, cc, "50000", "50000", GrantState.PAID),
        (this, c, jl, "90000", "0", GrantState.COMMITTED),
    ):
        Grant.objects.create(cycle=cycle, line=line("rd_post"), beneficiary=ent, beneficiary_name=ent.name, region=region,
                             amount=Decimal(amount), paid_amount=Decimal(paid), state=state, proposed_by=office)


def assessed(this, last):
    """Assessments of both years (this year's not published yet): 长春 2nd of 2 with 80.00 this year."""
    cc, jl = core.region("220100"), core.region("220200")
    out = {}
    for cycle, total, score in ((last, "70.00", "60.00"), (this, "80.00", "75.50")):
        a = Assessment.objects.create(cycle=cycle, computed_at=timezone.now())
        ind = Indicator.objects.create(cycle=cycle, code="selected", name="入选企业数", source="office")
        RegionResult.objects.create(assessment=a, region=jl, total=Decimal("88.50"), rank=1)
        RegionResult.objects.create(assessment=a, region=cc, total=Decimal(total), rank=2)
        IndicatorResult.objects.create(assessment=a, indicator=ind, region=cc, value=Decimal("3"), score=Decimal(score),
                                       weighted=Decimal(score))
        IndicatorResult.objects.create(assessment=a, indicator=ind, region=jl, value=Decimal("9"), score=Decimal("99.00"),
                                       weighted=Decimal("99.00"))
        out[cycle.year] = a
    return out


def publish(assessment, office):
    """Publish through the domain function, the stored results standing for a computation on today's data."""
    Assessment.objects.filter(pk=assessment.pk).update(data_signature=assessment_sources.data_signature())
    results.publish(assessment, by=office)


def test_bureau_sees_its_region_this_year_beside_last_year(client_for, bureau, office, years):
    this, last = years
    known_figures(this, last, office)
    r = client_for(bureau).get(URL, {"year": THIS})
    assert r.status_code == 200 and r.context["region"] == bureau.region
    noms = rows(r, "nominations")
    assert noms[THIS] == [3, 2, 2, 1, Decimal("50.00")]
    assert noms[LAST] == [1, 1, 0, 0, Decimal("100.00")]
    assert rows(r, "pool") == {"SME": [2, 0], "SIKE": [0, 1]}
    assert rows(r, "contracts") == {THIS: [1, Decimal("1000000.00"), Decimal("300000.00")],
                                    LAST: [1, Decimal("500000.00"), Decimal("0")]}
    assert rows(r, "grants") == {THIS: [Decimal("80000.00"), Decimal("20000.00")],
                                 LAST: [Decimal("50000.00"), Decimal("50000.00")]}
    assert all(s["charts"] and str(s["charts"][0]).startswith("<svg") for s in r.context["sections"])
    body = r.content.decode()
    assert body.count("<svg") >= 4 and "<table" in body  # each chart has its table
    assert "吉林市" not in body


def test_standing_appears_only_after_publication(client_for, bureau, office, years):
    this, last = years
    r = client_for(bureau).get(URL, {"year": THIS})
    assert r.context["standing"] == {"published": False} and 'data-testid="no-standing"' in r.content.decode()
    made = assessed(this, last)
    r = client_for(bureau).get(URL, {"year": THIS})
    assert r.context["standing"] == {"published": False}
    assert "75.50" not in r.content.decode()  # computed but unpublished: nothing shown
    publish(made[LAST], office)
    s = client_for(bureau).get(URL, {"year": THIS}).context["standing"]
    assert (s["year"], s["rank"], s["total"], s["regions"]) == (LAST, 2, Decimal("70.00"), 2)
    publish(made[THIS], office)
    r = client_for(bureau).get(URL, {"year": THIS})
    s = r.context["standing"]
    assert (s["year"], s["rank"], s["total"], s["last_total"]) == (THIS, 2, Decimal("80.00"), Decimal("70.00"))
    (row,) = s["section"]["rows"]
    assert row[0] == "入选企业数" and row[1] == 3 and row[2:] == [Decimal("75.50"), Decimal("75.50"), Decimal("60.00")]
    assert 'data-testid="standing-rank"' in r.content.decode()


def test_office_chooses_a_region(client_for, office, years):
    this, last = years
    known_figures(this, last, office)
    jl = core.region("220200")
    c = client_for(office)
    r = c.get(URL, {"year": THIS, "region": jl.pk})
    assert r.status_code == 200 and r.context["region"] == jl
    assert rows(r, "nominations")[THIS][:4] == [2, 2, 2, 2]
    assert list(r.context["regions"]) == list(core.region("220100").__class__.objects.nominating())
    assert c.get(URL, {"region": core.region("220102").pk}).status_code == 404  # a county is no nominating unit
    assert c.get(URL).status_code == 200


def test_another_citys_bureau_is_refused(client_for, bureau, other_bureau, office, years):
    this, last = years
    known_figures(this, last, office)
    cc = bureau.region
    assert client_for(other_bureau).get(URL, {"region": cc.pk}).status_code == 403
    r = client_for(other_bureau).get(URL, {"year": THIS})  # its own page: never 长春's figures
    assert r.context["region"] == other_bureau.region and rows(r, "nominations")[THIS][:4] == [2, 2, 2, 2]
    assert "长春市" not in r.content.decode()


def test_county_expert_and_anonymous_are_refused(client_for, county, expert, years):
    assert client_for(county).get(URL).status_code == 403
    assert client_for(county).get(URL, {"region": county.region.parent_id}).status_code == 403
    assert client_for(expert).get(URL).status_code == 403
    r = client_for(None).get(URL)
    assert r.status_code == 302 and "login" in r["Location"]


def test_linked_from_the_bureau_home_and_menu(client_for, bureau, expert, years):
    body = client_for(bureau).get("/").content.decode()
    assert URL in body
    assert URL not in client_for(expert).get("/").content.decode()


def test_the_rule_on_a_city_region(bureau, other_bureau, county, office, expert):
    from django.contrib.auth.models import AnonymousUser

    holders = {"bureau": True, "office": True, "other_bureau": False, "county": False, "expert": False,
               "anonymous": False}
    users = {"bureau": bureau, "office": office, "other_bureau": other_bureau, "county": county, "expert": expert,
             "anonymous": AnonymousUser()}
    seen = {role: user.has_perm("reports.view_bureau_dashboard", bureau.region) for role, user in users.items()}
    assert seen == holders
    assert not bureau.has_perm("reports.view_bureau_dashboard", county.region)  # its county is not its page


def test_queries_do_not_grow_with_the_data(client_for, bureau, office, years):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    this, last = years
    known_figures(this, last, office)
    published = assessed(this, last)
    publish(published[THIS], office)
    c = client_for(bureau)

    def count():
        with CaptureQueriesContext(connection) as q:
            assert c.get(URL, {"year": THIS}).status_code == 200
        return len(q)

    before = count()
    cc = bureau.region
    for state in (S.SELECTED, S.ACCEPTED, S.SUBMITTED):
        nominate(cycle=this, region=cc, state=state, failed=())
    for _ in range(3):
        TechContractFactory(enterprise=EnterpriseFactory(region=cc), registered_on=datetime.date(THIS, 7, 1))
    assert count() == before


# --- the .xlsx export (reports:bureau_dashboard_xlsx) ---------------------------------------------------------

XLSX = reverse("reports:bureau_dashboard_xlsx")


def workbook(response):
    import io

    from openpyxl import load_workbook

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(io.BytesIO(b"".join(response) if response.streaming else response.content))


def table(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_xlsx_holds_the_pages_figures(client_for, bureau, office, years):
    this, last = years
    known_figures(this, last, office)
    publish(assessed(this, last)[THIS], office)
    c = client_for(bureau)
    page = c.get(URL, {"year": THIS})
    assert XLSX in page.content.decode()  # linked from the page
    book = workbook(c.get(XLSX, {"year": THIS}))
    # Chinese by default: the sheets are the page's sections, in its order, then the standing.
    assert book.sheetnames[:2] == ["企业推荐", "培育库分梯次情况"]
    assert len(book.sheetnames) == len(page.context["sections"]) + 1
    for sheet, section in zip(book.worksheets, page.context["sections"], strict=False):
        rows = table(sheet)
        assert rows[0] == [str(h) for h in section["headers"]]
        got = {r[0]: r[1:] for r in rows[1:1 + len(section["rows"])]}
        want = {r[0]: [None if v is None else (float(v) if isinstance(v, Decimal) else v) for v in r[1:]]
                for r in section["rows"]}
        assert got == want
    nominations = {r[0]: r[1:] for r in table(book.worksheets[0])[1:]}
    assert nominations[THIS] == [3, 2, 2, 1, 50] and nominations[LAST] == [1, 1, 0, 0, 100]
    grants = {r[0]: r[1:] for r in table(book.worksheets[3])[1:]}
    assert grants == {THIS: [80000, 20000], LAST: [50000, 50000]}
    standing = table(book.worksheets[-1])
    assert standing[1][:3] == ["入选企业数", 3, 75.5]
    summary = {r[0]: r[1] for r in standing[3:]}
    assert (summary["考核评价"], summary["排名"], summary["参评地区数"], summary["加权总分"]) == (THIS, 2, 2, 80)
    assert "吉林市" not in str([table(s) for s in book.worksheets])


def test_the_xlsx_for_the_office_follows_the_chosen_region(client_for, office, years):
    this, last = years
    known_figures(this, last, office)
    jl = core.region("220200")
    book = workbook(client_for(office).get(XLSX, {"year": THIS, "region": jl.pk}))
    assert {r[0]: r[1:5] for r in table(book.worksheets[0])[1:]}[THIS] == [2, 2, 2, 2]


def test_the_xlsx_neutralises_a_formula(client_for, bureau, years):
    this, _last = years
    e = EnterpriseFactory(region=bureau.region)
    TierStanding.objects.create(enterprise=e, year=THIS, rank=1, code="x", name='=HYPERLINK("http://evil","x")',
                                evaluated_at=timezone.now())
    r = client_for(bureau).get(XLSX, {"year": THIS})
    book = workbook(r)
    cell = book.worksheets[1]["A2"]
    assert cell.value == '=HYPERLINK("http://evil","x")' and cell.data_type == "s" and cell.quotePrefix
    import io
    import zipfile

    sheet_xml = zipfile.ZipFile(io.BytesIO(r.content)).read("xl/worksheets/sheet2.xml").decode()
    assert "<f>" not in sheet_xml


def test_the_xlsx_refuses_another_city_the_unassigned_and_anonymous(client_for, bureau, other_bureau, county,
                                                                    expert, office, years):
    this, last = years
    known_figures(this, last, office)
    assert client_for(other_bureau).get(XLSX, {"region": bureau.region.pk}).status_code == 403
    mine = workbook(client_for(other_bureau).get(XLSX, {"year": THIS}))  # its own: never 长春's figures
    assert {r[0]: r[1:5] for r in table(mine.worksheets[0])[1:]}[THIS] == [2, 2, 2, 2]
    assert client_for(expert).get(XLSX).status_code == 403
    assert client_for(county).get(XLSX).status_code == 403
    r = client_for(None).get(XLSX)
    assert r.status_code == 302 and "login" in r["Location"]
