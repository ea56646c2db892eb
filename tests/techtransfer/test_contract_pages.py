"""The contract pages: a bureau sees and edits its region's contracts (optimistic lock), an institution
its own; filters and the export; payments; refusals for other cities, experts, anonymous visitors and
other institutions."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from techtransfer.models import TechContract
from tests.enterprises.factories import EnterpriseFactory

from .factories import InstitutionFactory, TechContractFactory, results_manager

pytestmark = pytest.mark.django_db


@pytest.fixture
def mine(bureau):
    return TechContractFactory(enterprise=EnterpriseFactory(region=bureau.region, name="本市企业"), title="本市合同")


@pytest.fixture
def theirs(other_bureau):
    return TechContractFactory(enterprise=EnterpriseFactory(region=other_bureau.region, name="外市企业"),
                               title="外市合同", registered_on=datetime.date(2024, 3, 1))


def listed(client, **params):
    return [c.pk for c in client.get(reverse("techtransfer:contracts"), params).context["object_list"]]


def test_each_sees_the_contracts_of_its_own(client_for, office, bureau, other_bureau, mine, theirs):
    assert listed(client_for(bureau)) == [mine.pk]
    assert listed(client_for(other_bureau)) == [theirs.pk]
    assert set(listed(client_for(office))) == {mine.pk, theirs.pk}
    manager = results_manager(mine.institution, "inst-a")
    assert listed(client_for(manager)) == [mine.pk]
    # Filters: text, year, type, institution, region.
    assert listed(client_for(office), q="外市") == [theirs.pk]
    assert listed(client_for(office), year="2024") == [theirs.pk]
    assert listed(client_for(office), region=str(bureau.region_id)) == [mine.pk]
    assert listed(client_for(office), institution=str(theirs.institution_id)) == [theirs.pk]
    assert listed(client_for(office), kind="transfer") == []
    assert listed(client_for(office), year="abc", region="x") != []  # nonsense filters are ignored, never a 500


def exported_numbers(client, **params):
    response = client.get(reverse("techtransfer:contracts"), {**params, "format": "xlsx"})
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content if response.streaming else [response.content]))).active
    return [row[0] for row in list(ws.iter_rows(values_only=True))[1:]]


def test_the_export_follows_the_filters(client_for, office, bureau, mine, theirs):
    office_client = client_for(office)
    for params, expected in (({"q": "外市"}, [theirs]), ({"year": "2024"}, [theirs]), ({"kind": "transfer"}, []),
                             ({"region": str(bureau.region_id)}, [mine]), ({"institution": str(mine.institution_id)}, [mine]),
                             ({}, [mine, theirs])):
        assert sorted(exported_numbers(office_client, **params)) == sorted(c.registration_number for c in expected), params
    # A bureau's export stays its own region's whatever it asks for.
    assert exported_numbers(client_for(bureau), region=str(theirs.enterprise.region_id)) == []


def test_filters_are_read_as_typed(client_for, office, mine, theirs):
    office_client = client_for(office)
    # The text: its first 100 characters, without the spaces around them.
    assert listed(office_client, q="  外市  ") == [theirs.pk]
    assert listed(office_client, q="外市" + " " * 98 + "不算") == [theirs.pk]  # cut first, then stripped
    page = office_client.get(reverse("techtransfer:contracts"), {"q": " 外市 ", "year": " 2024", "kind": "nonsense",
                                                                 "institution": "-1", "region": "1.0"})
    assert (page.context["q"], page.context["year"], page.context["kind"], page.context["institution"],
            page.context["region"]) == ("外市", "", "", "", "")
    assert [c.pk for c in page.context["object_list"]] == [theirs.pk]  # only the text applies
    # A year out of range or an id too long is ignored as nonsense.
    assert set(listed(office_client, year="1899")) == set(listed(office_client, institution="1" * 10)) == {mine.pk, theirs.pk}
    assert listed(office_client, year="2024", region=str(theirs.enterprise.region_id)) == [theirs.pk]


def test_refusals(client_for, bureau, other_bureau, expert, mine):
    other_institution = results_manager(InstitutionFactory(), "inst-other")
    for url in (reverse("techtransfer:contract", args=[mine.pk]), reverse("techtransfer:contract_edit", args=[mine.pk])):
        for user in (other_bureau, expert, other_institution):
            assert client_for(user).get(url).status_code == 403, (url, user)
        assert client_for(None).get(url).status_code == 302
    for user in (expert, other_institution):
        assert client_for(user).get(reverse("techtransfer:contract_create")).status_code == 403
    assert client_for(expert).get(reverse("techtransfer:contracts")).status_code == 403
    assert client_for(None).get(reverse("techtransfer:contracts")).status_code == 302
    # An institution reads its own contract but may neither edit it nor record payments.
    own = results_manager(mine.institution, "inst-own")
    assert client_for(own).get(reverse("techtransfer:contract", args=[mine.pk])).status_code == 200
    assert client_for(own).get(reverse("techtransfer:contract_edit", args=[mine.pk])).status_code == 403
    refused = client_for(own).post(reverse("techtransfer:contract", args=[mine.pk]),
                                   {"paid_on": "2025-07-01", "amount": "100", "invoice_number": "FP1"})
    assert refused.status_code == 403 and not mine.payments.exists()
    for user in (other_bureau, expert):
        assert client_for(user).get(reverse("techtransfer:contract_import")).status_code == 403
    assert client_for(bureau).get(reverse("techtransfer:contract_import")).status_code == 403


def form_data(contract, **changes):
    data = {"registration_number": contract.registration_number, "registered_on": "2025-06-01", "kind": contract.kind,
            "title": contract.title, "enterprise": contract.enterprise_id, "enterprise_role": "buyer",
            "institution": contract.institution_id, "result": "", "contract_amount": "1000000",
            "tech_amount": "800000", "implementation": ""}
    return {**data, **changes}


def test_a_bureau_enters_a_contract_for_its_enterprises_only(client_for, bureau, other_bureau):
    enterprise = EnterpriseFactory(region=bureau.region)
    template = TechContractFactory.build(enterprise=enterprise, institution=InstitutionFactory(),
                                         registration_number="20252201000099")
    foreign = client_for(other_bureau).post(reverse("techtransfer:contract_create"), form_data(template))
    assert foreign.status_code == 200 and "enterprise" in foreign.context["form"].errors
    bad = client_for(bureau).post(reverse("techtransfer:contract_create"),
                                  form_data(template, registration_number="2025-01", tech_amount="2,000,000"))
    assert set(bad.context["form"].errors) >= {"registration_number", "tech_amount"}
    ok = client_for(bureau).post(reverse("techtransfer:contract_create"), form_data(template, contract_amount="100万"))
    contract = TechContract.objects.get()
    assert ok.status_code == 302 and contract.contract_amount == Decimal("1000000") and contract.created_by == bureau
    again = client_for(bureau).post(reverse("techtransfer:contract_create"), form_data(template))
    assert again.status_code == 200 and TechContract.objects.count() == 1


def test_two_edits_from_the_same_state_the_second_is_refused(client_for, bureau, office, mine):
    url = reverse("techtransfer:contract_edit", args=[mine.pk])
    token = client_for(bureau).get(url).context["form"]["edit_token"].value()
    first = client_for(office).post(url, form_data(mine, title="办公室改的", edit_token=token))
    assert first.status_code == 302
    second = client_for(bureau).post(url, form_data(mine, title="市局改的", edit_token=token))
    assert second.status_code == 200 and second.context["form"].non_field_errors()
    mine.refresh_from_db()
    assert mine.title == "办公室改的"


def test_payments_and_the_export(client_for, bureau, mine, theirs):
    url = reverse("techtransfer:contract", args=[mine.pk])
    ok = client_for(bureau).post(url, {"paid_on": "2025-07-01", "amount": "30万", "invoice_number": "FP001"})
    assert ok.status_code == 302 and mine.payments.get().amount == Decimal("300000")
    too_much = client_for(bureau).post(url, {"paid_on": "2025-08-01", "amount": "900000", "invoice_number": "FP002"})
    assert too_much.status_code == 200 and mine.payments.count() == 1
    response = client_for(bureau).get(reverse("techtransfer:contracts"), {"format": "xlsx"})
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content if response.streaming else [response.content]))).active
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == mine.registration_number and rows[1][10] == 300000
    assert rows[0][-2:] == ("撤销日期", "撤销原因") and rows[1][-2:] == (None, None)
    from techtransfer.domain.contract_changes import cancel_contract

    cancel_contract(mine, by=bureau, reason="双方协商解除")
    response = client_for(bureau).get(reverse("techtransfer:contracts"), {"format": "xlsx"})
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content if response.streaming else [response.content]))).active
    [_header, row] = list(ws.iter_rows(values_only=True))
    assert row[-1] == "双方协商解除" and row[-2] is not None  # a cancelled contract says so in the export
