"""Suggestions between demands and results, demands kept to their bureau, and contracts whose
payments never exceed their value."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from pojian.domain.errors import PermissionDenied, ValidationError
from techtransfer.domain import catalogue, contracts
from techtransfer.models import Demand
from tests.enterprises.factories import EnterpriseFactory

from .factories import DemandFactory, InstitutionFactory, ResultFactory, TechContractFactory, results_manager

pytestmark = pytest.mark.django_db


def test_a_demand_is_offered_the_most_similar_results_of_its_field_first():
    close = ResultFactory(title="玄武岩纤维连续拉丝工艺", summary="玄武岩纤维增强复合材料")
    far = ResultFactory(title="高分子膜材料", summary="分离膜")
    ResultFactory(title="玄武岩纤维检测仪器", field="electronics")  # another field
    ResultFactory(title="玄武岩纤维拉丝", state="draft")  # not published
    demand = DemandFactory(title="玄武岩纤维拉丝", description="需要玄武岩纤维连续拉丝工艺")
    assert [r.pk for r in catalogue.results_for_demand(demand)] == [close.pk, far.pk]
    result_side = catalogue.demands_for_result(close)
    assert result_side[0].pk == demand.pk


def test_a_bureau_enters_demands_for_its_own_enterprises_only(client_for, bureau, other_bureau, expert):
    mine = EnterpriseFactory(region=bureau.region)
    theirs = EnterpriseFactory(region=other_bureau.region)
    data = {"title": "耐低温电池", "field": "energy", "description": "零下30度可用", "visibility": "institutions"}
    refused = client_for(bureau).post(reverse("techtransfer:demand_create"), {**data, "enterprise": theirs.pk})
    assert refused.status_code == 200 and not Demand.objects.exists()
    ok = client_for(bureau).post(reverse("techtransfer:demand_create"), {**data, "enterprise": mine.pk})
    demand = Demand.objects.get()
    assert ok.status_code == 302 and demand.region == bureau.region
    assert client_for(other_bureau).get(reverse("techtransfer:demand", args=[demand.pk])).status_code == 403
    assert client_for(expert).get(reverse("techtransfer:demand", args=[demand.pk])).status_code == 403
    # Another city's bureau cannot pick this enterprise (a form error); an expert may not enter demands at all.
    foreign = client_for(other_bureau).post(reverse("techtransfer:demand_create"), {**data, "enterprise": mine.pk})
    assert foreign.status_code == 200 and "enterprise" in foreign.context["form"].errors
    assert client_for(expert).post(reverse("techtransfer:demand_create"), {**data, "enterprise": mine.pk}).status_code == 403
    assert Demand.objects.count() == 1
    assert client_for(None).get(reverse("techtransfer:demand", args=[demand.pk])).status_code == 302
    manager = results_manager(InstitutionFactory(), "inst-reader")
    assert client_for(manager).get(reverse("techtransfer:demand", args=[demand.pk])).status_code == 200
    assert [d.pk for d in client_for(other_bureau).get(reverse("techtransfer:demands")).context["object_list"]] == []


def test_a_contract_needs_a_well_formed_unique_registration_number(bureau):
    enterprise = EnterpriseFactory(region=bureau.region)
    institution = InstitutionFactory()
    fields = {"registered_on": datetime.date(2025, 6, 1), "kind": "transfer", "title": "专利转让",
              "enterprise": enterprise, "institution": institution, "contract_amount": Decimal("500000"),
              "tech_amount": Decimal("500000")}
    with pytest.raises(ValidationError):
        contracts.register_contract(by=bureau, registration_number="2025-2201-0001", **fields)
    contracts.register_contract(by=bureau, registration_number="20252201000001", **fields)
    with pytest.raises(ValidationError):
        contracts.register_contract(by=bureau, registration_number="20252201000001", **fields)
    with pytest.raises(ValidationError):  # the technology value cannot exceed the contract's
        contracts.register_contract(by=bureau, registration_number="20252201000002",
                                    **{**fields, "tech_amount": Decimal("600000")})


def test_another_city_may_not_record_a_contract_for_an_enterprise(other_bureau, expert):
    contract = TechContractFactory.build(enterprise=EnterpriseFactory(), institution=InstitutionFactory())
    for user in (other_bureau, expert):
        with pytest.raises(PermissionDenied):
            contracts.register_contract(by=user, **{f: getattr(contract, f) for f in (
                "registration_number", "registered_on", "kind", "title", "enterprise", "institution",
                "contract_amount", "tech_amount")})


def test_payments_never_add_up_to_more_than_the_contract(bureau, other_bureau):
    contract = TechContractFactory(enterprise=EnterpriseFactory(region=bureau.region))
    contracts.add_payment(contract, by=bureau, paid_on=datetime.date(2025, 7, 1), amount=Decimal("600000"),
                          invoice_number="No.001")
    with pytest.raises(ValidationError):
        contracts.add_payment(contract, by=bureau, paid_on=datetime.date(2025, 8, 1), amount=Decimal("400000.01"),
                              invoice_number="No.002")
    with pytest.raises(ValidationError):
        contracts.add_payment(contract, by=bureau, paid_on=datetime.date(2025, 8, 1), amount=Decimal("1"),
                              invoice_number="No.001")
    with pytest.raises(PermissionDenied):
        contracts.add_payment(contract, by=other_bureau, paid_on=datetime.date(2025, 8, 1), amount=Decimal("1"),
                              invoice_number="No.003")
    assert contracts.paid_total(contract) == Decimal("600000")
