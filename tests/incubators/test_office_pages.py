"""The office's pages: filtered list, accept / return / reject, the .xlsx export, the admin."""

import io
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from incubators.domain import export
from incubators.models import Incubator
from pojian.models import Job, Notification
from pojian.models import NominationState as S
from tests import factories as core

from .factories import IncubatorFactory, IncubatorNominationFactory, complete_nomination

pytestmark = pytest.mark.django_db


def transition(client, nomination, action, reason=""):
    return client.post(reverse("incubators:nomination_transition", args=[nomination.pk]),
                       {"action": action, "reason": reason, "version": nomination.version})


@pytest.mark.parametrize("action,reason,target", [
    ("accept", "", S.ACCEPTED), ("return", "请补充融资额统计口径", S.RETURNED), ("reject", "运营不满一年", S.REJECTED),
])
def test_office_decides_through_the_detail_page(client_for, office, bureau, cycle, action, reason, target):
    nomination = complete_nomination(cycle=cycle, created_by=bureau, state=S.SUBMITTED)
    page = client_for(office).get(nomination.get_absolute_url())
    assert {t.action for t in page.context["actions"]} == {"accept", "return", "reject"}
    transition(client_for(office), nomination, action, reason)
    nomination.refresh_from_db()
    assert nomination.state == target and nomination.state_reason == reason
    last = nomination.history.first()
    assert last.history_user == office and last.history_change_reason.startswith(action)
    assert Notification.objects.filter(user=bureau).exists()


@pytest.mark.parametrize("action", ["return", "reject"])
def test_return_and_reject_need_a_reason(client_for, office, bureau, cycle, action):
    nomination = complete_nomination(cycle=cycle, created_by=bureau, state=S.SUBMITTED)
    transition(client_for(office), nomination, action, "  ")
    nomination.refresh_from_db()
    assert nomination.state == S.SUBMITTED


def test_office_cannot_submit_or_withdraw_for_the_bureau(client_for, office, bureau, cycle):
    nomination = complete_nomination(cycle=cycle, created_by=bureau)
    for action in ("submit", "withdraw"):
        transition(client_for(office), nomination, action)
    nomination.refresh_from_db()
    assert nomination.state == S.DRAFT


def test_office_list_filters(client_for, office, cycle, other_bureau):
    cc_incubator = complete_nomination(cycle=cycle, state=S.SUBMITTED)
    jl = IncubatorNominationFactory(
        cycle=cycle, state=S.ACCEPTED,
        incubator=IncubatorFactory(region=other_bureau.region, kind=Incubator.Kind.MAKER_SPACE, level="national"),
    )
    c = client_for(office)
    url = reverse("incubators:office_list")

    def listed(**params):
        response = c.get(url, params)
        assert response.status_code == 200
        return {row.record for row in response.context["table"].rows}

    assert listed() == {cc_incubator, jl}
    assert listed(region=other_bureau.region.pk) == {jl}
    assert listed(state="submitted") == {cc_incubator}
    assert listed(kind="maker_space") == {jl}
    assert listed(level="provincial") == {cc_incubator}
    assert listed(q=jl.incubator.uscc) == {jl}


def test_office_list_defaults_to_the_current_year(client_for, office, cycle):
    this_year = complete_nomination(cycle=cycle)
    last = core.CycleFactory(year=cycle.year - 1, is_current=False, status="closed")
    old = IncubatorNominationFactory(cycle=last)
    c = client_for(office)
    rows = {r.record for r in c.get(reverse("incubators:office_list")).context["table"].rows}
    assert rows == {this_year}
    rows = {r.record for r in c.get(reverse("incubators:office_list"), {"cycle": ""}).context["table"].rows}
    assert rows == {this_year, old}


def workbook(response):
    return load_workbook(io.BytesIO(response.content))


