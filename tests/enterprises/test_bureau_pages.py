"""The city bureau's enterprise pages: who may use them, the form, its validation, stale edits."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from enterprises.models import Enterprise, EnterpriseNomination, EnterpriseYear, IPItem, Registration
from pojian.domain.pdf import minimal_pdf
from pojian.models import Job, NominationState
from tests.enterprises import factories as ef

PDF_BYTES = minimal_pdf("letter")


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Uploaded letters and import files go to a temporary folder, not the project's media/."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


def letter(name="letter.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def nomination(cycle, bureau):
    enterprise = ef.eligible_enterprise(region=bureau.region, year=cycle.year)
    return ef.EnterpriseNominationFactory(enterprise=enterprise, cycle=cycle, created_by=bureau)


def pages(nomination):
    """Every bureau page with a GET, and the POST-only ones."""
    pk = nomination.pk
    return [
        ("get", reverse("enterprises:bureau_nominations")),
        ("get", reverse("enterprises:bureau_nomination_create")),
        ("get", reverse("enterprises:bureau_nomination", args=[pk])),
        ("get", reverse("enterprises:bureau_nomination_edit", args=[pk])),
        ("get", reverse("enterprises:nomination_pdf", args=[pk])),
        ("get", reverse("enterprises:nomination_letter", args=[pk])),
        ("get", reverse("enterprises:bureau_import")),
        ("get", reverse("enterprises:bureau_import_template")),
        ("post", reverse("enterprises:nomination_transition", args=[pk])),
    ]


def form_data(*, enterprise=None, uscc=None, name="长春光谷精密光电科技有限公司", version=None, **overrides):
    data = {
        "ent-name": name,
        "ent-uscc": uscc or ef.make_uscc(90001),
        "ent-address": "长春市高新区硅谷大街1234号",
        "ent-industry": "electronics",
        "ent-contact_person": "王明",
        "ent-contact_phone": "0431-85000000",
        "ent-founded_on": "2016-04-01",
        "nom-registration_number": "2026220101A0009999",
        "nom-revenue": "56000000.00",
        "nom-rd_expense": "4800000.00",
        "nom-total_assets": "90000000",
        "nom-employees": "120",
        "nom-tech_staff": "80",
        "nom-recommendation": "研发投入强度高,成果转化突出。",
    }
    if version is not None:
        data["nom-version"] = str(version)
    if enterprise is not None:
        data["enterprise"] = str(enterprise.pk)
    for prefix, rows in (("ip", overrides.pop("ip", [])), ("transfers", overrides.pop("transfers", [])),
                         ("products", overrides.pop("products", []))):
        initial = overrides.pop(f"{prefix}_initial", 0)
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
        data[f"{prefix}-INITIAL_FORMS"] = str(initial)
        data[f"{prefix}-MIN_NUM_FORMS"] = "0"
        data[f"{prefix}-MAX_NUM_FORMS"] = "1000"
        for i, row in enumerate(rows):
            for key, value in row.items():
                data[f"{prefix}-{i}-{key}"] = value
    data.update(overrides)
    return data


IP_ROW = {"kind": "invention", "number": "ZL202110000001.X", "title": "一种光谱检测装置", "granted_on": "2023-06-01",
          "high_value": "on", "high_value_reason": "战略性新兴产业发明专利"}


# --- who may use the pages ------------------------------------------------------------------------


@pytest.mark.django_db
def test_bureau_pages_refuse_other_city_bureau_expert_and_anonymous(nomination, other_bureau, expert, partner,
                                                                   client_for):
    EnterpriseNomination.objects.filter(pk=nomination.pk).update(letter="letters/enterprises/x.pdf")
    own_region_only = {reverse("enterprises:bureau_nomination", args=[nomination.pk]),
                       reverse("enterprises:bureau_nomination_edit", args=[nomination.pk]),
                       reverse("enterprises:nomination_pdf", args=[nomination.pk]),
                       reverse("enterprises:nomination_letter", args=[nomination.pk]),
                       reverse("enterprises:nomination_transition", args=[nomination.pk])}
    for user in (other_bureau, expert, partner, None):
        client = client_for(user)
        for method, url in pages(nomination):
            if user is other_bureau and url not in own_region_only:
                continue  # another city's bureau has its own list, form and import
            response = getattr(client, method)(url, {"action": "withdraw"} if method == "post" else None)
            if user is None:
                assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
            else:
                assert response.status_code == 403, (user, url, response.status_code)
    nomination.refresh_from_db()
    assert nomination.state == NominationState.DRAFT


@pytest.mark.django_db
def test_bureau_list_shows_only_its_region_with_state_and_verdict(nomination, cycle, bureau, other_bureau, client_for):
    from enterprises.domain.checks import check_nomination

    check_nomination(nomination)
    other = ef.EnterpriseNominationFactory(
        enterprise=ef.EnterpriseFactory(region=other_bureau.region, name="吉林化纤新材料有限公司"), cycle=cycle,
        created_by=other_bureau,
    )
    response = client_for(bureau).get(reverse("enterprises:bureau_nominations"))
    content = response.content.decode()
    assert response.status_code == 200
    assert nomination.enterprise.name in content and other.enterprise.name not in content
    assert 'data-testid="verdict"><i class="bi bi-check-circle"></i> 符合“四科”标准</span>' in content
    assert 'data-testid="state">草稿</span>' in content
    response = client_for(bureau).get(reverse("enterprises:bureau_nominations"), {"verdict": "failed"})
    assert nomination.enterprise.name not in response.content.decode()
    response = client_for(bureau).get(reverse("enterprises:bureau_nominations"), {"state": "submitted"})
    assert nomination.enterprise.name not in response.content.decode()
    response = client_for(bureau).get(reverse("enterprises:bureau_nominations"), {"state": "draft", "verdict": "eligible"})
    assert nomination.enterprise.name in response.content.decode()


@pytest.mark.django_db
def test_bureau_list_shows_failed_criteria(cycle, bureau, client_for):
    from enterprises.domain.checks import check_nomination

    enterprise = ef.eligible_enterprise(region=bureau.region, year=cycle.year, employees=600, tech_staff=400)
    nomination = ef.EnterpriseNominationFactory(enterprise=enterprise, cycle=cycle, created_by=bureau)
    check_nomination(nomination)
    response = client_for(bureau).get(reverse("enterprises:bureau_nominations"), {"verdict": "failed"})
    content = response.content.decode()
    assert enterprise.name in content
    assert 'badge text-bg-danger' in content


# --- the form -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_bureau_creates_nomination_of_new_enterprise_with_results(cycle, bureau, client_for, monkeypatch,
                                                                  django_capture_on_commit_callbacks):
    queued = []
    monkeypatch.setattr("enterprises.tasks.check_nomination_job.delay",
                        lambda job_id: queued.append(Job.objects.get(pk=job_id).params["nomination"]))
    data = form_data(ip=[IP_ROW], products=[{"name": "智能光谱仪", "key_technology": "高精度光谱识别", "evidence": "新产品鉴定"}],
                     transfers=[{"kind": "licence", "contract_no": "HT-1", "amount": "300000", "date": "2024-03-01"}])
    data["nom-letter"] = letter()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client_for(bureau).post(reverse("enterprises:bureau_nomination_create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    nomination = EnterpriseNomination.objects.get()
    assert nomination.state == NominationState.DRAFT and nomination.region == bureau.region
    enterprise = nomination.enterprise
    assert enterprise.region == bureau.region and enterprise.name == "长春光谷精密光电科技有限公司"
    figures = EnterpriseYear.objects.get(enterprise=enterprise, year=cycle.year - 1)  # the figures year
    assert figures.revenue == Decimal("56000000.00") and figures.tech_staff == 80
    assert Registration.objects.get(enterprise=enterprise, year=cycle.year).number == "2026220101A0009999"
    assert enterprise.ip_items.count() == 1 and enterprise.transfers.count() == 1 and enterprise.core_products.count() == 1
    assert nomination.letter.name.endswith(".pdf")
    # On commit: the 四科 check is queued, and the enterprise enters the cultivation pool.
    assert len(callbacks) == 2 and queued == [nomination.pk]
    assert nomination.history.first().history_user == bureau


@pytest.mark.django_db
def test_bureau_nominates_existing_enterprise_of_its_region(cycle, bureau, client_for):
    enterprise = ef.EnterpriseFactory(region=bureau.region, name="长春禹衡光学有限公司")
    page = client_for(bureau).get(reverse("enterprises:bureau_nomination_create"), {"enterprise": enterprise.pk})
    assert enterprise.uscc in page.content.decode()
    data = form_data(enterprise=enterprise, uscc=enterprise.uscc, name=enterprise.name)
    response = client_for(bureau).post(reverse("enterprises:bureau_nomination_create"), data)
    assert response.status_code == 302
    assert EnterpriseNomination.objects.get().enterprise == enterprise
    assert Enterprise.objects.count() == 1


@pytest.mark.django_db
def test_bureau_cannot_nominate_enterprise_of_another_region(cycle, bureau, other_bureau, client_for):
    foreign = ef.EnterpriseFactory(region=other_bureau.region)
    response = client_for(bureau).post(reverse("enterprises:bureau_nomination_create"),
                                       form_data(enterprise=foreign, uscc=foreign.uscc))
    assert response.status_code == 404
    # Typing the other region's code as a "new" enterprise is refused with the region named.
    response = client_for(bureau).post(reverse("enterprises:bureau_nomination_create"), form_data(uscc=foreign.uscc))
    assert response.status_code == 200
    assert "吉林市" in response.content.decode()
    assert not EnterpriseNomination.objects.exists()


@pytest.mark.django_db
def test_form_refuses_bad_uscc_in_chinese(cycle, bureau, client_for):
    response = client_for(bureau).post(reverse("enterprises:bureau_nomination_create"),
                                       form_data(uscc="91220101MA0Y2K8H1X"))
    assert response.status_code == 200
    assert "“91220101MA0Y2K8H1X”不是有效的统一社会信用代码" in response.content.decode()
    assert not Enterprise.objects.exists()


@pytest.mark.django_db
def test_form_refuses_letter_that_is_not_a_pdf(cycle, bureau, client_for):
    data = form_data()
    data["nom-letter"] = letter("letter.pdf", b"PK\x03\x04 this is a zip renamed to pdf")
    response = client_for(bureau).post(reverse("enterprises:bureau_nomination_create"), data)
    assert response.status_code == 200
    assert "推荐函必须是PDF文件（系统检查的是文件内容，而不是文件名）" in response.content.decode()
    assert not EnterpriseNomination.objects.exists()


@pytest.mark.django_db
def test_form_refuses_oversize_letter(cycle, bureau, client_for, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    data = form_data()
    data["nom-letter"] = letter(content=PDF_BYTES + b"0" * (2150 - len(PDF_BYTES)))  # 2.1 KB
    response = client_for(bureau).post(reverse("enterprises:bureau_nomination_create"), data)
    assert response.status_code == 200
    assert response.context["nomination_form"].errors["letter"] == ["推荐函大小为2.1\xa0KB，超过了上限1.0\xa0KB。"]
    assert "超过了上限" in response.content.decode()
    assert not EnterpriseNomination.objects.exists()


@pytest.mark.django_db
def test_form_refuses_more_tech_staff_than_employees_and_negative_figures(cycle, bureau, client_for):
    response = client_for(bureau).post(reverse("enterprises:bureau_nomination_create"),
                                       form_data(**{"nom-tech_staff": "200", "nom-revenue": "-5"}))
    assert response.status_code == 200
    content = response.content.decode()
    assert "科技人员数不能大于员工总数" in content
    assert "revenue" in response.context["nomination_form"].errors
    assert not EnterpriseNomination.objects.exists()


@pytest.mark.django_db
def test_form_requires_high_value_reason_and_certificate_for_high_tech(cycle, bureau, client_for):
    row = {**IP_ROW, "high_value_reason": ""}
    response = client_for(bureau).post(reverse("enterprises:bureau_nomination_create"),
                                       form_data(ip=[row], **{"ent-is_high_tech": "on"}))
    assert response.status_code == 200
    assert not EnterpriseNomination.objects.exists()
    form = response.context["enterprise_form"]
    assert "high_tech_cert_no" in form.errors and "high_tech_cert_expires" in form.errors
    ip_formset = response.context["formsets"][0][2]
    assert "high_value_reason" in ip_formset.forms[0].errors


@pytest.mark.django_db
def test_bureau_edits_draft_and_the_check_is_queued(nomination, bureau, client_for, django_capture_on_commit_callbacks):
    enterprise = nomination.enterprise
    ip = list(enterprise.ip_items.all())
    rows = [{"id": str(i.pk), "kind": i.kind, "number": i.number, "title": i.title, "granted_on": i.granted_on.isoformat(),
             "high_value": "on", "high_value_reason": i.high_value_reason} for i in ip]
    rows[0]["DELETE"] = "on"
    data = form_data(enterprise=None, uscc=enterprise.uscc, name=enterprise.name, version=nomination.version,
                     ip=rows, ip_initial=len(rows), **{"nom-revenue": "60000000"})
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_for(bureau).post(reverse("enterprises:bureau_nomination_edit", args=[nomination.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert len(callbacks) == 1  # the 四科 check, on commit
    nomination.refresh_from_db()
    assert nomination.version == 2
    assert EnterpriseYear.objects.get(enterprise=enterprise).revenue == Decimal("60000000")
    assert IPItem.objects.filter(enterprise=enterprise).count() == len(ip) - 1


@pytest.mark.django_db
def test_stale_edit_is_refused_and_nothing_overwritten(nomination, bureau, client_for):
    enterprise = nomination.enterprise
    url = reverse("enterprises:bureau_nomination_edit", args=[nomination.pk])
    first = form_data(uscc=enterprise.uscc, name="第一次保存的名称", version=1, **{"nom-revenue": "61000000"})
    second = form_data(uscc=enterprise.uscc, name="过期表单的名称", version=1, **{"nom-revenue": "99000000"})
    assert client_for(bureau).post(url, first).status_code == 302
    response = client_for(bureau).post(url, second)
    assert response.status_code == 200
    assert "在您编辑期间，其他人已保存了该推荐" in response.content.decode()
    enterprise.refresh_from_db()
    nomination.refresh_from_db()
    assert enterprise.name == "第一次保存的名称" and nomination.version == 2
    assert EnterpriseYear.objects.get(enterprise=enterprise).revenue == Decimal("61000000")


@pytest.mark.django_db
def test_edit_of_submitted_nomination_redirects_with_message(nomination, bureau, client_for):
    EnterpriseNomination.objects.filter(pk=nomination.pk).update(state=NominationState.SUBMITTED)
    url = reverse("enterprises:bureau_nomination_edit", args=[nomination.pk])
    response = client_for(bureau).post(url, form_data(uscc=nomination.enterprise.uscc, name="不应保存", version=1))
    assert response.status_code == 302 and response["Location"].endswith(
        reverse("enterprises:bureau_nomination", args=[nomination.pk]))
    nomination.enterprise.refresh_from_db()
    assert nomination.enterprise.name != "不应保存"


@pytest.mark.django_db
def test_edit_refused_when_year_closed(nomination, bureau, client_for, cycle):
    cycle.status = cycle.Status.CLOSED
    cycle.save()
    response = client_for(bureau).get(reverse("enterprises:bureau_nomination_edit", args=[nomination.pk]))
    assert response.status_code == 302


@pytest.mark.django_db
def test_detail_shows_return_reason_history_and_actions(nomination, bureau, office, client_for):
    from enterprises.domain import workflow

    EnterpriseNomination.objects.filter(pk=nomination.pk).update(letter="letters/enterprises/x.pdf")
    nomination.refresh_from_db()
    workflow.submit(nomination, by=bureau)
    workflow.return_for_changes(nomination, by=office, reason="请补充高价值知识产权证明材料")
    response = client_for(bureau).get(reverse("enterprises:bureau_nomination", args=[nomination.pk]))
    content = response.content.decode()
    assert "请补充高价值知识产权证明材料" in content
    assert 'data-testid="action-submit"' in content and 'data-testid="action-withdraw"' in content
    assert 'data-testid="action-accept"' not in content
    assert "已退回：请补充" in content and "return:" not in content  # the history, in words
    assert 'data-testid="edit"' in content


@pytest.mark.django_db
def test_office_may_see_the_bureau_detail_but_not_edit(nomination, office, client_for):
    assert client_for(office).get(reverse("enterprises:bureau_nomination", args=[nomination.pk])).status_code == 200
    assert client_for(office).get(reverse("enterprises:bureau_nomination_edit", args=[nomination.pk])).status_code == 302


@pytest.mark.django_db
def test_other_bureau_cannot_act_through_the_transition_url(nomination, other_bureau, client_for):
    EnterpriseNomination.objects.filter(pk=nomination.pk).update(letter="letters/enterprises/x.pdf")
    for action in ("submit", "withdraw"):
        response = client_for(other_bureau).post(reverse("enterprises:nomination_transition", args=[nomination.pk]),
                                                 {"action": action})
        assert response.status_code == 403
    nomination.refresh_from_db()
    assert nomination.state == NominationState.DRAFT


@pytest.mark.django_db
def test_other_bureau_cannot_edit_through_the_form(nomination, other_bureau, client_for):
    url = reverse("enterprises:bureau_nomination_edit", args=[nomination.pk])
    response = client_for(other_bureau).post(url, form_data(uscc=nomination.enterprise.uscc, name="篡改", version=1))
    assert response.status_code == 403
    nomination.enterprise.refresh_from_db()
    assert nomination.enterprise.name != "篡改"


@pytest.mark.django_db
def test_home_panel_and_menu_for_bureau(nomination, bureau, office, cycle, rf):
    from django.template.loader import render_to_string

    from enterprises import panels

    request = rf.get("/home/")
    request.user = bureau
    [panel] = panels.home_panels(request, cycle)
    html = render_to_string(panel["template"], {"panel": panel})
    assert 'data-testid="enterprise-bureau-panel"' in html
    for name in ("bureau_nominations", "bureau_nomination_create", "bureau_import"):
        assert reverse(f"enterprises:{name}") in html
    assert panels.nav_items(bureau) == [("企业推荐", reverse("enterprises:bureau_nominations")),
                                        ("培育库", reverse("enterprises:pool"))]
    request.user = office
    assert all("bureau" not in p["template"] for p in panels.home_panels(request, cycle))
    assert all("/bureau/" not in url for _label, url in panels.nav_items(office))


@pytest.mark.django_db
def test_bureau_panel_summary_is_one_query(nomination, bureau, cycle, django_assert_num_queries):
    from enterprises.panels import bureau_summary

    ef.EnterpriseNominationFactory(enterprise=ef.EnterpriseFactory(region=bureau.region), cycle=cycle,
                                   created_by=bureau, state=NominationState.SUBMITTED)
    with django_assert_num_queries(1):
        summary = bureau_summary(bureau.region_id, cycle)
    assert summary["total"] == 2 and summary["unchecked"] == 2
    assert {s["state"]: s["count"] for s in summary["states"]} == {"draft": 1, "submitted": 1}


@pytest.mark.django_db
def test_nominating_date_fields_keep_their_values(cycle, bureau, client_for):
    data = form_data(**{"ent-is_high_tech": "on", "ent-high_tech_cert_no": "GR2023220001",
                        "ent-high_tech_cert_expires": "2026-12-31"})
    assert client_for(bureau).post(reverse("enterprises:bureau_nomination_create"), data).status_code == 302
    enterprise = Enterprise.objects.get()
    assert enterprise.is_high_tech and enterprise.high_tech_cert_expires == datetime.date(2026, 12, 31)


@pytest.mark.django_db
def test_edit_without_new_letter_keeps_the_uploaded_one_and_a_new_one_replaces_it(cycle, bureau, client_for):
    data = form_data()
    data["nom-letter"] = letter("first.pdf")
    client_for(bureau).post(reverse("enterprises:bureau_nomination_create"), data)
    nomination = EnterpriseNomination.objects.get()
    first = nomination.letter.name
    url = reverse("enterprises:bureau_nomination_edit", args=[nomination.pk])
    edit = form_data(uscc=nomination.enterprise.uscc, version=1, **{"nom-recommendation": "补充说明"})
    assert client_for(bureau).post(url, edit).status_code == 302
    nomination.refresh_from_db()
    assert nomination.letter.name == first and nomination.recommendation == "补充说明"
    edit = form_data(uscc=nomination.enterprise.uscc, version=2)
    edit["nom-letter"] = letter("second.pdf")
    assert client_for(bureau).post(url, edit).status_code == 302
    nomination.refresh_from_db()
    assert nomination.letter.name != first and "second" not in nomination.letter.name  # a server-chosen name
    response = client_for(bureau).get(reverse("enterprises:nomination_letter", args=[nomination.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF-")
