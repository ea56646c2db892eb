"""Changing and cancelling a technology contract: the bureau of the enterprise's region or the office,
an optimistic lock and the history; a cancelled contract no longer counts in the 四科 verdict (the
Python check and the set-based SQL check) nor in the statistics; refusals for other cities, other
institutions, experts and anonymous visitors."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from enterprises.domain import checks
from enterprises.models import EnterpriseNomination, Verdict
from pojian.domain.concurrency import edit_token
from pojian.domain.errors import PermissionDenied, StaleEdit, ValidationError
from pojian.models import Notification
from reports.domain.matching import matching_figures
from techtransfer.domain import contract_changes, contracts, statistics
from techtransfer.models import TechContract
from tests.enterprises.factories import EnterpriseFactory, EnterpriseNominationFactory, eligible_enterprise

from .factories import InstitutionFactory, TechContractFactory, results_manager

pytestmark = pytest.mark.django_db


@pytest.fixture
def mine(bureau):
    return TechContractFactory(enterprise=EnterpriseFactory(region=bureau.region, name="本市企业"), title="本市合同")


def token(contract):
    return edit_token(TechContract, contract.pk)


def test_the_bureau_changes_amount_parties_and_type_with_history(bureau, mine):
    manager = results_manager(mine.institution, "inst-mine")
    other_institution = InstitutionFactory()
    changed = contract_changes.change_contract(
        mine, by=bureau, edit_token=token(mine), contract_amount=Decimal("1200000"), kind="transfer",
        institution=other_institution)
    mine.refresh_from_db()
    assert (mine.contract_amount, mine.kind, mine.institution) == (Decimal("1200000"), "transfer", other_institution)
    last = mine.history.first()
    assert last.history_user == bureau
    assert str(TechContract._meta.get_field("kind").verbose_name) in last.history_change_reason
    assert changed.pk == mine.pk
    # The bureau of the region is told (a notification), and the institution's side of the new contract.
    assert Notification.objects.filter(user=bureau, subject__contains=mine.registration_number).exists()
    assert not Notification.objects.filter(user=manager).exists()  # no longer its institution's contract


def test_a_change_from_an_old_state_is_refused(bureau, office, mine):
    seen = token(mine)
    contract_changes.change_contract(mine, by=office, edit_token=seen, title="办公室改的")
    with pytest.raises(StaleEdit):
        contract_changes.change_contract(mine, by=bureau, edit_token=seen, title="市局改的")
    mine.refresh_from_db()
    assert mine.title == "办公室改的"


def test_the_value_never_falls_below_what_was_paid(bureau, mine):
    contracts.add_payment(mine, by=bureau, paid_on=datetime.date(2025, 7, 1), amount=Decimal("600000"),
                          invoice_number="FP1")
    with pytest.raises(ValidationError):
        contract_changes.change_contract(mine, by=bureau, edit_token=token(mine), contract_amount=Decimal("500000"),
                                         tech_amount=Decimal("400000"))
    mine.refresh_from_db()
    assert mine.contract_amount == Decimal("1000000")


def test_a_bureau_may_not_move_a_contract_to_another_citys_enterprise(bureau, other_bureau, mine):
    foreign = EnterpriseFactory(region=other_bureau.region)
    with pytest.raises(PermissionDenied):
        contract_changes.change_contract(mine, by=bureau, edit_token=token(mine), enterprise=foreign)
    with pytest.raises(PermissionDenied):
        contract_changes.change_contract(mine, by=other_bureau, edit_token=token(mine), title="外市改的")
    with pytest.raises(PermissionDenied):
        contract_changes.cancel_contract(mine, by=other_bureau, reason="外市撤销")
    mine.refresh_from_db()
    assert mine.enterprise.region == bureau.region and mine.cancelled_at is None


def test_cancelling_needs_a_reason_and_freezes_the_contract(bureau, mine):
    with pytest.raises(ValidationError):
        contract_changes.cancel_contract(mine, by=bureau, reason="  ")
    contract_changes.cancel_contract(mine, by=bureau, reason="双方协议解除")
    mine.refresh_from_db()
    assert mine.is_cancelled and mine.cancelled_by == bureau and mine.cancel_reason == "双方协议解除"
    assert "双方协议解除" in mine.history.first().history_change_reason
    with pytest.raises(ValidationError):
        contract_changes.cancel_contract(mine, by=bureau, reason="再次")
    with pytest.raises(ValidationError):
        contract_changes.change_contract(mine, by=bureau, edit_token=token(mine), title="改")
    with pytest.raises(ValidationError):
        contracts.add_payment(mine, by=bureau, paid_on=datetime.date(2025, 7, 1), amount=Decimal("1"),
                              invoice_number="FP9")


def verdict_after_check(nomination, *, sql):
    checks.check_nominations(EnterpriseNomination.objects.filter(pk=nomination.pk), year=nomination.cycle.year,
                             bulk_copy=sql)
    return Verdict.objects.get(nomination=nomination)  # the set-based check writes a new row


@pytest.mark.parametrize("sql", [False, True], ids=["python-check", "sql-check"])
def test_a_cancelled_contract_no_longer_counts_in_the_sike_verdict(cycle, bureau, sql):
    year = cycle.year
    # 4 IP items + 1 typed transfer = 5: not more than 5 without the contract.
    enterprise = eligible_enterprise(year=year, region=bureau.region, transfers=1)
    nomination = EnterpriseNominationFactory(enterprise=enterprise, cycle=cycle)
    paid_on = datetime.date(year - 1, 10, 1)
    contract = TechContractFactory(enterprise=enterprise, registered_on=paid_on)
    contracts.add_payment(contract, by=bureau, paid_on=paid_on, amount=Decimal("1000"), invoice_number="FP1")
    verdict = verdict_after_check(nomination, sql=sql)
    assert verdict.figures["transfers"] == 2 and verdict.eligible is True
    contract_changes.cancel_contract(contract, by=bureau, reason="合同解除")
    verdict = verdict_after_check(nomination, sql=sql)
    assert verdict.figures["transfers"] == 1 and verdict.eligible is False
    _book, _ip, shown = checks.counted_results(nomination)
    [as_transfer] = [t for t in shown if getattr(t, "contract", None) is not None]
    assert as_transfer.counted is False and "合同解除" in as_transfer.not_counted_because


def test_a_cancelled_contract_leaves_the_statistics(bureau, mine, office):
    contracts.add_payment(mine, by=bureau, paid_on=datetime.date(2025, 7, 1), amount=Decimal("300000"),
                          invoice_number="FP1")
    other = TechContractFactory(enterprise=EnterpriseFactory(region=bureau.region), contract_amount=Decimal("500000"),
                                tech_amount=Decimal("100000"))
    before = matching_figures(year=2025)["total"]
    assert (before["contracts"], before["value"], before["paid"]) == (2, Decimal("1500000"), Decimal("300000"))
    assert statistics.statistics(year=2025)["region"]["total"]["contracts"] == 2
    contract_changes.cancel_contract(mine, by=office, reason="登记撤销")
    after = matching_figures(year=2025)["total"]
    assert (after["contracts"], after["value"], after["paid"]) == (1, Decimal("500000"), Decimal("0"))
    assert statistics.statistics(year=2025)["region"]["total"]["contracts"] == 1
    assert other.pk != mine.pk


# --- pages ---------------------------------------------------------------------------------------


def form_data(contract, **changes):
    data = {"registration_number": contract.registration_number, "registered_on": "2025-06-01", "kind": contract.kind,
            "title": contract.title, "enterprise": contract.enterprise_id, "enterprise_role": "buyer",
            "institution": contract.institution_id, "result": "", "contract_amount": "1000000",
            "tech_amount": "800000", "implementation": "", "edit_token": token(contract)}
    return {**data, **changes}


def test_the_change_page_goes_through_the_domain(client_for, bureau, mine):
    url = reverse("techtransfer:contract_edit", args=[mine.pk])
    response = client_for(bureau).post(url, form_data(mine, contract_amount="150万", kind="transfer"))
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.contract_amount == Decimal("1500000") and mine.kind == "transfer"
    assert mine.history.first().history_user == bureau


def test_the_cancel_page_and_its_refusals(client_for, bureau, other_bureau, expert, office, mine):
    url = reverse("techtransfer:contract_cancel", args=[mine.pk])
    own_manager = results_manager(mine.institution, "inst-own")
    other_manager = results_manager(InstitutionFactory(), "inst-other")
    for user in (other_bureau, expert, own_manager, other_manager):
        assert client_for(user).post(url, {"reason": "不该成功"}).status_code == 403, user
    anonymous = client_for(None).post(url, {"reason": "不该成功"})
    assert anonymous.status_code == 302 and "login" in anonymous.url
    mine.refresh_from_db()
    assert mine.cancelled_at is None
    page = client_for(bureau).get(reverse("techtransfer:contract", args=[mine.pk]))
    assert b'data-testid="cancel-form"' in page.content
    no_reason = client_for(bureau).post(url, {"reason": ""})
    mine.refresh_from_db()
    assert no_reason.status_code == 302 and mine.cancelled_at is None
    done = client_for(bureau).post(url, {"reason": "重复登记", "edit_token": token(mine)})
    mine.refresh_from_db()
    assert done.status_code == 302 and mine.cancel_reason == "重复登记"
    page = client_for(office).get(reverse("techtransfer:contract", args=[mine.pk]))
    assert b'data-testid="cancelled"' in page.content and b'data-testid="cancel-form"' not in page.content
    # Once cancelled, even its own bureau may not cancel it again.
    assert client_for(bureau).post(url, {"reason": "再次"}).status_code == 403
    # The list still shows it, marked, and leaves it out of the totals.
    listing = client_for(bureau).get(reverse("techtransfer:contracts"))
    assert listing.context["totals"]["n"] == 0 and [c.pk for c in listing.context["object_list"]] == [mine.pk]
