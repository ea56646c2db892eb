"""The contract subsidy's pages: the office's rule page (lock, history), the bureau's application inside
the window, the office's receipt checks, the computed lines, the public 公示; refusals for another
city's bureau, an institution's results manager, an expert and an anonymous visitor."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from pojian.models import Job
from techtransfer.domain import subsidy_workflow as wf
from techtransfer.models import ContractSubsidyRule, PaymentCheck, SubsidyApplication
from techtransfer.tasks import compute_contract_subsidy
from tests import factories as core
from tests.funding.factories import line

from .factories import InstitutionFactory, results_manager
from .test_subsidy_workflow import AFTER, IN_WINDOW, YEAR, apply_for, contract, firm, pay
from .test_subsidy_workflow import rule as rule  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def at(day):
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, 10, tzinfo=ZoneInfo("Asia/Shanghai")),
                               tick=False)


@pytest.fixture
def applied(rule, bureau):
    enterprise = firm(bureau, "长春合同企业")
    c = contract(enterprise)
    p = pay(c, "300000")
    return apply_for(rule, bureau, enterprise, c), p


@pytest.fixture
def outsiders(other_bureau, expert):
    return [other_bureau, expert, results_manager(InstitutionFactory(), "inst-outsider")]


def test_rule_page_saves_with_the_version_and_shows_the_history(client_for, office, rule):
    c = client_for(office)
    url = f"{reverse('techtransfer:subsidy_rule')}?year={YEAR}"
    r = c.get(url)
    assert r.status_code == 200 and 'data-testid="subsidy-rule-form"' in r.content.decode()
    data = {"action": "save", "version": rule.version, "kinds": ["development"], "in_province_only": "on",
            "min_paid": "20000", "bands": '[[null, "0.03"]]', "cap": "", "budget": "800000",
            "applications_open": "2026-03-02", "applications_close": "2026-03-31", "notice_days": 7}
    assert c.post(url, data).status_code == 302
    saved = ContractSubsidyRule.objects.get(pk=rule.pk)
    assert (saved.kinds, saved.needs_implementation, saved.min_paid, saved.cap, saved.notice_days) == (
        ["development"], False, Decimal("20000"), None, 7)
    r = c.post(url, {**data, "min_paid": "1"}, follow=True)  # the old version: refused
    assert ContractSubsidyRule.objects.get(pk=rule.pk).min_paid == Decimal("20000")
    assert "重新" in r.content.decode() or "reload" in r.content.decode()
    r = c.post(url, {**data, "version": saved.version, "bands": "[1]"}, follow=True)
    assert "[[" in r.content.decode() and ContractSubsidyRule.objects.get(pk=rule.pk).bands == [[None, "0.03"]]
    history = c.get(url).content.decode().split('data-testid="subsidy-history"')[1]
    assert history.count("<li>") == 3  # defaults, the fixture's edit, this edit


def test_compute_is_refused_during_the_window_before_any_job(client_for, office, applied):
    with at(IN_WINDOW):
        r = client_for(office).post(f"{reverse('techtransfer:subsidy_rule')}?year={YEAR}", {"action": "compute"},
                                    follow=True)
    assert "2026年3月31日" in r.content.decode() and not Job.objects.exists()
    assert ContractSubsidyRule.objects.get(year=YEAR).computed_at is None


def test_rule_page_refused(client_for, bureau, outsiders, rule):
    url = f"{reverse('techtransfer:subsidy_rule')}?year={YEAR}"
    for user in [bureau, *outsiders]:
        assert client_for(user).get(url).status_code == 403, user
        assert client_for(user).post(url, {"action": "compute"}).status_code == 403, user
    assert client_for(None).get(url).status_code == 302


def test_bureau_applies_inside_the_window(client_for, bureau, rule):
    enterprise = firm(bureau, "长春申请企业")
    counted, licence = contract(enterprise), contract(enterprise, kind="licence")
    pay(counted, "300000")
    pay(licence, "100000")
    c = client_for(bureau)
    apply_url = reverse("techtransfer:subsidy_apply", args=[YEAR, enterprise.pk])
    with at(IN_WINDOW):
        listing = c.get(reverse("techtransfer:subsidy_applications"), {"year": YEAR}).content.decode()
        assert apply_url in listing
        page = c.get(apply_url).content.decode()
        assert counted.registration_number in page and licence.registration_number in page
        assert "9,000.00" in page.split('data-testid="subsidy-preview"')[1]  # what will count, before applying
        r = c.post(apply_url, {"contracts": [str(counted.pk)], "note": "已投产"})
    a = SubsidyApplication.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("techtransfer:subsidy_application", args=[a.pk])
    assert list(a.contracts.all()) == [counted]
    with at(AFTER):
        r = c.post(apply_url, {"contracts": [str(counted.pk), str(licence.pk)]}, follow=True)
    assert "2026年3月31日" in r.content.decode() and a.contracts.count() == 1


def test_application_pages_refused_to_outsiders(client_for, outsiders, applied):
    a, payment = applied
    urls = [reverse("techtransfer:subsidy_application", args=[a.pk]),
            reverse("techtransfer:subsidy_apply", args=[YEAR, a.enterprise_id]),
            reverse("techtransfer:subsidy_receipt", args=[payment.pk])]
    for user in outsiders:
        for url in urls:
            assert client_for(user).get(url).status_code == 403, (user, url)
    for user in outsiders[1:]:
        assert client_for(user).get(reverse("techtransfer:subsidy_applications")).status_code == 403
        assert client_for(user).get(reverse("techtransfer:subsidy_computed", args=[YEAR])).status_code == 403
    # Another city's bureau lists nothing of 长春's.
    r = client_for(outsiders[0]).get(reverse("techtransfer:subsidy_applications"), {"year": YEAR})
    assert r.status_code == 200 and "长春合同企业" not in r.content.decode()
    for url in [*urls, reverse("techtransfer:subsidy_applications")]:
        assert client_for(None).get(url).status_code == 302


def test_office_checks_receipts_on_the_application_page(client_for, office, bureau, applied):
    a, payment = applied
    url = reverse("techtransfer:subsidy_application", args=[a.pk])
    assert client_for(bureau).get(url).status_code == 200
    assert client_for(bureau).post(url, {"action": "accept", "payment": payment.pk}).status_code == 403
    assert client_for(office).post(url, {"action": "withdraw"}).status_code == 403
    assert not PaymentCheck.objects.exists()
    r = client_for(office).get(reverse("techtransfer:subsidy_receipt", args=[payment.pk]))
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")
    client_for(office).post(url, {"action": "reject", "payment": payment.pk, "reason": ""})
    assert not PaymentCheck.objects.exists()
    client_for(office).post(url, {"action": "reject", "payment": payment.pk, "reason": "金额与回单不符"})
    assert PaymentCheck.objects.get().state == "rejected"
    client_for(office).post(url, {"action": "accept", "payment": payment.pk})
    assert PaymentCheck.objects.get().state == "accepted"
    assert "9,000.00" in client_for(bureau).get(url).content.decode().split('data-testid="subsidy-checked"')[1]


def test_compute_notice_and_public_page(client_for, office, bureau, expert, applied):
    a, payment = applied
    core.CycleFactory(year=YEAR)
    line("tech_contract")  # the ledger's lines (a data migration; a transactional test may have flushed them)
    wf.check_receipt(payment=payment, accept=True, by=office)
    rule_url = f"{reverse('techtransfer:subsidy_rule')}?year={YEAR}"
    public = reverse("techtransfer:public_subsidy_notice", args=[YEAR])
    with at(AFTER):
        r = client_for(office).post(rule_url, {"action": "compute"})
        job = Job.objects.get(kind="techtransfer.subsidy_compute")
        assert r.status_code == 302 and r["Location"] == reverse("job", args=[job.pk])
        compute_contract_subsidy(job.pk)  # what the worker runs
        job.refresh_from_db()
        assert job.status == Job.Status.DONE and job.progress == job.total == 3 and "9,000.00" in job.message
        computed_url = reverse("techtransfer:subsidy_computed", args=[YEAR])
        page = client_for(office).get(computed_url).content.decode()
        assert "长春合同企业" in page and "200,000.00 × 2% = 4,000.00" in page
        assert "长春合同企业" in client_for(bureau).get(computed_url).content.decode()
        assert client_for(None).get(public).status_code == 404
        client_for(office).post(rule_url, {"action": "notice", "starts": "2026-04-03"})
    rule = ContractSubsidyRule.objects.get(year=YEAR)
    assert rule.notice_ends == datetime.date(2026, 4, 10)
    with at(datetime.date(2026, 4, 3)):
        r = client_for(None).get(public)
        assert r.status_code == 200 and "长春合同企业" in r.content.decode() and "9,000.00" in r.content.decode()
        assert client_for(expert).get(public).status_code == 200
    with at(datetime.date(2026, 4, 13)):
        client_for(office).post(rule_url, {"action": "grants"})
    assert SubsidyApplication.objects.get(pk=a.pk).grant.amount == Decimal("9000")
