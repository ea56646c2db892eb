"""The R&D post-subsidy pages: the office's rule page, the candidates, one candidate, the public list;
refusals for another city's bureau, an expert and an anonymous visitor."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from funding.domain import rd_subsidy
from funding.models import RdCandidate, RdExclusion, RdSubsidyRule
from tests import factories as core

from .test_rd_subsidy import YEAR, firm

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed(office):
    cycle = core.CycleFactory(year=YEAR)
    own = firm(expense="2000000", region="220100", name="长春研发企业")
    other = firm(expense="3000000", region="220200", name="吉林研发企业")
    rule = rd_subsidy.rule_for_year(cycle=cycle, by=office)
    rule = rd_subsidy.update_rule(rule=rule, values={"min_intensity": Decimal("0")}, version=rule.version, by=office)
    rd_subsidy.compute_candidates(rule=rule, by=office)
    return RdSubsidyRule.objects.get(pk=rule.pk), RdCandidate.objects.get(enterprise=own), \
        RdCandidate.objects.get(enterprise=other)


def test_rule_page_office(client_for, office, computed):
    rule, _own, _other = computed
    r = client_for(office).get(reverse("funding:rd_rule"), {"year": YEAR})
    assert r.status_code == 200 and 'data-testid="rd-compute"' in r.content.decode()


def test_rule_page_saves_with_version_and_refuses_stale(client_for, office, computed):
    rule, _own, _other = computed
    c = client_for(office)
    data = {"action": "save", "version": rule.version, "figures_year": YEAR - 1, "require_registration": "on",
            "min_expense": "0", "min_intensity": "5", "base": "expense", "bands": '[[null, "0.1"]]', "cap": "",
            "unit": "100", "verification_days": 10, "notice_days": 5}
    r = c.post(f"{reverse('funding:rd_rule')}?year={YEAR}", data)
    assert r.status_code == 302
    assert RdSubsidyRule.objects.get(pk=rule.pk).min_intensity == Decimal("5")
    r = c.post(f"{reverse('funding:rd_rule')}?year={YEAR}", {**data, "min_intensity": "7"}, follow=True)
    assert RdSubsidyRule.objects.get(pk=rule.pk).min_intensity == Decimal("5")
    assert "重新" in r.content.decode() or "reload" in r.content.decode()
    r = c.post(f"{reverse('funding:rd_rule')}?year={YEAR}", {**data, "version": rule.version + 1, "bands": "[1]"},
               follow=True)
    assert r.status_code == 200 and RdSubsidyRule.objects.get(pk=rule.pk).bands == [[None, "0.1"]]


def test_compute_runs_as_job(client_for, office, computed):
    rule, _own, _other = computed
    r = client_for(office).post(f"{reverse('funding:rd_rule')}?year={YEAR}", {"action": "compute"})
    from funding.tasks import compute_rd_candidates
    from pojian.models import Job

    job = Job.objects.get(kind="funding.rd_compute")
    assert r.status_code == 302 and r["Location"] == reverse("job", args=[job.pk])
    compute_rd_candidates(job.pk)  # what the worker runs
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.progress == job.total == 4 and "2" in job.message


def test_exclusion_import_page_all_or_nothing(client_for, office, computed, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook

    _rule, own, _other = computed
    wb = Workbook()
    ws = wb.active
    ws.append(["统一社会信用代码", "企业名称", "原因"])
    ws.append([own.enterprise.uscc, own.enterprise.name, "失信被执行人"])
    ws.append(["bad", "x", "失信"])
    path = tmp_path / "x.xlsx"
    wb.save(path)
    upload = SimpleUploadedFile("x.xlsx", path.read_bytes())
    r = client_for(office).post(f"{reverse('funding:rd_rule')}?year={YEAR}", {"action": "exclusions", "file": upload},
                                follow=True)
    assert r.status_code == 200 and "“BAD”" in r.content.decode() and not RdExclusion.objects.exists()


def test_candidate_page_explains_line_by_line(client_for, office, computed):
    _rule, own, _other = computed
    html = client_for(office).get(reverse("funding:rd_candidate", args=[own.pk])).content.decode()
    assert 'data-testid="rd-explanation"' in html and "2,000,000.00" in html or "2000000" in html


@pytest.mark.parametrize("who", ["other_bureau", "expert", "partner"])
def test_candidate_page_refused_to_others(client_for, request, who, computed):
    _rule, own, _other = computed
    assert client_for(request.getfixturevalue(who)).get(reverse("funding:rd_candidate", args=[own.pk])).status_code == 403


def test_candidate_page_anonymous_sent_to_login(client, computed):
    _rule, own, _other = computed
    r = client.get(reverse("funding:rd_candidate", args=[own.pk]))
    assert r.status_code == 302 and "login" in r["Location"]


@pytest.mark.parametrize("who", ["bureau", "expert", "partner"])
def test_rule_page_refused_to_others(client_for, request, who, computed):
    assert client_for(request.getfixturevalue(who)).get(reverse("funding:rd_rule")).status_code == 403


def test_bureau_list_shows_own_region_only(client_for, bureau, computed):
    _rule, own, other = computed
    html = client_for(bureau).get(reverse("funding:rd_candidates"), {"year": YEAR}).content.decode()
    assert own.enterprise.name in html and other.enterprise.name not in html


def test_candidates_refused_to_expert_and_anonymous(client_for, expert, client, computed):
    assert client_for(expert).get(reverse("funding:rd_candidates")).status_code == 403
    assert client.get(reverse("funding:rd_candidates")).status_code == 302


def test_bureau_disputes_other_bureau_refused(client_for, bureau, other_bureau, office, computed):
    import datetime
    from zoneinfo import ZoneInfo

    import time_machine

    rule, own, other = computed
    rd_subsidy.open_verification(rule=rule, by=office, today=date(2026, 3, 2))
    traveller = time_machine.travel(datetime.datetime(2026, 3, 3, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
    traveller.start()
    url = reverse("funding:rd_candidate", args=[own.pk])
    r = client_for(bureau).post(url, {"action": "dispute", "reason": "", "version": own.version}, follow=True)
    assert RdCandidate.objects.get(pk=own.pk).verification == "pending"
    r = client_for(bureau).post(url, {"action": "dispute", "reason": "迁出", "version": own.version})
    assert r.status_code == 302 and RdCandidate.objects.get(pk=own.pk).verification == "disputed"
    assert client_for(other_bureau).post(url, {"action": "confirm"}).status_code == 403
    traveller.stop()


def test_public_notice_page(client, office, computed):
    rule, _own, _other = computed
    RdSubsidyRule.objects.filter(pk=rule.pk).update(state="decided", notice_starts=date(2026, 3, 2),
                                                     notice_ends=date(2026, 3, 6))
    r = client.get(reverse("funding:public_rd_notice", args=[YEAR]))
    assert r.status_code == 200 and "长春研发企业" in r.content.decode()


def test_public_notice_not_before_publication(client, computed):
    assert client.get(reverse("funding:public_rd_notice", args=[YEAR])).status_code == 404
