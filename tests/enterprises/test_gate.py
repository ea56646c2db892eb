"""The 四科 gate before acceptance: refusals, the override (who, when, why), where it shows, rounds and selection."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from enterprises.domain import export, gate, workflow
from enterprises.models import EnterpriseNomination
from pojian.domain import workflow as shared
from pojian.models import NominationState as S
from reviews.domain import ranking, rounds
from reviews.models import ReviewItem, Round
from tests.enterprises.factories import EnterpriseFactory, EnterpriseNominationFactory, VerdictFactory
from tests.reviews import factories as rf

pytestmark = pytest.mark.django_db


def submitted(cycle, verdict=True, **kw):
    n = EnterpriseNominationFactory(cycle=cycle, enterprise=EnterpriseFactory(), state=S.SUBMITTED, **kw)
    if verdict is True:
        VerdictFactory(nomination=n)
    elif verdict:
        VerdictFactory(nomination=n, fail=tuple(verdict))
    return EnterpriseNomination.objects.select_related("cycle", "enterprise").get(pk=n.pk)


# --- the domain ------------------------------------------------------------------------------------


def test_accept_passing_nomination(cycle, office):
    n = submitted(cycle)
    workflow.accept(n, by=office)
    n.refresh_from_db()
    assert n.state == S.ACCEPTED and n.gate_override_at is None


@pytest.mark.parametrize("verdict, words", [(("registered",), "四科"), (None, "四科")])
def test_accept_refused_when_the_verdict_fails_or_is_missing(cycle, office, verdict, words):
    n = submitted(cycle, verdict=verdict)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as e:
        workflow.accept(n, by=office)
    assert n.enterprise.name in e.value.messages[0] and words in e.value.messages[0]
    n.refresh_from_db()
    assert n.state == S.SUBMITTED and n.gate_override_at is None


def test_refusal_names_the_failed_criteria_in_chinese(cycle, office):
    n = submitted(cycle, verdict=("registered", "rd_intensity"))
    with translation.override("zh-hans"), pytest.raises(ValidationError) as e:
        shared.transition(n, "accept", by=office)
    message = e.value.messages[0]
    assert "不符合" in message or "未达到" in message or "不满足" in message
    assert "入库" in message and "研发" in message


def test_accept_with_override_records_who_when_why_and_the_criteria(cycle, office):
    n = submitted(cycle, verdict=("registered",))
    workflow.accept(n, by=office, override_reason="国家平台入库公告延迟，已核实入库")
    n.refresh_from_db()
    assert n.state == S.ACCEPTED
    assert n.gate_override_by == office and n.gate_override_at is not None
    assert n.gate_override_reason == "国家平台入库公告延迟，已核实入库"
    assert n.gate_override_failed == ["registered"]
    reasons = list(n.history.order_by("history_date").values_list("history_change_reason", flat=True))
    assert reasons[-2].startswith("override 四科 (registered): 国家平台") and reasons[-1] == "accept"
    assert n.history.order_by("history_date")[len(reasons) - 2].history_user == office


def test_override_on_a_passing_nomination_is_not_recorded(cycle, office):
    n = submitted(cycle)
    workflow.accept(n, by=office, override_reason="不需要")
    n.refresh_from_db()
    assert n.state == S.ACCEPTED and n.gate_override_at is None
    with pytest.raises(ValidationError):
        gate.record_override(n, by=office, reason="不需要")


def test_override_needs_a_reason(cycle, office):
    n = submitted(cycle, verdict=("revenue",))
    with pytest.raises(ValidationError):
        gate.record_override(n, by=office, reason="  ")
    with pytest.raises(ValidationError):
        workflow.accept(n, by=office, override_reason="")
    n.refresh_from_db()
    assert n.state == S.SUBMITTED and n.gate_override_at is None


def test_override_refused_for_an_unchecked_nomination(cycle, office):
    n = submitted(cycle, verdict=None)
    with pytest.raises(ValidationError):
        workflow.accept(n, by=office, override_reason="理由")
    n.refresh_from_db()
    assert n.state == S.SUBMITTED and n.gate_override_at is None


@pytest.mark.parametrize("who", ["bureau", "other_bureau", "expert", "partner"])
def test_override_refused_for_others_than_the_office(cycle, request, who):
    n = submitted(cycle, verdict=("revenue",))
    with pytest.raises(PermissionDenied):
        gate.record_override(n, by=request.getfixturevalue(who), reason="理由")
    n.refresh_from_db()
    assert n.gate_override_at is None


def test_override_of_an_accepted_nomination_whose_verdict_changed(cycle, office):
    n = submitted(cycle)
    workflow.accept(n, by=office)
    n.verdict.eligible, n.verdict.fail_registered = False, True
    n.verdict.save()
    gate.record_override(n, by=office, reason="撤销系误报，已与国家平台核实")
    n.refresh_from_db()
    assert n.gate_override_failed == ["registered"] and gate.gate_state(n) == gate.OVERRIDE


def test_admin_bulk_accept_refuses_the_failing_one(client_for, cycle):
    from tests import factories as core

    admin_user_office = core.OfficeFactory(username="office-admin", is_staff=True)
    good, bad = submitted(cycle), submitted(cycle, verdict=("employees",))
    client_for(admin_user_office).post(reverse("admin:enterprises_enterprisenomination_changelist"),
                                       {"action": "accept_selected", "_selected_action": [good.pk, bad.pk]})
    assert EnterpriseNomination.objects.get(pk=good.pk).state == S.ACCEPTED
    assert EnterpriseNomination.objects.get(pk=bad.pk).state == S.SUBMITTED


# --- the pages -------------------------------------------------------------------------------------


def test_accept_button_refused_on_the_page_then_override_accepts(client_for, office, cycle):
    n = submitted(cycle, verdict=("ip_and_transfers",))
    client = client_for(office)
    page = client.get(reverse("enterprises:office_nomination", args=[n.pk]))
    assert page.context["can_override"] and 'data-testid="gate-refusal"' in page.content.decode()
    response = client.post(reverse("enterprises:office_nomination_transition", args=[n.pk]),
                           {"action": "accept", "version": n.version}, follow=True)
    assert any("四科" in str(m) for m in response.context["messages"])
    n.refresh_from_db()
    assert n.state == S.SUBMITTED
    client.post(reverse("enterprises:office_nomination_override", args=[n.pk]), {"reason": "", "accept": "1"})
    n.refresh_from_db()
    assert n.state == S.SUBMITTED
    client.post(reverse("enterprises:office_nomination_override", args=[n.pk]),
                {"reason": "成果转化合同待登记，已见原件", "accept": "1"})
    n.refresh_from_db()
    assert n.state == S.ACCEPTED and n.gate_override_by == office
    html = client.get(reverse("enterprises:office_nomination", args=[n.pk])).content.decode()
    assert 'data-testid="gate-override"' in html and "成果转化合同待登记，已见原件" in html
    assert 'data-testid="override-badge"' in html
    assert "override 四科 (ip_and_transfers): 成果转化合同待登记" in html  # the history card


def test_list_badge_and_dashboard_count(client_for, office, cycle, rf):
    from enterprises import panels

    overridden = submitted(cycle, verdict=("revenue",))
    workflow.accept(overridden, by=office, override_reason="理由")
    plain = submitted(cycle)
    html = client_for(office).get(reverse("enterprises:office_nominations")).content.decode()
    rows = {r.split('data-pk="')[1].split('"')[0]: r for r in html.split('data-testid="nomination-row"')[1:]}
    assert 'data-testid="override-badge"' in rows[str(overridden.pk)]
    assert 'data-testid="override-badge"' not in rows[str(plain.pk)]
    request = rf.get("/home/")
    request.user = office
    [panel] = [p for p in panels.home_panels(request, cycle) if p["template"] == "enterprises/office_panel.html"]
    assert panel["overrides"] == 1


def test_export_has_the_override_column(office, cycle, tmp_path):
    n = submitted(cycle, verdict=("revenue",))
    workflow.accept(n, by=office, override_reason="=1+1 营收含一次性转让")
    plain = submitted(cycle)
    path = tmp_path / "out.xlsx"
    with translation.override("zh-hans"):
        export.write_nominations(path, EnterpriseNomination.objects.filter(cycle=cycle), year=cycle.year)
        header = translation.gettext("四科 override (reason)")
    rows = [list(r) for r in load_workbook(path).worksheets[0].iter_rows(values_only=True)]
    column = rows[0].index(header)
    values = {r[2]: r[column] for r in rows[1:]}
    assert values[n.enterprise.name] == "是：=1+1 营收含一次性转让"
    assert values[plain.enterprise.name] in ("", None)


def test_bulk_accept_and_return_refused_row_by_row(client_for, office, cycle):
    good, failing, unchecked = submitted(cycle), submitted(cycle, verdict=("employees",)), submitted(cycle, verdict=None)
    client = client_for(office)
    response = client.post(reverse("enterprises:office_nominations_bulk"),
                           {"action": "accept", "ids": [good.pk, failing.pk, unchecked.pk]}, follow=True)
    states = dict(EnterpriseNomination.objects.values_list("pk", "state"))
    assert states == {good.pk: S.ACCEPTED, failing.pk: S.SUBMITTED, unchecked.pk: S.SUBMITTED}
    warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert len(warnings) == 2
    assert any(failing.enterprise.name in w for w in warnings) and any(unchecked.enterprise.name in w for w in warnings)
    # Returning needs the reason, then applies to each.
    client.post(reverse("enterprises:office_nominations_bulk"), {"action": "return", "ids": [failing.pk, unchecked.pk]})
    assert EnterpriseNomination.objects.get(pk=failing.pk).state == S.SUBMITTED
    client.post(reverse("enterprises:office_nominations_bulk"),
                {"action": "return", "ids": [failing.pk, unchecked.pk, good.pk], "reason": "请补充入库登记编号"})
    states = dict(EnterpriseNomination.objects.values_list("pk", "state"))
    assert states == {good.pk: S.ACCEPTED, failing.pk: S.RETURNED, unchecked.pk: S.RETURNED}


def test_bulk_refuses_unknown_actions(client_for, office, cycle):
    n = submitted(cycle)
    client_for(office).post(reverse("enterprises:office_nominations_bulk"), {"action": "reject", "ids": [n.pk]})
    assert EnterpriseNomination.objects.get(pk=n.pk).state == S.SUBMITTED


@pytest.mark.parametrize("who", ["bureau", "other_bureau", "expert", None])
def test_bulk_and_override_pages_refuse_others(client_for, request, cycle, who):
    n = submitted(cycle, verdict=("revenue",))
    user = request.getfixturevalue(who) if who else None
    client = client_for(user)
    for url, data in ((reverse("enterprises:office_nominations_bulk"), {"action": "accept", "ids": [n.pk]}),
                      (reverse("enterprises:office_nomination_override", args=[n.pk]), {"reason": "x", "accept": "1"})):
        response = client.post(url, data)
        assert response.status_code == (302 if user is None else 403)
    n.refresh_from_db()
    assert n.state == S.SUBMITTED and n.gate_override_at is None


# --- review rounds and selection -------------------------------------------------------------------


def test_populate_round_takes_only_passing_or_overridden(cycle, office):
    passing = rf.accepted_nomination(cycle=cycle)
    failing = rf.accepted_nomination(cycle=cycle, verdict=("revenue",))
    unchecked = rf.accepted_nomination(cycle=cycle, verdict=False)
    overridden = rf.accepted_nomination(cycle=cycle, verdict=("rd_intensity",))
    gate.record_override(overridden, by=office, reason="研发费用加计扣除口径差异")
    round_ = rounds.create_round(cycle=cycle, kind=Round.Kind.ENTERPRISES, by=office)
    rounds.populate_round(round_=round_, by=office)
    taken = set(ReviewItem.objects.filter(round=round_).values_list("object_id", flat=True))
    assert taken == {passing.pk, overridden.pk}
    assert failing.pk not in taken and unchecked.pk not in taken


def _ranked(cycle, office, n):
    from tests.reviews.test_ranking import ranked_round

    return ranked_round(cycle, office, {(k, 0): 90 - k for k in range(n)}, items=n, experts=1)


def test_select_leaves_out_a_nomination_that_no_longer_passes(cycle, office):
    round_, its = _ranked(cycle, office, 3)
    from enterprises.models import Verdict

    Verdict.objects.filter(nomination_id=its[0].object_id).update(eligible=False, fail_registered=True)
    chosen = ranking.select(round_=round_, by=office, quota=2)
    assert {i.pk for i in chosen} == {its[1].pk, its[2].pk}
    assert [i.pk for i in ranking.ungated_items(round_)] == [its[0].pk]
    with translation.override("zh-hans"):
        assert its[0].nominee_name in ranking.not_selectable_message(ranking.ungated_items(round_))
    with pytest.raises(ValidationError):
        ranking.override_selection(item=its[0], selected=True, reason="评审得分最高", by=office)
    assert not ReviewItem.objects.get(pk=its[0].pk).selected
    # With an override on the nomination it may be selected again.
    gate.record_override(EnterpriseNomination.objects.get(pk=its[0].object_id), by=office, reason="撤销已恢复")
    chosen = ranking.select(round_=round_, by=office, quota=2)
    assert {i.pk for i in chosen} == {its[0].pk, its[1].pk}


def test_workflow_select_refused_for_a_failing_nomination(cycle, office):
    n = rf.accepted_nomination(cycle=cycle, verdict=("revenue",))
    with pytest.raises(ValidationError):
        shared.transition(n, "select", by=office)
    assert EnterpriseNomination.objects.get(pk=n.pk).state == S.ACCEPTED
    ok = rf.accepted_nomination(cycle=cycle)
    shared.transition(ok, "select", by=office)
    assert EnterpriseNomination.objects.get(pk=ok.pk).state == S.SELECTED
