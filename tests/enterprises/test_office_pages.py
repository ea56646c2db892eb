"""The office's enterprise pages: list and filters, one nomination, decisions, checks, tax import, admin."""

import io
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from enterprises.domain import checks
from enterprises.models import EnterpriseNomination, EnterpriseYear
from pojian.domain.pdf import minimal_pdf
from pojian.models import Job, NominationState
from tests import factories as core
from tests.enterprises.factories import (
    EnterpriseFactory,
    EnterpriseNominationFactory,
    VerdictFactory,
    eligible_enterprise,
)

MINIMAL_PDF = minimal_pdf("letter")


def submitted(cycle, enterprise=None, **kw):
    return EnterpriseNominationFactory(
        cycle=cycle, enterprise=enterprise or EnterpriseFactory(), state=NominationState.SUBMITTED, **kw
    )


def office_urls(pk):
    """(url name, args, methods) of every office page."""
    return [
        ("enterprises:office_nominations", [], ["get"]),
        ("enterprises:office_nominations_export", [], ["post"]),
        ("enterprises:office_nomination", [pk], ["get"]),
        ("enterprises:office_nomination_transition", [pk], ["post"]),
        ("enterprises:office_nomination_check", [pk], ["post"]),
        ("enterprises:office_nomination_override", [pk], ["post"]),
        ("enterprises:office_nominations_bulk", [], ["post"]),
        ("enterprises:office_nomination_letter", [pk], ["get"]),
        ("enterprises:office_checks", [], ["get", "post"]),
        ("enterprises:office_tax_import", [], ["get", "post"]),
        ("enterprises:office_tax_template", [], ["get"]),
        ("enterprises:office_rulebook", [], ["get", "post"]),
    ]


# --- who may ---------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["bureau", "other_bureau", "expert", "partner"])
def test_office_pages_refuse_bureaus_experts_and_partners(client_for, request, who, cycle):
    user = request.getfixturevalue(who)
    n = submitted(cycle, letter=ContentFile(MINIMAL_PDF, name="letter.pdf"))
    client = client_for(user)
    for name, args, methods in office_urls(n.pk):
        for method in methods:
            response = getattr(client, method)(reverse(name, args=args), {"action": "accept"} if method == "post" else {})
            assert response.status_code == 403, (who, name, method, response.status_code)
    n.refresh_from_db()
    assert n.state == NominationState.SUBMITTED
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_office_pages_send_anonymous_to_login(client_for, cycle):
    n = submitted(cycle)
    client = client_for(None)
    for name, args, methods in office_urls(n.pk):
        for method in methods:
            response = getattr(client, method)(reverse(name, args=args))
            assert response.status_code == 302 and "login" in response["Location"], (name, method)


@pytest.mark.django_db
def test_bureau_cannot_see_the_office_list_of_its_own_region(client_for, bureau, cycle):
    submitted(cycle, enterprise=EnterpriseFactory(region=bureau.region))
    assert client_for(bureau).get(reverse("enterprises:office_nominations")).status_code == 403


# --- the list ----------------------------------------------------------------------------------------


def names(response):
    return {r.record.enterprise.name for r in response.context["table"].page.object_list}


@pytest.mark.django_db
def test_office_list_shows_the_current_years_nominations(client_for, office, cycle):
    mine = submitted(cycle)
    old_cycle = core.CycleFactory(year=cycle.year - 1, is_current=False)
    old = submitted(old_cycle)
    response = client_for(office).get(reverse("enterprises:office_nominations"))
    assert response.status_code == 200
    page = response.content.decode()
    assert mine.enterprise.name in page and old.enterprise.name not in page


@pytest.mark.django_db
def test_office_list_filters(client_for, office, cycle):
    year = cycle.year
    good = submitted(cycle, enterprise=eligible_enterprise(year=year))
    big = submitted(cycle, enterprise=eligible_enterprise(year=year, employees=600, tech_staff=500,
                                                         region=core.region("220200")))
    unchecked = EnterpriseNominationFactory(cycle=cycle, enterprise=EnterpriseFactory(is_high_tech=True))
    checks.check_nomination(good)
    checks.check_nomination(big)
    client = client_for(office)
    url = reverse("enterprises:office_nominations")

    def get(**params):
        return names(client.get(url, params))

    g, b, u = good.enterprise.name, big.enterprise.name, unchecked.enterprise.name
    assert get() == {g, b, u}
    assert get(region=core.region("220200").pk) == {b}
    assert get(state="draft") == {u}
    assert get(verdict="yes") == {g}
    assert get(verdict="no") == {b}
    assert get(verdict="none") == {u}
    assert get(failed="employees") == {b}
    assert get(failed="revenue") == set()
    assert get(high_tech="yes") == {u}
    assert get(high_tech="no") == {g, b}
    assert get(q=big.enterprise.uscc.lower()) == {b}


