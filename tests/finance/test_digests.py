"""The partner digest (信息联动): exactly the allowed fields, exactly the listed partners, only to them."""

import io
import time
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from openpyxl import load_workbook

from enterprises.models import EnterpriseNomination
from finance.domain import digests as domain
from finance.models import Digest, DigestSettings
from pojian.models import NominationState as S
from pojian.models import Notification
from tests import factories as core
from tests.enterprises.factories import (
    EnterpriseFactory,
    EnterpriseNominationFactory,
    EnterpriseYearFactory,
    ensure_regions,
)

from .factories import InstitutionFactory, PartnershipFactory

pytestmark = pytest.mark.django_db


def refused(response):
    return response.status_code == 403 or (response.status_code == 302 and "/accounts/login/" in response["Location"])


def nominated(cycle, state, *, name, region="220100", industry="software", revenue="50000000.00", tax=None):
    e = EnterpriseFactory(name=name, region=core.region(region), industry=industry, contact_phone="0431-1234567")
    # The figures year: by default the fiscal year before the programme year, as the 四科 check judges.
    EnterpriseYearFactory(enterprise=e, year=cycle.year - 1, revenue=Decimal(revenue), revenue_tax=tax and Decimal(tax),
                          rd_expense=Decimal("5000000.00"))
    return EnterpriseNominationFactory(enterprise=e, cycle=cycle, state=state)


@pytest.fixture
def enterprises(cycle):
    return {
        "accepted": nominated(cycle, S.ACCEPTED, name="甲科技", tax="40000000.00"),
        "selected": nominated(cycle, S.SELECTED, name="乙科技", region="220200", industry="biomedicine"),
        "submitted": nominated(cycle, S.SUBMITTED, name="丙科技"),
        "rejected": nominated(cycle, S.REJECTED, name="丁科技"),
    }


def allow(fields, *, regions=(), industries=()):
    row = DigestSettings.load()
    row.fields, row.industries = list(fields), list(industries)
    row.save()
    row.regions.set([core.region(c) for c in regions])
    return row


def test_digest_contains_exactly_the_allowed_fields_of_accepted_and_selected(cycle, institution, enterprises):
    PartnershipFactory(institution=institution, year=cycle.year)
    allow(["revenue", "name", "state"])
    [digest] = domain.prepare_digests(cycle=cycle)
    assert digest.fields == ["name", "state", "revenue"]  # catalogue order
    assert digest.rows == [
        {"name": "甲科技", "state": "accepted", "revenue": "40000000.00"},  # the tax figure wins
        {"name": "乙科技", "state": "selected", "revenue": "50000000.00"},
    ]


