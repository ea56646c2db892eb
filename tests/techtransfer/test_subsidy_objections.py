"""Objections (异议) to the contract subsidy's 公示: anyone objects online during the period (the same
form, checks and per-address limit as every post-subsidy 公示); the office decides each with a reason;
upheld withholds the application (no grant), dismissed keeps it; the grants wait for every decision;
the bureau is told; refusals for another city's bureau, an expert and an anonymous visitor on the office's
page. Fixed dates only: the 公示 runs from Friday 3 to Friday 10 April 2026 (清明 in between)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from funding.models import FundingLine, Grant
from pojian.domain.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from pojian.models import Notification
from techtransfer.domain import subsidy_workflow as wf
from techtransfer.models import SubsidyApplication, SubsidyObjection
from tests import factories as core
from tests.funding.factories import BudgetFactory, line

from .test_subsidy_pages import at
from .test_subsidy_workflow import AFTER, YEAR, _one
from .test_subsidy_workflow import rule as rule  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db
STARTS, ENDS, IN_NOTICE = datetime.date(2026, 4, 3), datetime.date(2026, 4, 10), datetime.date(2026, 4, 8)
AFTER_NOTICE = datetime.date(2026, 4, 13)


@pytest.fixture
def noticed(rule, office, bureau):
    BudgetFactory(cycle=core.CycleFactory(year=YEAR), line=line(FundingLine.TECH_CONTRACT), amount=Decimal("1000000"))
    first, second = _one(rule, office, bureau), _one(rule, office, bureau)
    wf.compute_amounts(rule=rule, by=office, today=AFTER)
    r = wf.publish_notice(rule=rule, by=office, starts=STARTS, today=AFTER)
    return r, SubsidyApplication.objects.get(pk=first.pk), SubsidyApplication.objects.get(pk=second.pk)


def objection(r, a, *, today=IN_NOTICE, address="10.0.0.1", **kw):
    values = {"objector": "张三", "unit": "某公司", "phone": "0431-88889999", "content": "合同未实际履行"} | kw
    return wf.submit_objection(rule=r, application=a, address=address, today=today, **values)


def test_objection_only_during_the_notice_with_a_chinese_message(noticed):
    r, first, _second = noticed
    for day in (datetime.date(2026, 4, 2), datetime.date(2026, 4, 11)):
        with translation.override("zh-hans"), pytest.raises(ValidationError) as e:
            objection(r, first, today=day)
        assert e.value.messages == ["异议受理时间为2026年4月3日至2026年4月10日。"]
    assert not SubsidyObjection.objects.exists()
    o = objection(r, first, today=ENDS)
    assert (o.received_on, o.outcome, o.application_id, o.submitted_from) == (ENDS, "pending", first.pk, "10.0.0.1")


def test_objection_needs_contact_reason_and_a_listed_name(noticed):
    r, first, _second = noticed
    with translation.override("zh-hans"), pytest.raises(ValidationError) as e:
        objection(r, first, objector="", unit="", phone="12", content=" ")
    assert len(e.value.messages) == 4 and "请填写姓名。" in e.value.messages
    SubsidyApplication.objects.filter(pk=first.pk).update(granted=0)  # off the list
    with translation.override("zh-hans"), pytest.raises(ValidationError) as e:
        objection(r, first)
    assert "名单中的名称" in e.value.messages[0] and not SubsidyObjection.objects.exists()


def test_objections_limited_per_address_a_day(noticed):
    r, first, second = noticed
    for _ in range(3):
        objection(r, first)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as e:
        objection(r, second)
    assert "明天" in e.value.messages[0]
    objection(r, second, address="10.0.0.2")
    objection(r, second, today=datetime.date(2026, 4, 9))  # the next day
    assert SubsidyObjection.objects.count() == 5


def test_upheld_withholds_the_grant_dismissed_keeps_it(noticed, office, bureau):
    r, first, second = noticed
    o1, o2 = objection(r, first), objection(r, second, address="10.0.0.2")
    with pytest.raises(TransitionNotAllowed):
        wf.propose_grants(rule=r, by=office, today=AFTER_NOTICE)  # both pending
    with translation.override("zh-hans"):
        wf.decide_objection(objection=o1, outcome="upheld", reason="合同已解除", by=office)
    with pytest.raises(TransitionNotAllowed):
        wf.propose_grants(rule=r, by=office, today=AFTER_NOTICE)  # o2 still pending
    with translation.override("zh-hans"):
        wf.decide_objection(objection=o2, outcome="dismissed", reason="材料齐全，异议不成立", by=office)
    first.refresh_from_db()
    assert first.state == "withheld" and first.history.first().history_change_reason == "objection upheld: 合同已解除"
    assert first.history.first().history_user == office
    assert list(wf.listed(r)) == [second]
    assert wf.propose_grants(rule=r, by=office, today=AFTER_NOTICE) == 1
    grant = Grant.objects.get()
    assert SubsidyApplication.objects.get(pk=second.pk).grant == grant and grant.amount == second.granted
    assert SubsidyApplication.objects.get(pk=first.pk).grant is None
    decided = {o.pk: o for o in SubsidyObjection.objects.all()}
    assert (decided[o1.pk].outcome, decided[o1.pk].decided_by) == ("upheld", office)
    assert decided[o2.pk].outcome_reason == "材料齐全，异议不成立"
    assert [h.history_change_reason for h in decided[o1.pk].history.order_by("history_id")] == [
        "online", "upheld: 合同已解除"]
    told = list(Notification.objects.filter(user=bureau).order_by("pk").values_list("subject", "body"))
    assert told[0][0] == f"{YEAR}年度技术合同补助：对{first.enterprise.name}的异议成立，不予资助"
    assert "理由：合同已解除" in told[0][1]
    assert told[1][0] == f"{YEAR}年度技术合同补助：对{second.enterprise.name}的异议不成立"


def test_deciding_is_the_office_s_once_with_a_reason_before_the_grants(noticed, office, bureau, other_bureau, expert):
    r, first, second = noticed
    o = objection(r, first)
    for user in (bureau, other_bureau, expert, None):
        with pytest.raises(PermissionDenied):
            wf.decide_objection(objection=o, outcome="upheld", reason="核实", by=user)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as e:
        wf.decide_objection(objection=o, outcome="upheld", reason=" ", by=office)
    assert e.value.messages == ["请填写理由。"]
    with pytest.raises(ValidationError):
        wf.decide_objection(objection=o, outcome="maybe", reason="核实", by=office)
    assert SubsidyObjection.objects.get(pk=o.pk).outcome == "pending"
    wf.decide_objection(objection=o, outcome="dismissed", reason="无据", by=office)
    with pytest.raises(TransitionNotAllowed):
        wf.decide_objection(objection=o, outcome="upheld", reason="再议", by=office)
    late = objection(r, second, today=ENDS)
    SubsidyObjection.objects.filter(pk=late.pk).update(outcome="dismissed")
    wf.propose_grants(rule=r, by=office, today=AFTER_NOTICE)
    SubsidyObjection.objects.filter(pk=late.pk).update(outcome="pending")
    with translation.override("zh-hans"), pytest.raises(TransitionNotAllowed) as e:
        wf.decide_objection(objection=late, outcome="upheld", reason="核实", by=office)
    assert e.value.messages == ["该名单已提出资助。"]


# --- pages ----------------------------------------------------------------------------------------------


def test_anyone_objects_on_the_public_page_during_the_notice(client, noticed):
    r, first, _second = noticed
    url = reverse("techtransfer:public_subsidy_notice", args=[YEAR])
    data = {"objection-item": first.pk, "objection-objector": "李四", "objection-unit": "长春某厂",
            "objection-phone": "13900001111", "objection-content": "合同金额不实"}
    with at(IN_NOTICE), translation.override("zh-hans"):
        assert 'data-testid="objection-form"' in client.get(url).content.decode()
        r400 = client.post(url, {**data, "objection-phone": "x"})
        assert r400.status_code == 400 and "请填写" in r400.content.decode()
        assert client.post(url, data).status_code == 302
    assert SubsidyObjection.objects.get().application_id == first.pk
    with at(AFTER_NOTICE):
        html = client.get(url).content.decode()
        assert 'data-testid="objection-form"' not in html and 'data-testid="objection-count"' in html
        assert client.post(url, data).status_code == 400
    assert SubsidyObjection.objects.count() == 1


def test_office_decides_on_the_rule_page(client_for, office, bureau, noticed):
    r, first, _second = noticed
    o = objection(r, first)
    c = client_for(office)
    url = f"{reverse('techtransfer:subsidy_rule')}?year={YEAR}"
    page = c.get(url).content.decode()
    assert 'data-testid="subsidy-objection-decide"' in page and "合同未实际履行" in page
    c.post(url, {"action": "objection", "objection": o.pk, "outcome": "upheld", "reason": ""})
    assert SubsidyObjection.objects.get(pk=o.pk).outcome == "pending"
    assert c.post(url, {"action": "objection", "objection": o.pk, "outcome": "upheld", "reason": "核实"}).status_code == 302
    assert SubsidyObjection.objects.get(pk=o.pk).outcome == "upheld"
    # The bureau sees the outcome and its reason on its application, not who objected.
    with translation.override("zh-hans"):
        page = client_for(bureau).get(reverse("techtransfer:subsidy_application", args=[first.pk])).content.decode()
    assert "核实" in page and "张三" not in page and "不予资助" in page


@pytest.mark.parametrize("who", ["other_bureau", "bureau", "expert", None])
def test_office_page_refused_to_others(client_for, request, who, noticed):
    r, first, _second = noticed
    o = objection(r, first)
    user = request.getfixturevalue(who) if who else None
    url = f"{reverse('techtransfer:subsidy_rule')}?year={YEAR}"
    c = client_for(user)
    got = c.get(url)
    resp = c.post(url, {"action": "objection", "objection": o.pk, "outcome": "upheld", "reason": "x"})
    assert SubsidyObjection.objects.get(pk=o.pk).outcome == "pending"
    if user is None:
        assert got.status_code == resp.status_code == 302 and "login" in resp["Location"]
    else:
        assert got.status_code == resp.status_code == 403