@pytest.mark.django_db
def test_office_list_query_count_is_constant(client_for, office, cycle):
    client = client_for(office)
    url = reverse("enterprises:office_nominations")

    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    for _ in range(2):
        checks.check_nomination(submitted(cycle))
    few = count_queries()
    for _ in range(20):
        checks.check_nomination(submitted(cycle))
    submitted(cycle)  # one without a verdict
    assert count_queries() == few


@pytest.mark.django_db
def test_office_list_is_paginated(client_for, office, cycle):
    EnterpriseNominationFactory.create_batch(53, cycle=cycle)
    client = client_for(office)
    first = client.get(reverse("enterprises:office_nominations"))
    assert len(first.context["table"].page.object_list) == 50
    second = client.get(reverse("enterprises:office_nominations"), {"page": 2})
    assert len(second.context["table"].page.object_list) == 3


@pytest.mark.django_db
def test_office_list_in_chinese_has_no_untranslated_filter_words(client_for, office, cycle):
    checks.check_nomination(submitted(cycle))
    page = client_for(office).get(reverse("enterprises:office_nominations")).content.decode()
    assert "全部地区" in page and "四科" in page
    for english in ("All regions", "Any criterion", "Filter", "Export to Excel", "Enterprise nominations"):
        assert english not in page


