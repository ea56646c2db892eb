"""Objections (异议) to the R&D post-subsidy 公示: anyone objects during the period with contact and
reason; the office decides each with a reason; upheld takes the name off; grants wait for every
decision; the printable list; refusals for another city's bureau, an expert and an anonymous visitor."""

import datetime
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from funding.domain import rd_subsidy
from funding.models import RdCandidate, RdObjection, RdSubsidyRule
from pojian.domain.errors import PermissionDenied, TransitionNotAllowed, ValidationError

from .test_rd_subsidy import cand, firm, rule, year  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db
D = Decimal
IN_NOTICE = date(2026, 3, 23)


def at(day):
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, 10, 0,
                                                 tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


@pytest.fixture
def noticed(year, office):  # noqa: F811
    own = firm(expense="2000000", region="220100", name="长春研发企业")
    other = firm(expense="3000000", region="220200", name="吉林研发企业")
    r = rule(year, office, min_intensity=D("0"))
    rd_subsidy.compute_candidates(rule=r, by=office)
    r = rd_subsidy.open_verification(rule=r, by=office, today=date(2026, 3, 2))
    r = rd_subsidy.close_verification(rule=r, by=office, today=date(2026, 3, 16))
    r = rd_subsidy.publish_notice(rule=r, by=office, starts=date(2026, 3, 20))  # to 26 March
    return r, cand(r, own), cand(r, other)


def objection(r, c, *, today=IN_NOTICE, address="10.0.0.1", **kw):
    values = {"objector": "张三", "unit": "某公司", "phone": "0431-88889999", "content": "研发费用不实"} | kw
    return rd_subsidy.submit_objection(rule=r, candidate=c, address=address, today=today, **values)


def test_objection_needs_contact_reason_and_a_listed_name(noticed):
    r, own, _other = noticed
    with pytest.raises(ValidationError) as e:
        objection(r, own, objector="", unit="", phone="12", content=" ")
    assert len(e.value.messages) == 4 and not RdObjection.objects.exists()
    RdCandidate.objects.filter(pk=own.pk).update(decision="excluded")
    with pytest.raises(ValidationError):
        objection(r, own)


def test_objection_only_during_the_notice(noticed):
    r, own, _other = noticed
    for day in (date(2026, 3, 19), date(2026, 3, 27)):
        with pytest.raises(ValidationError):
            objection(r, own, today=day)
    assert objection(r, own, today=date(2026, 3, 26)).received_on == date(2026, 3, 26)


def test_objections_limited_per_address_a_day(noticed):
    r, own, other = noticed
    for _ in range(3):
        objection(r, own)
    with pytest.raises(ValidationError):
        objection(r, other)
    objection(r, other, address="10.0.0.2")
    assert RdObjection.objects.count() == 4


def test_upheld_objection_takes_the_name_off_and_grants_wait(noticed, office, bureau):
    r, own, other = noticed
    o1, o2 = objection(r, own), objection(r, other)
    with pytest.raises(PermissionDenied):
        rd_subsidy.decide_objection(objection=o1, outcome="upheld", reason="核实", by=bureau)
    with pytest.raises(ValidationError):
        rd_subsidy.decide_objection(objection=o1, outcome="upheld", reason=" ", by=office)
    rd_subsidy.decide_objection(objection=o1, outcome="upheld", reason="核实研发费用不实", by=office)
    with pytest.raises(TransitionNotAllowed):
        rd_subsidy.decide_objection(objection=o1, outcome="dismissed", reason="再议", by=office)
    with pytest.raises(TransitionNotAllowed):
        rd_subsidy.propose_grants(rule=r, by=office, today=date(2026, 3, 27))  # o2 is pending
    rd_subsidy.decide_objection(objection=o2, outcome="dismissed", reason="材料齐全", by=office)
    own.refresh_from_db()
    assert own.decision == "excluded" and "核实研发费用不实" in own.decision_reason
    assert [c.pk for c in rd_subsidy.listed(r)] == [other.pk]
    assert rd_subsidy.propose_grants(rule=r, by=office, today=date(2026, 3, 27)) == 1
    assert RdObjection.objects.get(pk=o1.pk).history.first().history_user == office


def test_public_page_takes_an_objection(client, noticed):
    r, own, _other = noticed
    url = reverse("funding:public_rd_notice", args=[2026])
    data = {"objection-item": own.pk, "objection-objector": "李四", "objection-unit": "长春某厂",
            "objection-phone": "13900001111", "objection-content": "已迁出"}
    with at(IN_NOTICE):
        assert 'data-testid="objection-form"' in client.get(url).content.decode()
        assert client.post(url, {**data, "objection-phone": "x"}).status_code == 400
        assert client.post(url, data).status_code == 302
    assert RdObjection.objects.get().candidate_id == own.pk
    with at(date(2026, 3, 30)):
        html = client.get(url).content.decode()
        assert 'data-testid="objection-form"' not in html and 'data-testid="objection-count"' in html
        assert client.post(url, data).status_code == 400
    assert RdObjection.objects.count() == 1


def test_office_decides_on_the_rule_page(client_for, office, noticed):
    r, own, _other = noticed
    o = objection(r, own)
    c = client_for(office)
    url = f"{reverse('funding:rd_rule')}?year=2026"
    assert 'data-testid="rd-objection-decide"' in c.get(url).content.decode()
    c.post(url, {"action": "objection", "objection": o.pk, "outcome": "dismissed", "reason": ""})
    assert RdObjection.objects.get(pk=o.pk).outcome == "pending"
    assert c.post(url, {"action": "objection", "objection": o.pk, "outcome": "dismissed", "reason": "无据"}).status_code == 302
    assert RdObjection.objects.get(pk=o.pk).outcome == "dismissed"


@pytest.mark.parametrize("who", ["other_bureau", "bureau", "expert", None])
def test_deciding_refused_to_others(client_for, request, who, noticed):
    r, own, _other = noticed
    o = objection(r, own)
    user = request.getfixturevalue(who) if who else None
    resp = client_for(user).post(f"{reverse('funding:rd_rule')}?year=2026",
                                 {"action": "objection", "objection": o.pk, "outcome": "upheld", "reason": "x"})
    assert resp.status_code in (302, 403) and RdObjection.objects.get(pk=o.pk).outcome == "pending"
    if user is None:
        assert "login" in resp["Location"]
    else:
        assert resp.status_code == 403


def test_printable_list(client, noticed):
    r, own, other = noticed
    RdSubsidyRule.objects.filter(pk=r.pk).update(notice_starts=date(2026, 1, 5))  # started: visible today too
    resp = client.get(reverse("funding:public_rd_notice_pdf", args=[2026]))
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf" and resp.content[:4] == b"%PDF"
    assert client.post(reverse("funding:public_rd_notice_pdf", args=[2026])).status_code == 405