def test_digest_figures_are_of_the_figures_year_and_results_counted_by_the_rulebook(client_for, cycle, institution,
                                                                                      partner, enterprises):
    """Partners read the numbers the office selected on: fiscal year Y-1 for programme year Y, and the
    IP items and transfers the year's rulebook counts, with the year said on the page and in the file."""
    from enterprises.models import EnterpriseYear
    from tests.enterprises.factories import IPItemFactory, TransferFactory

    e = enterprises["selected"].enterprise
    # A programme-year row (fiscal Y) must not be read: it is not the figures year.
    EnterpriseYear.objects.create(enterprise=e, year=cycle.year, revenue=Decimal("99000000.00"))
    IPItemFactory(enterprise=e, kind="invention", high_value=True)
    IPItemFactory(enterprise=e, kind="utility", high_value=True)  # not a kind the default rulebook counts
    TransferFactory(enterprise=e, contract_no="JS-1", amount=Decimal("100000"))
    TransferFactory(enterprise=e, contract_no="", amount=Decimal("100000"))  # no contract number: not counted
    PartnershipFactory(institution=institution, year=cycle.year)
    allow(["name", "revenue", "high_value_ip", "transfers"])
    [digest] = domain.prepare_digests(cycle=cycle)
    row = next(r for r in digest.rows if r["name"] == "乙科技")
    assert row == {"name": "乙科技", "revenue": "50000000.00", "high_value_ip": 1, "transfers": 1}
    assert digest.figures_year == cycle.year - 1
    page = client_for(partner).get(reverse("finance:digest_detail", args=[digest.pk])).content.decode()
    assert f"{cycle.year - 1}年度财务数据（{cycle.year}年度推荐）" in page
    assert f"销售收入（元）（{cycle.year - 1}年度）" in page
    response = client_for(partner).get(reverse("finance:digest_download", args=[digest.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)).active
    assert f"销售收入（元）（{cycle.year - 1}年度）" in [c.value for c in sheet[1]]


def test_fields_not_allowed_never_appear_anywhere(client_for, cycle, institution, partner, enterprises):
    PartnershipFactory(institution=institution, year=cycle.year)
    allow(["name"])
    [digest] = domain.prepare_digests(cycle=cycle)
    assert all(set(row) == {"name"} for row in digest.rows)
    page = client_for(partner).get(reverse("finance:digest_detail", args=[digest.pk])).content.decode()
    assert "甲科技" in page and "0431-1234567" not in page and "40,000,000" not in page
    body = client_for(partner).get(reverse("finance:digest_download", args=[digest.pk])).content
    ws = load_workbook(io.BytesIO(body)).active
    assert [[c.value for c in row] for row in ws.iter_rows()] == [["企业名称"], ["甲科技"], ["乙科技"]]


def test_region_and_industry_filters_apply(cycle, institution, enterprises):
    PartnershipFactory(institution=institution, year=cycle.year)
    allow(["name"], regions=["220200"])
    assert [r["name"] for r in domain.prepare_digests(cycle=cycle)[0].rows] == ["乙科技"]
    allow(["name"], industries=["software"])
    assert [r["name"] for r in domain.prepare_digests(cycle=cycle)[0].rows] == ["甲科技"]


def test_digests_go_to_exactly_the_partners_listed_for_the_year(cycle, institution, other_institution, partner, other_partner,
                                                                enterprises):
    not_listed = InstitutionFactory(name="未合作机构")
    last_year_only = InstitutionFactory(name="去年合作机构")
    PartnershipFactory(institution=institution, year=cycle.year)
    PartnershipFactory(institution=other_institution, year=cycle.year)
    PartnershipFactory(institution=last_year_only, year=cycle.year - 1)
    digests = domain.prepare_digests(cycle=cycle)
    assert {d.institution for d in digests} == {institution, other_institution}
    assert not Digest.objects.filter(institution__in=[not_listed, last_year_only]).exists()
    assert Notification.objects.filter(user=partner).count() == 1
    assert Notification.objects.filter(user=other_partner).count() == 1


def test_preparing_twice_a_day_replaces_and_does_not_notify_again(cycle, institution, partner, enterprises):
    PartnershipFactory(institution=institution, year=cycle.year)
    first = domain.prepare_digests(cycle=cycle)
    second = domain.prepare_digests(cycle=cycle)
    assert [d.pk for d in first] == [d.pk for d in second] and Digest.objects.count() == 1
    assert Notification.objects.filter(user=partner).count() == 1


def test_a_partner_sees_only_its_own_digests(client_for, cycle, institution, other_institution, partner, other_partner, enterprises):
    PartnershipFactory(institution=institution, year=cycle.year)
    PartnershipFactory(institution=other_institution, year=cycle.year)
    mine, theirs = sorted(domain.prepare_digests(cycle=cycle), key=lambda d: d.institution != institution)
    assert list(client_for(partner).get(reverse("finance:digest_list")).context["object_list"]) == [mine]
    for name in ("finance:digest_detail", "finance:digest_download"):
        assert client_for(partner).get(reverse(name, args=[mine.pk])).status_code == 200
        assert client_for(partner).get(reverse(name, args=[theirs.pk])).status_code == 403


@pytest.mark.parametrize("who", ["bureau", "other_bureau", "expert", "anonymous"])
def test_digest_pages_refuse_bureaus_experts_and_anonymous(client_for, cycle, institution, enterprises, who, request):
    PartnershipFactory(institution=institution, year=cycle.year)
    [digest] = domain.prepare_digests(cycle=cycle)
    user = None if who == "anonymous" else request.getfixturevalue(who)
    for url in (reverse("finance:digest_detail", args=[digest.pk]), reverse("finance:digest_download", args=[digest.pk])):
        assert refused(client_for(user).get(url))
    assert refused(client_for(user).get(reverse("finance:digest_list")))


@pytest.mark.parametrize("name", ["finance:digest_settings", "finance:digest_prepare", "finance:settings",
                                  "finance:partnership_list", "finance:index"])
@pytest.mark.parametrize("who", ["bureau", "expert", "partner", "anonymous"])
def test_office_pages_refused_to_everyone_else(client_for, name, who, request):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    assert refused(client_for(user).post(reverse(name), {"fields": ["name"], "frequency": "daily"}))
    assert not Digest.objects.exists()


def test_download_neutralises_formulas(client_for, cycle, institution, partner):
    e = EnterpriseFactory(name='=HYPERLINK("http://evil","点我")')
    EnterpriseNominationFactory(enterprise=e, cycle=cycle, state=S.ACCEPTED)
    PartnershipFactory(institution=institution, year=cycle.year)
    allow(["name", "revenue"])
    [digest] = domain.prepare_digests(cycle=cycle)
    ws = load_workbook(io.BytesIO(client_for(partner).get(reverse("finance:digest_download", args=[digest.pk])).content)).active
    assert ws["A2"].value == e.name and ws["A2"].data_type == "s" and ws["A2"].quotePrefix


def test_digest_settings_page_saves_fields_and_schedules_the_task(client_for, office):
    from django_celery_beat.models import PeriodicTask

    response = client_for(office).post(reverse("finance:digest_settings"), {
        "fields": ["name", "revenue"], "regions": [core.region("220100").pk], "industries": ["software"],
        "frequency": "weekly", "weekday": 3, "day_of_month": 1, "hour": 9,
    })
    assert response.status_code == 302
    row = DigestSettings.load()
    assert row.fields == ["name", "revenue"] and list(row.regions.values_list("code", flat=True)) == ["220100"]
    task = PeriodicTask.objects.get(name=domain.TASK_NAME)
    assert task.task == "finance.tasks.prepare_digests" and task.enabled
    assert (task.crontab.hour, task.crontab.day_of_week, task.crontab.minute) == ("9", "3", "0")
    client_for(office).post(reverse("finance:digest_settings"), {"fields": ["name"], "frequency": "off", "weekday": 1,
                                                                  "day_of_month": 1, "hour": 9})
    task.refresh_from_db()
    assert not task.enabled


def test_cooperation_list_page_adds_one_row_per_year(client_for, office, institution):
    response = client_for(office).post(reverse("finance:partnership_list"),
                                       {"institution": institution.pk, "years": "2025，2026", "note": "重点合作"})
    assert response.status_code == 302
    assert sorted(institution.partnerships.values_list("year", flat=True)) == [2025, 2026]
    row = institution.partnerships.get(year=2025)
    client_for(office).post(reverse("finance:partnership_remove", args=[row.pk]))
    assert list(institution.partnerships.values_list("year", flat=True)) == [2026]


def test_partner_home_card_links_the_latest_digest(client_for, cycle, institution, partner, enterprises):
    PartnershipFactory(institution=institution, year=cycle.year)
    [digest] = domain.prepare_digests(cycle=cycle)
    page = client_for(partner).get(reverse("home")).content.decode()
    assert reverse("finance:digest_detail", args=[digest.pk]) in page and institution.name in page


def test_prepare_digests_task_runs_on_a_real_worker(celery_worker_on_broker, partner):
    from django.db import transaction

    from finance import tasks

    ensure_regions()  # an earlier transactional test may have flushed the data migration's regions
    cycle = core.CycleFactory()
    institution = InstitutionFactory()
    institution.users.add(partner)
    PartnershipFactory(institution=institution, year=cycle.year)
    EnterpriseNominationFactory(cycle=cycle, state=S.SELECTED, enterprise=EnterpriseFactory(name="真实任务企业"))
    allow(["name"])
    with transaction.atomic():
        transaction.on_commit(lambda: tasks.prepare_digests.delay())
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not mail.outbox:
        time.sleep(0.1)
    digest = Digest.objects.get()
    assert digest.institution == institution and digest.rows == [{"name": "真实任务企业"}]
    assert [m.to for m in mail.outbox] == [[partner.email]]


def test_office_prepare_now_makes_the_digests(client_for, office, cycle, institution, enterprises, django_capture_on_commit_callbacks):
    PartnershipFactory(institution=institution, year=cycle.year)
    from finance import tasks

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_for(office).post(reverse("finance:digest_prepare"))
    assert response.status_code == 302 and len(callbacks) == 1
    tasks.prepare_digests(cycle.pk)  # what the queued task does
    assert Digest.objects.get().institution == institution
    assert EnterpriseNomination.objects.count() == 4
