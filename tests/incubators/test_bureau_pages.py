"""The bureau's pages: nominate (new or existing incubator), edit, submit, withdraw; letters checked by content."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from incubators.models import Incubator, IncubatorNomination, IncubatorYear
from pojian.models import Cycle
from pojian.models import NominationState as S

from .factories import (
    IncubatorFactory,
    IncubatorNominationFactory,
    complete_nomination,
    incubator_uscc,
    pdf_upload,
)

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    data = {
        "choose-existing": "",
        "incubator-name": "长春北湖科技园孵化器",
        "incubator-uscc": incubator_uscc(9001),
        "incubator-kind": "incubator",
        "incubator-level": "national",
        "incubator-level_year": "2016",
        "incubator-operator": "长春北湖科技开发有限公司",
        "incubator-address": "长春市北湖科技开发区盛北大街3333号",
        "incubator-contact_person": "王五",
        "incubator-contact_phone": "0431-85550000",
        "year-other_tenants": "12",
        "year-other_tenants_source": "torch",
        "year-other_graduated": "3",
        "year-other_graduated_source": "declared",
        "year-investment_raised": "2500000.50",
        "year-investment_raised_source": "audit",
        "year-mentors": "15",
        "year-mentors_source": "operator",
        "year-space_m2": "12000",
        "year-space_m2_source": "torch",
        "year-services": "创业辅导",
        "nomination-results": "累计孵化科技型中小企业40家",
        "nomination-recommendation": "推荐",
        "nomination-letter": pdf_upload(),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_bureau_nominates_a_new_incubator(client_for, bureau, cycle):
    response = client_for(bureau).post(reverse("incubators:nomination_create"), form_data())
    nomination = IncubatorNomination.objects.get()
    assert response.status_code == 302 and response["Location"] == nomination.get_absolute_url()
    assert nomination.state == S.DRAFT and nomination.region == bureau.region and nomination.created_by == bureau
    assert nomination.incubator.region == bureau.region and nomination.incubator.level == "national"
    assert nomination.letter.read().startswith(b"%PDF-")
    year = IncubatorYear.objects.get(incubator=nomination.incubator, year=cycle.year)
    assert year.other_tenants == 12 and year.other_tenants_source == "torch"
    assert str(year.investment_raised) == "2500000.50"
    assert nomination.history.first().history_user == bureau


def test_bureau_nominates_an_existing_incubator_of_its_region(client_for, bureau, cycle):
    incubator = IncubatorFactory(region=bureau.region)
    data = form_data(**{"choose-existing": str(incubator.pk), "incubator-name": "", "incubator-uscc": ""})
    response = client_for(bureau).post(reverse("incubators:nomination_create"), data)
    assert response.status_code == 302
    assert IncubatorNomination.objects.get().incubator == incubator
    assert Incubator.objects.count() == 1


def test_existing_incubator_of_another_region_cannot_be_chosen(client_for, bureau, other_bureau, cycle):
    foreign = IncubatorFactory(region=other_bureau.region)
    data = form_data(**{"choose-existing": str(foreign.pk)})
    response = client_for(bureau).post(reverse("incubators:nomination_create"), data)
    assert response.status_code == 200 and not IncubatorNomination.objects.exists()


def test_credit_code_checked_and_known_codes_explained(client_for, bureau, other_bureau, cycle):
    c = client_for(bureau)
    response = c.post(reverse("incubators:nomination_create"), form_data(**{"incubator-uscc": "91220101MA0000000X"}))
    assert response.status_code == 200 and "incubator-uscc" in response.content.decode()
    assert response.context["incubator_form"].errors["uscc"]
    IncubatorFactory(region=other_bureau.region, uscc=incubator_uscc(9001))
    response = c.post(reverse("incubators:nomination_create"), form_data())
    assert response.status_code == 200 and not IncubatorNomination.objects.exists()
    assert "吉林市" in " ".join(response.context["incubator_form"].errors["uscc"])


def test_letter_checked_by_content_not_name(client_for, bureau, cycle):
    fake = SimpleUploadedFile("推荐函.pdf", b"MZ\x90\x00 not a pdf at all", content_type="application/pdf")
    response = client_for(bureau).post(reverse("incubators:nomination_create"), form_data(**{"nomination-letter": fake}))
    assert response.status_code == 200 and not IncubatorNomination.objects.exists()
    assert response.context["nomination_form"].errors["letter"]
    renamed = SimpleUploadedFile("letter.txt", pdf_upload().read(), content_type="text/plain")
    response = client_for(bureau).post(reverse("incubators:nomination_create"), form_data(**{"nomination-letter": renamed}))
    assert response.status_code == 302 and IncubatorNomination.objects.get().letter


def test_second_live_nomination_of_the_same_incubator_refused(client_for, bureau, cycle):
    incubator = IncubatorFactory(region=bureau.region)
    IncubatorNominationFactory(incubator=incubator, cycle=cycle, created_by=bureau)
    data = form_data(**{"choose-existing": str(incubator.pk)})
    response = client_for(bureau).post(reverse("incubators:nomination_create"), data)
    assert response.status_code == 200 and IncubatorNomination.objects.count() == 1
    assert "已" in response.content.decode() or "already" in response.content.decode()


def test_withdrawn_nomination_can_be_made_again(client_for, bureau, cycle):
    incubator = IncubatorFactory(region=bureau.region)
    IncubatorNominationFactory(incubator=incubator, cycle=cycle, created_by=bureau, state=S.WITHDRAWN)
    response = client_for(bureau).post(
        reverse("incubators:nomination_create"), form_data(**{"choose-existing": str(incubator.pk)})
    )
    assert response.status_code == 302 and IncubatorNomination.objects.count() == 2


def test_create_refused_without_an_open_year(client_for, bureau, cycle):
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.CLOSED)
    response = client_for(bureau).post(reverse("incubators:nomination_create"), form_data())
    assert response.status_code == 302 and not IncubatorNomination.objects.exists()


def test_edit_saves_and_bumps_the_version(client_for, bureau, cycle):
    nomination = complete_nomination(cycle=cycle, created_by=bureau)
    c = client_for(bureau)
    page = c.get(reverse("incubators:nomination_edit", args=[nomination.pk]))
    assert page.status_code == 200
    data = form_data(**{
        "nomination-version": str(nomination.version), "nomination-results": "修改后的成效",
        "nomination-letter": None, "incubator-uscc": nomination.incubator.uscc, "incubator-name": "新名称孵化器",
        "year-mentors": "20",
    })
    response = c.post(reverse("incubators:nomination_edit", args=[nomination.pk]), data)
    assert response.status_code == 302
    nomination.refresh_from_db()
    assert nomination.results == "修改后的成效" and nomination.version == 2 and nomination.letter  # letter kept
    assert nomination.incubator.name == "新名称孵化器"
    assert IncubatorYear.objects.get(incubator=nomination.incubator, year=cycle.year).mentors == 20


def test_stale_edit_refused_and_nothing_overwritten(client_for, bureau, cycle):
    nomination = complete_nomination(cycle=cycle, created_by=bureau)
    loaded_version = nomination.version
    c = client_for(bureau)
    base = {"incubator-uscc": nomination.incubator.uscc, "incubator-name": nomination.incubator.name,
            "nomination-letter": None, "nomination-version": str(loaded_version)}
    first = c.post(reverse("incubators:nomination_edit", args=[nomination.pk]),
                   form_data(**base, **{"nomination-results": "甲的修改", "year-mentors": "30"}))
    assert first.status_code == 302
    second = c.post(reverse("incubators:nomination_edit", args=[nomination.pk]),
                    form_data(**base, **{"nomination-results": "乙的旧表单", "year-mentors": "1"}))
    assert second.status_code == 200
    assert second.context["nomination_form"].non_field_errors()
    nomination.refresh_from_db()
    assert nomination.results == "甲的修改" and nomination.version == loaded_version + 1
    assert IncubatorYear.objects.get(incubator=nomination.incubator, year=cycle.year).mentors == 30


def test_edit_refused_once_submitted(client_for, bureau, cycle):
    nomination = complete_nomination(cycle=cycle, created_by=bureau, state=S.SUBMITTED)
    c = client_for(bureau)
    assert c.get(reverse("incubators:nomination_edit", args=[nomination.pk])).status_code == 403
    data = form_data(**{"nomination-version": "1", "incubator-uscc": nomination.incubator.uscc})
    assert c.post(reverse("incubators:nomination_edit", args=[nomination.pk]), data).status_code == 403


def transition(client, nomination, action, reason=""):
    return client.post(reverse("incubators:nomination_transition", args=[nomination.pk]),
                       {"action": action, "reason": reason, "version": nomination.version})


def test_submit_and_withdraw_through_the_pages(client_for, bureau, cycle):
    nomination = complete_nomination(cycle=cycle, created_by=bureau)
    c = client_for(bureau)
    transition(c, nomination, "submit")
    nomination.refresh_from_db()
    assert nomination.state == S.SUBMITTED and nomination.submitted_at
    transition(c, nomination, "withdraw")
    nomination.refresh_from_db()
    assert nomination.state == S.WITHDRAWN


def test_resubmit_after_return(client_for, bureau, cycle):
    nomination = complete_nomination(cycle=cycle, created_by=bureau, state=S.RETURNED, state_reason="补材料")
    transition(client_for(bureau), nomination, "submit")
    nomination.refresh_from_db()
    assert nomination.state == S.SUBMITTED and nomination.state_reason == ""


def test_submit_refused_while_incomplete(client_for, bureau, cycle):
    nomination = IncubatorNominationFactory(cycle=cycle, created_by=bureau)  # no letter, no figures
    response = transition(client_for(bureau), nomination, "submit")
    nomination.refresh_from_db()
    assert nomination.state == S.DRAFT
    text = " ".join(str(m) for m in response.wsgi_request._messages)
    assert "PDF" in text


def test_stale_transition_refused(client_for, bureau, cycle):
    nomination = complete_nomination(cycle=cycle, created_by=bureau)
    c = client_for(bureau)
    c.post(reverse("incubators:nomination_transition", args=[nomination.pk]), {"action": "submit", "version": "99"})
    nomination.refresh_from_db()
    assert nomination.state == S.DRAFT


def test_bureau_list_shows_only_its_region_this_year(client_for, bureau, other_bureau, cycle):
    mine = complete_nomination(cycle=cycle, created_by=bureau)
    IncubatorNominationFactory(cycle=cycle, incubator=IncubatorFactory(region=other_bureau.region))
    # Shift the whole window back a year: replacing the year of each end separately breaks the
    # window's order whenever it spans New Year (December and January).
    a_year = timedelta(days=366)
    last_year = Cycle.objects.create(year=cycle.year - 1, nomination_opens=cycle.nomination_opens - a_year,
                                     nomination_closes=cycle.nomination_closes - a_year,
                                     status=Cycle.Status.CLOSED)
    IncubatorNominationFactory(cycle=last_year, incubator=mine.incubator)
    response = client_for(bureau).get(reverse("incubators:bureau_list"))
    assert list(response.context["nominations"]) == [mine]


def test_detail_shows_actions_figures_and_history(client_for, bureau, cycle):
    nomination = complete_nomination(cycle=cycle, created_by=bureau)
    response = client_for(bureau).get(nomination.get_absolute_url())
    assert response.status_code == 200
    assert [t.action for t in response.context["actions"]] == ["submit", "withdraw"]
    assert response.context["performance"].tenants_total == 10
    assert 'data-testid="history"' in response.content.decode()


def test_letter_served_only_to_those_who_may_see_it(client_for, bureau, other_bureau, office, expert, cycle):
    nomination = complete_nomination(cycle=cycle, created_by=bureau)
    url = reverse("incubators:nomination_letter", args=[nomination.pk])
    for user in (bureau, office):
        response = client_for(user).get(url)
        assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF-")
    for user in (other_bureau, expert):
        assert client_for(user).get(url).status_code == 403


def test_tenants_page_links_enterprises_of_the_region(client_for, bureau, other_bureau, cycle):
    from tests.enterprises.factories import EnterpriseFactory

    incubator = IncubatorFactory(region=bureau.region)
    mine = EnterpriseFactory(region=bureau.region)
    foreign = EnterpriseFactory(region=other_bureau.region)
    url = reverse("incubators:tenants", args=[incubator.pk])
    c = client_for(bureau)
    assert c.get(url).status_code == 200
    base = {"tenancies-TOTAL_FORMS": "1", "tenancies-INITIAL_FORMS": "0", "tenancies-MIN_NUM_FORMS": "0",
            "tenancies-MAX_NUM_FORMS": "1000"}
    response = c.post(url, {**base, "tenancies-0-enterprise": str(foreign.pk), "tenancies-0-entered": "2025-01-01"})
    assert response.status_code == 200 and not incubator.tenancies.exists()
    response = c.post(url, {**base, "tenancies-0-enterprise": str(mine.pk), "tenancies-0-entered": "2025-03-01",
                            "tenancies-0-graduated": "2024-01-01"})
    assert response.status_code == 200 and not incubator.tenancies.exists()  # graduated before entering
    response = c.post(url, {**base, "tenancies-0-enterprise": str(mine.pk), "tenancies-0-entered": "2025-03-01"})
    assert response.status_code == 302
    tenancy = incubator.tenancies.get()
    assert tenancy.enterprise == mine and tenancy.history.first().history_user == bureau