def test_export_neutralises_formulas_and_follows_the_filters(client_for, office, cycle, other_bureau):
    evil = complete_nomination(
        cycle=cycle, state=S.ACCEPTED, results='=HYPERLINK("http://evil.example","点我")',
        incubator=IncubatorFactory(name="+cmd|' /C calc'!A0", operator="@SUM(1+1)"),
    )
    IncubatorNominationFactory(cycle=cycle, incubator=IncubatorFactory(region=other_bureau.region))
    response = client_for(office).get(reverse("incubators:office_export"), {"region": evil.region_id})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    ws = workbook(response).active
    assert ws.max_row == 2  # header + the one nomination of the region
    row = {ws.cell(1, col).value: ws.cell(2, col) for col in range(1, ws.max_column + 1)}
    for header in ("孵化器名称", "运营主体", "培育科技型中小企业成效"):
        assert row[header].data_type == "s" and row[header].quotePrefix, header
    assert row["孵化器名称"].value == "+cmd|' /C calc'!A0"
    assert row["在孵企业合计"].value == 10  # typed 10, nobody linked
    with zipfile.ZipFile(io.BytesIO(response.content)) as z:
        assert "<f>" not in z.read("xl/worksheets/sheet1.xml").decode()


def test_big_export_runs_as_a_background_job(client_for, office, cycle, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(export, "EXPORT_INLINE_LIMIT", 0)
    complete_nomination(cycle=cycle)
    complete_nomination(cycle=cycle, state=S.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(office).get(reverse("incubators:office_export"), {"state": "submitted"})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("job", args=[job.pk])
    job.refresh_from_db()
    if job.status == Job.Status.QUEUED:  # a broker is configured: run the task's work here
        from incubators.tasks import export_nominations

        export_nominations(job.pk)
        job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    ws = load_workbook(job.result_file.path).active
    assert ws.max_row == 2 and ws["A1"].value == "年度"


def test_admin_bulk_actions_accept_return_and_reject_with_reason(client_for, cycle, bureau):
    admin_user = core.OfficeFactory(username="office-admin", is_staff=True, is_superuser=True)
    a = complete_nomination(cycle=cycle, created_by=bureau, state=S.SUBMITTED)
    b = complete_nomination(cycle=cycle, created_by=bureau, state=S.SUBMITTED)
    r = complete_nomination(cycle=cycle, created_by=bureau, state=S.SUBMITTED)
    c = client_for(admin_user)
    url = reverse("admin:incubators_incubatornomination_changelist")
    assert c.get(url, {"state__exact": "submitted", "incubator__kind__exact": "incubator"}).status_code == 200
    c.post(url, {"action": "accept_selected", "_selected_action": [a.pk]})
    first = c.post(url, {"action": "reject_selected", "_selected_action": [b.pk]})
    assert first.status_code == 200  # asks for the reason
    c.post(url, {"action": "reject_selected", "_selected_action": [b.pk], "apply": "1", "reason": "材料不实"})
    c.post(url, {"action": "return_selected", "_selected_action": [r.pk], "apply": "1", "reason": ""})
    r.refresh_from_db()
    assert r.state == S.SUBMITTED  # no reason, no return
    c.post(url, {"action": "return_selected", "_selected_action": [r.pk], "apply": "1", "reason": "补充盖章推荐函"})
    a.refresh_from_db()
    b.refresh_from_db()
    r.refresh_from_db()
    assert a.state == S.ACCEPTED and b.state == S.REJECTED and b.state_reason == "材料不实"
    assert r.state == S.RETURNED and r.state_reason == "补充盖章推荐函"


def test_admin_pages_open(client_for, cycle):
    admin_user = core.OfficeFactory(username="office-admin2", is_staff=True, is_superuser=True)
    nomination = complete_nomination(cycle=cycle)
    c = client_for(admin_user)
    for url in (reverse("admin:incubators_incubator_change", args=[nomination.incubator_id]),
                reverse("admin:incubators_incubatornomination_change", args=[nomination.pk]),
                reverse("admin:incubators_postsubsidy_changelist"), reverse("admin:incubators_incubator_changelist")):
        assert c.get(url).status_code == 200, url