# --- one nomination --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_office_detail_shows_figures_differences_verdict_and_actions(client_for, office, cycle):
    enterprise = eligible_enterprise(year=cycle.year)
    EnterpriseYear.objects.filter(enterprise=enterprise).update(revenue_tax=Decimal("300000000.00"))
    n = submitted(cycle, enterprise=enterprise, letter=ContentFile(MINIMAL_PDF, name="letter.pdf"))
    checks.check_nomination(n)
    response = client_for(office).get(reverse("enterprises:office_nomination", args=[n.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="figure-revenue" data-differs="1"' in page
    assert "300,000,000.00" in page and "50,000,000.00" in page and "+250,000,000.00" in page
    assert 'data-testid="figure-employees" data-differs' not in page
    assert 'data-testid="criterion-revenue" data-passed="0"' in page
    assert 'data-testid="criterion-employees" data-passed="1"' in page
    assert reverse("enterprises:office_nomination_letter", args=[n.pk]) in page
    for action in ("accept", "return", "reject"):
        assert f'data-testid="action-{action}"' in page
    assert 'data-testid="action-withdraw"' not in page


@pytest.mark.django_db
def test_office_detail_verdict_follows_the_readers_language(client_for, office, cycle):
    n = submitted(cycle, enterprise=eligible_enterprise(year=cycle.year, revenue=Decimal("0")))
    checks.check_nomination(n)
    client = client_for(office)
    url = reverse("enterprises:office_nomination", args=[n.pk])
    assert "没有销售收入" in client.get(url).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": url})
    assert "no sales revenue" in client.get(url).content.decode()


@pytest.mark.django_db
def test_office_detail_without_verdict_or_figures(client_for, office, cycle):
    n = submitted(cycle)
    response = client_for(office).get(reverse("enterprises:office_nomination", args=[n.pk]))
    assert response.status_code == 200
    assert 'data-testid="verdict-result"' in response.content.decode()


@pytest.mark.django_db
def test_office_letter_download(client_for, office, cycle):
    n = submitted(cycle, letter=ContentFile(MINIMAL_PDF, name="letter.pdf"))
    response = client_for(office).get(reverse("enterprises:office_nomination_letter", args=[n.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")


# --- decisions ------------------------------------------------------------------------------------


def decide(client, n, action, reason=""):
    return client.post(reverse("enterprises:office_nomination_transition", args=[n.pk]),
                       {"action": action, "reason": reason, "version": n.version}, follow=True)


@pytest.mark.django_db
def test_office_accepts(client_for, office, cycle):
    n = submitted(cycle)
    VerdictFactory(nomination=n)  # meets the 四科 standard
    decide(client_for(office), n, "accept")
    n.refresh_from_db()
    assert n.state == NominationState.ACCEPTED
    assert n.history.first().history_user == office


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["return", "reject"])
def test_office_return_and_reject_need_a_reason(client_for, office, cycle, action):
    n = submitted(cycle)
    client = client_for(office)
    response = decide(client, n, action)
    n.refresh_from_db()
    assert n.state == NominationState.SUBMITTED
    assert "请填写理由" in response.content.decode()
    decide(client, n, action, reason="研发费用与税务数据不符")
    n.refresh_from_db()
    assert n.state == (NominationState.RETURNED if action == "return" else NominationState.REJECTED)
    assert n.state_reason == "研发费用与税务数据不符"


@pytest.mark.django_db
def test_office_transition_refuses_other_actions(client_for, office, cycle):
    n = EnterpriseNominationFactory(cycle=cycle, state=NominationState.ACCEPTED)
    decide(client_for(office), n, "select")
    n.refresh_from_db()
    assert n.state == NominationState.ACCEPTED


@pytest.mark.django_db
def test_office_stale_decision_is_refused(client_for, office, cycle):
    n = submitted(cycle)
    stale_version = n.version
    EnterpriseNomination.objects.filter(pk=n.pk).update(version=stale_version + 1)
    client_for(office).post(reverse("enterprises:office_nomination_transition", args=[n.pk]),
                            {"action": "accept", "version": stale_version})
    n.refresh_from_db()
    assert n.state == NominationState.SUBMITTED


@pytest.mark.django_db
def test_office_check_one_nomination_now(client_for, office, cycle):
    n = submitted(cycle, enterprise=eligible_enterprise(year=cycle.year))
    client_for(office).post(reverse("enterprises:office_nomination_check", args=[n.pk]))
    n.refresh_from_db()
    assert n.verdict.eligible


# --- the year-wide check page -----------------------------------------------------------------------


@pytest.mark.django_db
def test_office_checks_page_starts_one_job_per_year(client_for, office, cycle, django_capture_on_commit_callbacks):
    checks.check_nomination(submitted(cycle, enterprise=eligible_enterprise(year=cycle.year)))
    submitted(cycle)
    client = client_for(office)
    page = client.get(reverse("enterprises:office_checks"))
    assert page.context["summary"]["total"] == 2 and page.context["summary"]["eligible"] == 1
    assert page.context["summary"]["unchecked"] == 1
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = client.post(reverse("enterprises:office_checks"))
        second = client.post(reverse("enterprises:office_checks"))
    job = Job.objects.get()
    assert first["Location"] == second["Location"] == reverse("job", args=[job.pk])
    assert job.params["year"] == cycle.year and job.kind == "enterprises.check_year"
    assert len(callbacks) == 1


@pytest.mark.django_db
def test_office_checks_job_runs_the_year(client_for, office, cycle, django_capture_on_commit_callbacks):
    from enterprises import tasks

    n = submitted(cycle, enterprise=eligible_enterprise(year=cycle.year))
    with django_capture_on_commit_callbacks(execute=False):
        client_for(office).post(reverse("enterprises:office_checks"))
    job = Job.objects.get()
    tasks.check_year(job.pk)  # in-process here; tests/enterprises/test_checks.py runs it on a worker
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    n.refresh_from_db()
    assert n.verdict.eligible


# --- the tax import page -----------------------------------------------------------------------------


def xlsx_bytes(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["统一社会信用代码", "年度", "销售收入(元)", "研发费用(元)", "资产总额(元)", "从业人数"])
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.django_db
def test_tax_import_page_refuses_a_file_that_is_not_xlsx(client_for, office, cycle):
    fake = SimpleUploadedFile("tax.xlsx", MINIMAL_PDF)
    response = client_for(office).post(reverse("enterprises:office_tax_import"), {"year": cycle.year, "file": fake})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_tax_import_page_starts_the_job(client_for, office, cycle, settings, tmp_path,
                                        django_capture_on_commit_callbacks):
    from enterprises import tasks

    settings.MEDIA_ROOT = tmp_path
    e = EnterpriseFactory()
    upload = SimpleUploadedFile("tax.dat", xlsx_bytes([[e.uscc, cycle.year, 10, 1, 5, 2]]))
    with django_capture_on_commit_callbacks(execute=False):
        response = client_for(office).post(reverse("enterprises:office_tax_import"), {"year": cycle.year, "file": upload})
    job = Job.objects.get()
    assert response["Location"] == reverse("job", args=[job.pk])
    assert job.params["year"] == cycle.year and job.input_file
    tasks.import_tax(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    assert EnterpriseYear.objects.get(enterprise=e).revenue_tax == Decimal("10.00")


@pytest.mark.django_db
def test_tax_template_download(client_for, office, cycle):
    response = client_for(office).get(reverse("enterprises:office_tax_template"))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.worksheets[0]["A1"].value == "统一社会信用代码"


# --- home panel and admin ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_office_panel_function(rf, office, bureau, cycle):
    from enterprises.views.office import office_nav_items, office_panels

    checks.check_nomination(submitted(cycle, enterprise=eligible_enterprise(year=cycle.year)))
    request = rf.get("/")
    request.user = office
    panels = office_panels(request, cycle)
    assert panels[0]["summary"]["eligible"] == 1
    assert office_nav_items(office)
    request.user = bureau
    assert office_panels(request, cycle) == [] and office_nav_items(bureau) == []


@pytest.fixture
def admin_user_office(db):
    return core.OfficeFactory(username="office-admin", is_staff=True)


@pytest.mark.django_db
def test_admin_nomination_list_filters_for_office_staff(client_for, admin_user_office, cycle):
    n = submitted(cycle, enterprise=eligible_enterprise(year=cycle.year, rd_expense=Decimal("1")))
    checks.check_nomination(n)
    client = client_for(admin_user_office)
    url = reverse("admin:enterprises_enterprisenomination_changelist")
    assert client.get(url).status_code == 200
    assert n.enterprise.name in client.get(url, {"failed": "rd_intensity"}).content.decode()
    assert n.enterprise.name not in client.get(url, {"failed": "revenue"}).content.decode()
    assert n.enterprise.name in client.get(url, {"verdict": "no"}).content.decode()
    assert client.get(reverse("admin:enterprises_enterprise_change", args=[n.enterprise.pk])).status_code == 200
    assert client.get(reverse("admin:enterprises_enterprisenomination_change", args=[n.pk])).status_code == 200
    assert client.get(reverse("admin:enterprises_enterprisenomination_history", args=[n.pk])).status_code == 200


@pytest.mark.django_db
def test_admin_bulk_return_asks_for_the_reason_once(client_for, admin_user_office, cycle):
    a, b = submitted(cycle), submitted(cycle)
    VerdictFactory(nomination=a), VerdictFactory(nomination=b)
    client = client_for(admin_user_office)
    url = reverse("admin:enterprises_enterprisenomination_changelist")
    first = client.post(url, {"action": "return_selected", "_selected_action": [a.pk, b.pk]})
    assert first.status_code == 200 and 'name="reason"' in first.content.decode()
    client.post(url, {"action": "return_selected", "_selected_action": [a.pk, b.pk], "apply": "1",
                      "reason": "请补充入库登记编号"})
    for n in (a, b):
        n.refresh_from_db()
        assert n.state == NominationState.RETURNED and n.state_reason == "请补充入库登记编号"


@pytest.mark.django_db
def test_admin_bulk_accept(client_for, admin_user_office, cycle):
    a, b = submitted(cycle), submitted(cycle)
    VerdictFactory(nomination=a), VerdictFactory(nomination=b)
    client = client_for(admin_user_office)
    client.post(reverse("admin:enterprises_enterprisenomination_changelist"),
                {"action": "accept_selected", "_selected_action": [a.pk, b.pk]})
    assert set(EnterpriseNomination.objects.values_list("state", flat=True)) == {NominationState.ACCEPTED}


@pytest.mark.django_db
def test_admin_refuses_bureau(client_for, bureau, cycle):
    response = client_for(bureau).get(reverse("admin:enterprises_enterprisenomination_changelist"))
    assert response.status_code == 302  # not staff: to the admin login


@pytest.mark.django_db
def test_admin_bulk_reject_asks_for_the_reason_once_and_records_it(client_for, admin_user_office, cycle):
    a, b, draft = submitted(cycle), submitted(cycle), EnterpriseNominationFactory(cycle=cycle)
    client = client_for(admin_user_office)
    url = reverse("admin:enterprises_enterprisenomination_changelist")
    selection = {"action": "reject_selected", "_selected_action": [a.pk, b.pk, draft.pk]}
    first = client.post(url, selection)
    page = first.content.decode()
    assert first.status_code == 200 and page.count('name="reason"') == 1  # one reason for the whole selection
    for n in (a, b, draft):
        assert f'value="{n.pk}"' in page
    client.post(url, {**selection, "apply": "1", "reason": "不符合四科标准"})
    for n in (a, b):
        n.refresh_from_db()
        assert n.state == NominationState.REJECTED and n.state_reason == "不符合四科标准"
        assert n.history.first().history_user == admin_user_office
    draft.refresh_from_db()
    assert draft.state == NominationState.DRAFT  # a draft cannot be rejected: refused, the others done


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["return_selected", "reject_selected"])
def test_admin_bulk_return_or_reject_without_a_reason_changes_nothing(client_for, admin_user_office, cycle, action):
    a = submitted(cycle)
    client = client_for(admin_user_office)
    url = reverse("admin:enterprises_enterprisenomination_changelist")
    client.post(url, {"action": action, "_selected_action": [a.pk], "apply": "1", "reason": "  "})
    a.refresh_from_db()
    assert a.state == NominationState.SUBMITTED and a.state_reason == ""


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["bureau", "other_bureau", "expert", None])
def test_admin_bulk_actions_refused_to_bureaus_experts_and_anonymous(client_for, request, cycle, who):
    user = request.getfixturevalue(who) if who else None
    a = submitted(cycle, enterprise=EnterpriseFactory(region=core.region("220100")))
    url = reverse("admin:enterprises_enterprisenomination_changelist")
    for action in ("accept_selected", "return_selected", "reject_selected"):
        response = client_for(user).post(url, {"action": action, "_selected_action": [a.pk], "apply": "1",
                                               "reason": "x"})
        assert response.status_code == 302 and "login" in response["Location"], (who, action)
    a.refresh_from_db()
    assert a.state == NominationState.SUBMITTED


@pytest.mark.django_db
def test_admin_nomination_list_filters_by_region_state_and_high_tech(client_for, admin_user_office, cycle):
    cc = submitted(cycle, enterprise=EnterpriseFactory(region=core.region("220100"), is_high_tech=True))
    jl = EnterpriseNominationFactory(cycle=cycle, enterprise=EnterpriseFactory(region=core.region("220200")))
    client = client_for(admin_user_office)
    url = reverse("admin:enterprises_enterprisenomination_changelist")

    def listed(**params):
        page = client.get(url, params).content.decode()
        return {n.enterprise.name for n in (cc, jl) if n.enterprise.name in page}

    assert listed() == {cc.enterprise.name, jl.enterprise.name}
    assert listed(region__id__exact=core.region("220200").pk) == {jl.enterprise.name}
    assert listed(state__exact="submitted") == {cc.enterprise.name}
    assert listed(enterprise__is_high_tech__exact="1") == {cc.enterprise.name}
    assert listed(enterprise__is_high_tech__exact="0") == {jl.enterprise.name}


@pytest.mark.django_db
def test_office_list_rows_escape_names_and_show_state_verdict_and_failed_criteria(client_for, office, cycle):
    from django.utils import translation

    enterprise = eligible_enterprise(year=cycle.year, rd_expense=Decimal("1"))
    enterprise.name = '<script>alert("x")</script>公司'
    enterprise.save()
    evil = submitted(cycle, enterprise=enterprise)
    checks.check_nomination(evil)
    unchecked = EnterpriseNominationFactory(cycle=cycle)
    page = client_for(office).get(reverse("enterprises:office_nominations")).content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;公司" in page
    with translation.override("zh-hans"):
        rd, no_verdict = str(translation.gettext("R&D intensity")), translation.gettext("not checked")
        submitted_label = translation.gettext("Submitted")
    row = page[page.index(f'data-pk="{evil.pk}"'):]
    row = row[:row.index("</tr>")]
    assert rd.replace("&", "&amp;") in row and 'text-bg-danger' in row and "text-bg-primary" in row
    assert submitted_label in row
    assert f'href="{reverse("enterprises:office_nomination", args=[evil.pk])}"' in row
    other = page[page.index(f'data-pk="{unchecked.pk}"'):]
    assert no_verdict in other[:other.index("</tr>")]
