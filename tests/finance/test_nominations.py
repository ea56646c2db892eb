"""Finance-institution nominations: the bureau's and the office's pages, every transition and refusal."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from finance.models import FinanceNomination
from pojian.domain import workflow
from pojian.domain.pdf import minimal_pdf
from pojian.models import Cycle
from pojian.models import NominationState as S
from tests import factories as core
from tests.enterprises.factories import EnterpriseFactory

from .factories import FinanceNominationFactory, InstitutionFactory, InvestmentFactory

PDF = minimal_pdf("letter")
pytestmark = pytest.mark.django_db


@pytest.fixture
def nomination(cycle, bureau, institution):
    return FinanceNominationFactory(cycle=cycle, institution=institution, created_by=bureau)


def in_state(nomination, state):
    FinanceNomination.objects.filter(pk=nomination.pk).update(state=state)
    nomination.refresh_from_db()
    return nomination


def refused(response):
    """403 for a signed-in user; the login page for an anonymous visitor."""
    return response.status_code == 403 or (response.status_code == 302 and "/accounts/login/" in response["Location"])


# --- creating and editing -------------------------------------------------------------------


def test_bureau_creates_a_draft_for_its_region(client_for, cycle, bureau, institution, media):
    response = client_for(bureau).post(reverse("finance:nomination_create"), {
        "institution": institution.pk, "summary": "投资本地科技型中小企业3家", "recommendation": "推荐",
        "letter": SimpleUploadedFile("letter.pdf", PDF),
    })
    nomination = FinanceNomination.objects.get()
    assert response.status_code == 302 and response["Location"] == nomination.get_absolute_url()
    assert (nomination.state, nomination.region, nomination.created_by, nomination.cycle) == (S.DRAFT, bureau.region, bureau, cycle)
    assert nomination.letter.read().startswith(b"%PDF-")
    assert nomination.history.first().history_user == bureau


def test_create_refuses_an_institution_of_another_region(client_for, cycle, bureau, other_institution):
    response = client_for(bureau).post(reverse("finance:nomination_create"), {"institution": other_institution.pk, "summary": "x"})
    assert response.status_code == 200 and response.context["form"].errors["institution"]
    assert not FinanceNomination.objects.exists()


def test_create_refuses_a_letter_that_is_not_a_pdf_by_content(client_for, cycle, bureau, institution, media):
    response = client_for(bureau).post(reverse("finance:nomination_create"), {
        "institution": institution.pk, "summary": "x", "letter": SimpleUploadedFile("letter.pdf", b"MZ\x90\x00not a pdf"),
    })
    assert response.status_code == 200 and response.context["form"].errors["letter"]
    assert not FinanceNomination.objects.exists()


def test_create_refuses_a_second_live_nomination_of_the_same_institution(client_for, nomination, bureau, institution):
    response = client_for(bureau).post(reverse("finance:nomination_create"), {"institution": institution.pk, "summary": "x"})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert FinanceNomination.objects.count() == 1


@pytest.mark.parametrize("who", ["office", "expert", "partner", "other_partner", "anonymous"])
def test_create_page_refused_to_everyone_but_a_bureau(client_for, cycle, institution, who, request):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    for method in ("get", "post"):
        assert refused(getattr(client_for(user), method)(reverse("finance:nomination_create"), {"institution": institution.pk, "summary": "x"}))
    assert not FinanceNomination.objects.exists()


def test_edit_saves_and_bumps_the_version(client_for, nomination, bureau):
    url = reverse("finance:nomination_edit", args=[nomination.pk])
    assert client_for(bureau).get(url).status_code == 200
    response = client_for(bureau).post(url, {"institution": nomination.institution_id, "summary": "新的说明", "version": nomination.version})
    assert response.status_code == 302
    nomination.refresh_from_db()
    assert nomination.summary == "新的说明" and nomination.version == 2


def test_edit_with_a_stale_version_is_refused_not_saved_over(client_for, nomination, bureau):
    url = reverse("finance:nomination_edit", args=[nomination.pk])
    stale = nomination.version
    client_for(bureau).post(url, {"institution": nomination.institution_id, "summary": "甲", "version": stale})
    response = client_for(bureau).post(url, {"institution": nomination.institution_id, "summary": "乙", "version": stale})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    nomination.refresh_from_db()
    assert nomination.summary == "甲"


@pytest.mark.parametrize("state", [S.SUBMITTED, S.ACCEPTED, S.REJECTED, S.WITHDRAWN])
def test_edit_refused_once_submitted_or_decided(client_for, nomination, bureau, state):
    in_state(nomination, state)
    url = reverse("finance:nomination_edit", args=[nomination.pk])
    assert client_for(bureau).post(url, {"institution": nomination.institution_id, "summary": "改", "version": nomination.version}).status_code == 403
    nomination.refresh_from_db()
    assert nomination.summary != "改"


def test_edit_allowed_again_when_returned(client_for, nomination, bureau):
    in_state(nomination, S.RETURNED)
    url = reverse("finance:nomination_edit", args=[nomination.pk])
    assert client_for(bureau).post(url, {"institution": nomination.institution_id, "summary": "补充", "version": nomination.version}).status_code == 302


# --- refusals on every nomination view --------------------------------------------------------

VIEWS = [
    ("finance:nomination_detail", "get"),
    ("finance:nomination_edit", "get"),
    ("finance:nomination_edit", "post"),
    ("finance:nomination_letter", "get"),
    ("finance:nomination_transition", "post"),
]


@pytest.mark.parametrize("name,method", VIEWS)
@pytest.mark.parametrize("who", ["other_bureau", "expert", "partner", "other_partner", "anonymous"])
def test_nomination_views_refuse_other_city_expert_partners_and_anonymous(client_for, nomination, media, name, method, who, request):
    nomination.letter = SimpleUploadedFile("l.pdf", PDF)
    nomination.save()
    in_state(nomination, S.SUBMITTED)
    user = None if who == "anonymous" else request.getfixturevalue(who)
    response = getattr(client_for(user), method)(reverse(name, args=[nomination.pk]), {"action": "withdraw", "summary": "x"})
    assert refused(response)
    nomination.refresh_from_db()
    assert nomination.state == S.SUBMITTED and nomination.summary != "x"


@pytest.mark.parametrize("name", ["finance:nomination_list", "finance:nomination_export", "finance:nomination_bulk"])
@pytest.mark.parametrize("who", ["expert", "partner", "anonymous"])
def test_list_export_and_bulk_refuse_expert_partner_and_anonymous(client_for, nomination, name, who, request):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    method = "post" if name.endswith("bulk") else "get"
    assert refused(getattr(client_for(user), method)(reverse(name), {"ids": [nomination.pk], "action": "accept"}))


def test_detail_and_letter_open_for_the_region_bureau_and_the_office(client_for, nomination, bureau, office, media):
    nomination.letter = SimpleUploadedFile("l.pdf", PDF)
    nomination.save()
    for user in (bureau, office):
        assert client_for(user).get(reverse("finance:nomination_detail", args=[nomination.pk])).status_code == 200
        response = client_for(user).get(reverse("finance:nomination_letter", args=[nomination.pk]))
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


# --- transitions through the shared view --------------------------------------------------------

ALLOWED = [
    ("submit", S.DRAFT, "bureau", S.SUBMITTED),
    ("submit", S.RETURNED, "bureau", S.SUBMITTED),
    ("withdraw", S.DRAFT, "bureau", S.WITHDRAWN),
    ("withdraw", S.SUBMITTED, "bureau", S.WITHDRAWN),
    ("withdraw", S.RETURNED, "bureau", S.WITHDRAWN),
    ("return", S.SUBMITTED, "office", S.RETURNED),
    ("accept", S.SUBMITTED, "office", S.ACCEPTED),
    ("reject", S.SUBMITTED, "office", S.REJECTED),
    ("select", S.ACCEPTED, "office", S.SELECTED),
    ("not_select", S.ACCEPTED, "office", S.NOT_SELECTED),
]


@pytest.mark.parametrize("action,source,who,target", ALLOWED)
def test_transition_view_moves_the_state(client_for, nomination, bureau, office, action, source, who, target):
    user = bureau if who == "bureau" else office
    in_state(nomination, source)
    response = client_for(user).post(reverse("finance:nomination_transition", args=[nomination.pk]),
                                     {"action": action, "reason": "材料不全", "version": nomination.version})
    assert response.status_code == 302
    nomination.refresh_from_db()
    assert nomination.state == target
    assert nomination.history.first().history_user == user


@pytest.mark.parametrize("action,source,who,target", ALLOWED)
def test_transition_view_refuses_the_wrong_role(client_for, nomination, bureau, office, action, source, who, target):
    wrong = office if who == "bureau" else bureau
    in_state(nomination, source)
    client_for(wrong).post(reverse("finance:nomination_transition", args=[nomination.pk]), {"action": action, "reason": "x"})
    nomination.refresh_from_db()
    assert nomination.state == source


@pytest.mark.parametrize("action", sorted(workflow.TRANSITIONS))
def test_transition_refused_from_every_other_state(nomination, bureau, office, action):
    from django.core.exceptions import PermissionDenied

    from pojian.domain.errors import TransitionNotAllowed

    t = workflow.TRANSITIONS[action]
    for state in set(S.values) - set(t.sources):
        in_state(nomination, state)
        user = office if t.permission == "pojian.decide_nomination" else bureau
        with pytest.raises((TransitionNotAllowed, PermissionDenied)):
            workflow.transition(nomination, action, by=user, reason="x")
        nomination.refresh_from_db()
        assert nomination.state == state


def test_return_without_a_reason_is_refused(client_for, nomination, office):
    in_state(nomination, S.SUBMITTED)
    client_for(office).post(reverse("finance:nomination_transition", args=[nomination.pk]), {"action": "return", "reason": " "})
    nomination.refresh_from_db()
    assert nomination.state == S.SUBMITTED


def test_stale_transition_form_is_refused(client_for, nomination, bureau):
    client_for(bureau).post(reverse("finance:nomination_transition", args=[nomination.pk]),
                            {"action": "submit", "version": nomination.version + 1})
    nomination.refresh_from_db()
    assert nomination.state == S.DRAFT


def test_submit_refused_after_the_window_closes(client_for, nomination, bureau):
    Cycle.objects.filter(pk=nomination.cycle_id).update(nomination_closes=nomination.cycle.nomination_opens + datetime.timedelta(days=1))
    client_for(bureau).post(reverse("finance:nomination_transition", args=[nomination.pk]), {"action": "submit"})
    nomination.refresh_from_db()
    assert nomination.state == S.DRAFT


def test_detail_shows_only_the_actions_the_user_may_take(client_for, nomination, bureau, office):
    in_state(nomination, S.SUBMITTED)
    url = reverse("finance:nomination_detail", args=[nomination.pk])
    office_page = client_for(office).get(url).content.decode()
    bureau_page = client_for(bureau).get(url).content.decode()
    assert 'data-testid="action-accept"' in office_page and 'data-testid="action-withdraw"' not in office_page
    assert 'data-testid="action-withdraw"' in bureau_page and 'data-testid="action-accept"' not in bureau_page


# --- the computed list of investments ----------------------------------------------------------


def test_detail_lists_the_institutions_investments_in_the_regions_enterprises(client_for, nomination, bureau):
    year = nomination.cycle.year
    local = EnterpriseFactory(name="长春本地企业")
    elsewhere = EnterpriseFactory(name="吉林外地企业", region=core.region("220200"))
    counted = InvestmentFactory(institution=nomination.institution, enterprise=local, date=datetime.date(year - 1, 5, 1),
                                amount=Decimal("3000000.00"))
    InvestmentFactory(institution=nomination.institution, enterprise=elsewhere, date=datetime.date(year - 1, 5, 1))
    InvestmentFactory(institution=nomination.institution, enterprise=local, date=datetime.date(year - 3, 5, 1))
    InvestmentFactory(enterprise=local, date=datetime.date(year - 1, 6, 1))  # another institution
    response = client_for(bureau).get(reverse("finance:nomination_detail", args=[nomination.pk]))
    assert list(response.context["investments"]) == [counted]
    assert response.context["totals"]["total"] == Decimal("3000000.00")


# --- the lists, bulk decisions and export --------------------------------------------------------


def test_bureau_list_shows_only_its_region(client_for, cycle, bureau, institution, other_institution):
    mine = FinanceNominationFactory(cycle=cycle, institution=institution)
    FinanceNominationFactory(cycle=cycle, institution=other_institution)
    response = client_for(bureau).get(reverse("finance:nomination_list"))
    assert [row.record for row in response.context["table"].rows] == [mine]


def test_office_list_shows_all_and_filters_by_state(client_for, cycle, office, institution, other_institution):
    a = FinanceNominationFactory(cycle=cycle, institution=institution, state=S.SUBMITTED)
    b = FinanceNominationFactory(cycle=cycle, institution=other_institution)
    response = client_for(office).get(reverse("finance:nomination_list"))
    assert {row.record for row in response.context["table"].rows} == {a, b}
    response = client_for(office).get(reverse("finance:nomination_list"), {"state": "submitted"})
    assert [row.record for row in response.context["table"].rows] == [a]


def test_office_bulk_accepts_and_returns_with_one_reason(client_for, cycle, office, institution, other_institution):
    a = FinanceNominationFactory(cycle=cycle, institution=institution, state=S.SUBMITTED)
    b = FinanceNominationFactory(cycle=cycle, institution=other_institution, state=S.SUBMITTED)
    url = reverse("finance:nomination_bulk")
    client_for(office).post(url, {"ids": [a.pk, b.pk], "action": "return", "reason": ""})
    assert set(FinanceNomination.objects.values_list("state", flat=True)) == {S.SUBMITTED}
    client_for(office).post(url, {"ids": [a.pk, b.pk], "action": "return", "reason": "请补充盖章推荐函"})
    assert set(FinanceNomination.objects.values_list("state", "state_reason")) == {(S.RETURNED, "请补充盖章推荐函")}


def test_office_bulk_accepts_and_rejects(client_for, cycle, office, institution, other_institution):
    a = FinanceNominationFactory(cycle=cycle, institution=institution, state=S.SUBMITTED)
    b = FinanceNominationFactory(cycle=cycle, institution=other_institution, state=S.SUBMITTED)
    draft = FinanceNominationFactory(cycle=cycle, state=S.DRAFT)
    url = reverse("finance:nomination_bulk")
    client_for(office).post(url, {"ids": [a.pk, draft.pk], "action": "accept"})
    client_for(office).post(url, {"ids": [b.pk], "action": "reject", "reason": ""})
    assert FinanceNomination.objects.get(pk=b.pk).state == S.SUBMITTED  # no reason, no rejection
    client_for(office).post(url, {"ids": [b.pk], "action": "reject", "reason": "投资不在本地区"})
    states = dict(FinanceNomination.objects.values_list("pk", "state"))
    assert states == {a.pk: S.ACCEPTED, b.pk: S.REJECTED, draft.pk: S.DRAFT}  # a draft cannot be accepted
    assert FinanceNomination.objects.get(pk=b.pk).state_reason == "投资不在本地区"


def test_bureau_may_not_bulk_decide(client_for, nomination, bureau):
    in_state(nomination, S.SUBMITTED)
    assert client_for(bureau).post(reverse("finance:nomination_bulk"), {"ids": [nomination.pk], "action": "accept"}).status_code == 403
    nomination.refresh_from_db()
    assert nomination.state == S.SUBMITTED


def test_export_neutralises_formulas_and_is_scoped_for_a_bureau(client_for, cycle, office, bureau, institution, other_institution):
    FinanceNominationFactory(cycle=cycle, institution=institution, summary='=HYPERLINK("http://evil","x")')
    FinanceNominationFactory(cycle=cycle, institution=other_institution)
    body = client_for(office).get(reverse("finance:nomination_export")).content
    ws = load_workbook(io.BytesIO(body)).active
    assert ws.max_row == 3
    cell = next(c for row in ws.iter_rows(min_row=2) for c in row if c.value == '=HYPERLINK("http://evil","x")')
    assert cell.data_type == "s" and cell.quotePrefix
    ws = load_workbook(io.BytesIO(client_for(bureau).get(reverse("finance:nomination_export")).content)).active
    assert ws.max_row == 2 and ws["C2"].value == institution.name


def test_admin_bulk_accept_uses_the_shared_workflow(client, cycle, institution, other_institution):
    admin = core.OfficeFactory(username="office-admin", is_staff=True, is_superuser=True)
    a = FinanceNominationFactory(cycle=cycle, institution=institution, state=S.SUBMITTED)
    b = FinanceNominationFactory(cycle=cycle, institution=other_institution, state=S.DRAFT)
    client.force_login(admin)
    client.post(reverse("admin:finance_financenomination_changelist"),
                {"action": "accept_selected", "_selected_action": [a.pk, b.pk]})
    assert dict(FinanceNomination.objects.values_list("pk", "state")) == {a.pk: S.ACCEPTED, b.pk: S.DRAFT}


def test_institution_pages_scoped_to_the_bureau_region(client_for, bureau, other_bureau, institution, other_institution):
    response = client_for(bureau).get(reverse("finance:institution_list"))
    assert list(response.context["object_list"]) == [institution]
    assert client_for(other_bureau).get(reverse("finance:institution_edit", args=[institution.pk])).status_code == 403
    response = client_for(bureau).post(reverse("finance:institution_create"), {
        "name": "新机构", "uscc": InstitutionFactory.build().uscc, "kind": "angel", "region": other_bureau.region_id,
    })
    assert response.status_code == 302
    from finance.models import FinanceInstitution

    assert FinanceInstitution.objects.get(name="新机构").region == bureau.region


@pytest.mark.parametrize("who", ["expert", "partner", "anonymous"])
def test_institution_pages_refused_to_expert_partner_anonymous(client_for, institution, who, request):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    for url in (reverse("finance:institution_list"), reverse("finance:institution_create"),
                reverse("finance:institution_edit", args=[institution.pk])):
        assert refused(client_for(user).get(url))


def test_institution_credit_code_is_validated(client_for, office):
    valid = InstitutionFactory.build().uscc
    wrong = valid[:17] + ("0" if valid[17] != "0" else "1")
    response = client_for(office).post(reverse("finance:institution_create"), {
        "name": "错误代码机构", "uscc": wrong, "kind": "vc", "region": core.region("220100").pk,
    })
    assert response.status_code == 200 and response.context["form"].errors["uscc"]


def test_an_office_superuser_gets_office_pages_but_not_the_bureaus_edit_form(client_for, nomination, media):
    admin = core.OfficeFactory(username="office-super", is_staff=True, is_superuser=True)
    assert client_for(admin).get(reverse("finance:nomination_detail", args=[nomination.pk])).status_code == 200
    url = reverse("finance:nomination_edit", args=[nomination.pk])
    assert client_for(admin).post(url, {"institution": nomination.institution_id, "summary": "改", "version": 1}).status_code == 403
    assert client_for(admin).get(reverse("finance:nomination_create")).status_code == 403
    nomination.refresh_from_db()
    assert nomination.summary != "改"
