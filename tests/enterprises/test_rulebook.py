"""The 四科 rulebook as per-year data: defaults, a new year's copy, the office's page and its
versions, verdicts that keep the rules they were judged by, transfers counted once."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from enterprises.domain import checks
from enterprises.domain import rulebook as rulebooks
from enterprises.domain.eligibility import Rules, evaluate
from enterprises.forms import TransferFormSet
from enterprises.models import Rulebook, Transfer, Verdict
from pojian.models import Job, NominationState
from tests.enterprises.factories import (
    EnterpriseNominationFactory,
    IPItemFactory,
    RegistrationFactory,
    TransferFactory,
    eligible_enterprise,
)

YEAR = 2026
GOOD = {
    "year": YEAR, "revenue": Decimal("50000000"), "employees": 100, "tech_staff": 70, "has_core_tech_product": True,
    "high_value_ip": 4, "transfers": 2, "rd_expense": Decimal("5000000"), "registered_year": YEAR,
}


def check(rules=None, **changes):
    return evaluate(**{**GOOD, **changes}, rulebook=rules)


def nominate(enterprise, cycle):
    return EnterpriseNominationFactory(enterprise=enterprise, cycle=cycle, state=NominationState.SUBMITTED)


# --- evaluate with a rulebook -----------------------------------------------------------------------


def test_evaluate_with_the_default_rules_gives_the_documents_results():
    for changes in ({}, {"tech_staff": 60}, {"revenue": Decimal("200000000.01")}, {"high_value_ip": 3}):
        with_rules = check(Rules(), **changes)
        without = check(**changes)
        assert with_rules.failed == without.failed
        assert with_rules.explanation() == without.explanation()


@pytest.mark.parametrize(
    ("op", "results", "passed"),
    [("gt", 5, False), ("gt", 6, True), ("ge", 5, True), ("ge", 4, False), ("lt", 5, False), ("lt", 4, True),
     ("le", 5, True), ("le", 6, False)],
)
def test_evaluate_results_follow_the_rulebooks_comparison(op, results, passed):
    result = check(Rules(results_op=op), high_value_ip=results, transfers=0)
    assert result["ip_and_transfers"].passed is passed
    if op != "gt":
        assert result["ip_and_transfers"].op == op  # kept in the explanation when it differs from the document's


def test_evaluate_percent_threshold_with_decimals_is_exact():
    rules = Rules(tech_staff_percent=Decimal("70.5"))
    assert not check(rules, employees=200, tech_staff=141)["tech_staff_ratio"].passed  # exactly 70.5 %
    assert check(rules, employees=200, tech_staff=142)["tech_staff_ratio"].passed
    assert check(rules, employees=200, tech_staff=142)["tech_staff_ratio"].threshold == "70.5"
    assert check(Rules(tech_staff_percent=Decimal("70.5"), tech_staff_op="ge"), employees=200,
                 tech_staff=141)["tech_staff_ratio"].passed


def test_evaluate_revenue_strictly_below_when_the_rulebook_says_so():
    rules = Rules(revenue_op="lt")
    assert not check(rules, revenue=Decimal("200000000"), rd_expense=Decimal("20000000"))["revenue"].passed
    assert check(rules, revenue=Decimal("199999999.99"), rd_expense=Decimal("20000000"))["revenue"].passed


def test_evaluate_more_st_staff_than_the_headcount_fails_with_figures_disagree():
    # 80 declared S&T staff over a tax headcount of 50: never "160.00 %" that passes.
    result = check(employees=50, tech_staff=80)
    criterion = result["tech_staff_ratio"]
    assert not criterion.passed and criterion.note == "figures_disagree" and criterion.value is None
    assert result.failed == ["tech_staff_ratio"]
    assert check(employees=50, tech_staff=50)["tech_staff_ratio"].passed  # 100 %: the figures agree


def test_evaluate_previous_years_registration_until_the_cut_off():
    rules = Rules(previous_registration_until=datetime.date(YEAR, 6, 30))
    on_cut_off = check(rules, registered_year=YEAR - 1, on=datetime.date(YEAR, 6, 30))
    assert on_cut_off["registered"].passed and on_cut_off["registered"].threshold == f"{YEAR - 1},{YEAR}"
    assert not check(rules, registered_year=YEAR - 1, on=datetime.date(YEAR, 7, 1))["registered"].passed
    assert not check(registered_year=YEAR - 1, on=datetime.date(YEAR, 6, 1))["registered"].passed  # default: none
    assert not check(rules, registered_year=YEAR - 2, on=datetime.date(YEAR, 1, 1))["registered"].passed


# --- the rulebook of a year ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_rulebook_for_a_first_year_has_the_documents_defaults():
    book = rulebooks.rulebook_for(YEAR)
    assert (book.version, book.figures_year, book.revenue_max, book.revenue_op) == (1, YEAR - 1, Decimal("200000000"), "le")
    assert book.high_value_kinds == ["invention"] and book.transfers_need_contract and not book.lapsed_counts
    assert rulebooks.rulebook_for(YEAR).pk == book.pk  # made once


@pytest.mark.django_db
def test_new_year_copies_last_years_latest_version_with_its_dates_moved():
    first = rulebooks.rulebook_for(YEAR)
    Rulebook.objects.filter(pk=first.pk).update(results_min=7, previous_registration_until=datetime.date(2024, 2, 29),
                                                high_value_kinds=["invention", "utility"])
    Rulebook.objects.create(year=YEAR, version=2, figures_year=YEAR - 1, results_min=8, high_value_kinds=["invention", "plant"],
                            previous_registration_until=datetime.date(YEAR, 2, 28), reason="改")
    nxt = rulebooks.rulebook_for(YEAR + 1)
    assert nxt.version == 1 and nxt.results_min == 8 and nxt.high_value_kinds == ["invention", "plant"]
    assert nxt.figures_year == YEAR and nxt.previous_registration_until == datetime.date(YEAR + 1, 2, 28)


@pytest.mark.django_db
def test_update_before_the_first_check_edits_in_place(office):
    book = rulebooks.rulebook_for(YEAR)
    saved, job = rulebooks.update_rulebook(rulebook=book, values={"results_min": 6}, by=office)
    assert saved.pk == book.pk and saved.version == 1 and job is None
    assert Rulebook.objects.get(pk=book.pk).results_min == 6
    assert book.history.first().history_user == office


@pytest.mark.django_db
def test_update_after_the_first_check_needs_a_reason_makes_a_version_and_reruns(cycle, office,
                                                                               django_capture_on_commit_callbacks):
    n = nominate(eligible_enterprise(year=cycle.year, ip=4, transfers=2), cycle)  # 6 results: passes "> 5"
    old = checks.check_nomination(n)
    book = old.rulebook
    assert old.eligible and old.rules["version"] == 1 and old.rules["results_min"] == 5
    with pytest.raises(ValidationError):
        rulebooks.update_rulebook(rulebook=book, values={"results_min": 6}, by=office)
    assert Rulebook.objects.filter(year=cycle.year).count() == 1
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        new, job = rulebooks.update_rulebook(rulebook=book, values={"results_min": 6}, reason="省厅2026年度通知", by=office)
    assert (new.version, new.results_min, new.reason, new.created_by) == (2, 6, "省厅2026年度通知", office)
    assert Rulebook.objects.get(pk=book.pk).results_min == 5  # the old version is kept as it was
    assert job.kind == "enterprises.check_year" and job.params["year"] == cycle.year and len(callbacks) == 1
    # The stored verdict keeps the values it was judged by until the re-run, which judges by version 2.
    assert Verdict.objects.get(pk=old.pk).rules["results_min"] == 5
    checks.check_year(year=cycle.year)
    verdict = Verdict.objects.get(nomination=n)
    assert verdict.rulebook_id == new.pk and verdict.rules["version"] == 2
    assert verdict.failed == ["ip_and_transfers"]  # 6 is not more than 6
    # A stale form (the old version) is refused.
    with pytest.raises(ValidationError):
        rulebooks.update_rulebook(rulebook=book, values={"results_min": 4}, reason="x", by=office)


@pytest.mark.django_db
def test_update_without_a_change_does_nothing(cycle, office):
    n = nominate(eligible_enterprise(year=cycle.year), cycle)
    book = checks.check_nomination(n).rulebook
    same, job = rulebooks.update_rulebook(rulebook=book, values={"results_min": 5, "high_value_kinds": ["invention"]},
                                          by=office)
    assert same.pk == book.pk and job is None and not Job.objects.exists()


# --- what counts ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_ticked_ip_kinds_and_lapsed_items_count_only_as_the_rulebook_says(cycle, office):
    e = eligible_enterprise(year=cycle.year, ip=3, transfers=2)  # 5: not more than 5
    IPItemFactory(enterprise=e, kind="utility")
    IPItemFactory(enterprise=e, lapsed_on=datetime.date(cycle.year - 1, 1, 1))
    n = nominate(e, cycle)
    assert checks.check_nomination(n).figures["high_value_ip"] == 3
    book = rulebooks.rulebook_for(cycle.year)
    rulebooks.update_rulebook(rulebook=book, values={"high_value_kinds": ["invention", "utility"]}, reason="r", by=office)
    verdict = checks.check_nomination(n)
    assert verdict.figures["high_value_ip"] == 4 and verdict.eligible
    rulebooks.update_rulebook(rulebook=rulebooks.current(cycle.year), values={"lapsed_counts": True}, reason="r", by=office)
    assert checks.check_nomination(n).figures["high_value_ip"] == 5


@pytest.mark.django_db
def test_transfers_without_contract_or_amount_count_only_when_the_rulebook_allows(cycle, office):
    e = eligible_enterprise(year=cycle.year, ip=4, transfers=1)  # 5
    TransferFactory(enterprise=e, contract_no="")
    TransferFactory(enterprise=e, amount=None)
    n = nominate(e, cycle)
    assert checks.check_nomination(n).failed == ["ip_and_transfers"]
    rulebooks.update_rulebook(rulebook=rulebooks.rulebook_for(cycle.year), values={"transfers_need_contract": False},
                              reason="r", by=office)
    assert checks.check_nomination(n).figures["transfers"] == 3


@pytest.mark.django_db
def test_one_contract_counts_once_the_database_refuses_a_second_row():
    t = TransferFactory(contract_no="JS2025-001")
    with pytest.raises(IntegrityError), transaction.atomic():
        TransferFactory(enterprise=t.enterprise, contract_no="JS2025-001")
    TransferFactory(enterprise=t.enterprise, contract_no="")  # blank numbers may repeat; they never count
    TransferFactory(enterprise=t.enterprise, contract_no="")
    TransferFactory(contract_no="JS2025-001")  # another enterprise's contract
    assert Transfer.objects.filter(contract_no="JS2025-001").count() == 2


@pytest.mark.django_db
def test_transfer_formset_refuses_one_contract_twice_with_a_message():
    t = TransferFactory(contract_no="JS2025-001")
    data = {"transfers-TOTAL_FORMS": "2", "transfers-INITIAL_FORMS": "0"}
    for i, number in enumerate(["JS2025-002", "JS2025-002"]):
        data.update({f"transfers-{i}-kind": "licence", f"transfers-{i}-contract_no": number,
                     f"transfers-{i}-amount": "1000", f"transfers-{i}-date": "2025-03-01"})
    formset = TransferFormSet(data, instance=t.enterprise, prefix="transfers")
    assert not formset.is_valid()
    assert "each contract counts once" in str(formset.forms[1].errors["contract_no"]) or "每份合同" in str(
        formset.forms[1].errors["contract_no"])
    data["transfers-1-contract_no"] = "JS2025-001"  # the one already stored
    formset = TransferFormSet(data, instance=t.enterprise, prefix="transfers")
    assert not formset.is_valid() and formset.forms[1].errors["contract_no"]
    assert Transfer.objects.count() == 1


@pytest.mark.django_db
def test_nomination_page_says_which_results_counted_and_why_not(cycle, client_for, office):
    e = eligible_enterprise(year=cycle.year)
    utility = IPItemFactory(enterprise=e, kind="utility")
    blank = TransferFactory(enterprise=e, contract_no="")
    counted = e.transfers.exclude(pk=blank.pk).first()
    n = nominate(e, cycle)
    checks.check_nomination(n)
    page = client_for(office).get(reverse("enterprises:office_nomination", args=[n.pk])).content.decode()
    assert f'data-testid="ip-{utility.pk}" data-counted="0"' in page
    assert f'data-testid="transfer-{blank.pk}" data-counted="0"' in page
    assert f'data-testid="transfer-{counted.pk}" data-counted="1"' in page
    assert "本年度不计为高价值知识产权的类型" in page and "无合同编号" in page
    assert 'data-testid="verdict-rules"' in page and f"{cycle.year}年度规则第1版" in page
    assert f"{cycle.year - 1}年度财务数据（{cycle.year}年度推荐）" in page


@pytest.mark.django_db
def test_bureau_page_and_nomination_form_say_which_results_counted(cycle, client_for, bureau):
    """The bureau and the 推荐表 see the same judgement as the office: what counted, what did not, and why."""
    from enterprises.domain.nominations import render_nomination_form
    from tests import pdfcheck

    e = eligible_enterprise(year=cycle.year, region=bureau.region)
    lapsed = IPItemFactory(enterprise=e, kind="invention", lapsed_on=datetime.date(cycle.year, 3, 1))
    blank = TransferFactory(enterprise=e, contract_no="")
    counted = e.transfers.exclude(pk=blank.pk).first()
    n = EnterpriseNominationFactory(enterprise=e, cycle=cycle, created_by=bureau, state=NominationState.SUBMITTED)
    checks.check_nomination(n)
    page = client_for(bureau).get(reverse("enterprises:bureau_nomination", args=[n.pk])).content.decode()
    assert f'data-testid="ip-{lapsed.pk}" data-counted="0"' in page
    assert f'data-testid="transfer-{blank.pk}" data-counted="0"' in page
    assert f'data-testid="transfer-{counted.pk}" data-counted="1"' in page
    assert "无合同编号" in page and "失效" in page
    text = pdfcheck.text(render_nomination_form(n))
    assert "不计入" in text and "无合同编号" in text


# --- the office's page ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_rulebook_page_shows_and_edits_in_place_before_the_first_check(cycle, client_for, office):
    client = client_for(office)
    page = client.get(reverse("enterprises:office_rulebook"))
    assert page.status_code == 200 and 'data-testid="not-judged"' in page.content.decode()
    form = page.context["form"]
    data = {name: form[name].value() for name in Rulebook.VALUES if form[name].value() is not None}
    data.update(results_min="4", high_value_kinds=["invention", "software"], transfers_need_contract="on",
                previous_registration_until="")
    data.pop("lapsed_counts", None)
    response = client.post(reverse("enterprises:office_rulebook"), data)
    assert response.status_code == 302, response.context["form"].errors if response.context else None
    book = rulebooks.current(cycle.year)
    assert (book.version, book.results_min, sorted(book.high_value_kinds)) == (1, 4, ["invention", "software"])


@pytest.mark.django_db
def test_rulebook_page_after_the_check_requires_a_reason_and_starts_the_rerun(cycle, client_for, office,
                                                                             django_capture_on_commit_callbacks):
    checks.check_nomination(nominate(eligible_enterprise(year=cycle.year), cycle))
    client = client_for(office)
    page = client.get(reverse("enterprises:office_rulebook"))
    assert 'data-testid="judged"' in page.content.decode()
    form = page.context["form"]
    data = {name: form[name].value() for name in Rulebook.VALUES if form[name].value() is not None}
    data.update(rd_percent="7", high_value_kinds=["invention"], transfers_need_contract="on",
                previous_registration_until="")
    data.pop("lapsed_counts", None)
    refused = client.post(reverse("enterprises:office_rulebook"), data)
    assert refused.status_code == 200 and refused.context["form"].errors["reason"]
    assert Rulebook.objects.filter(year=cycle.year).count() == 1
    data["reason"] = "按省厅通知调整研发投入强度"
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("enterprises:office_rulebook"), data)
    job = Job.objects.get(kind="enterprises.check_year")
    assert response.status_code == 302 and response["Location"] == reverse("job", args=[job.pk])
    assert rulebooks.current(cycle.year).version == 2 and rulebooks.current(cycle.year).rd_percent == Decimal("7")


@pytest.mark.django_db
def test_rulebook_page_refuses_a_figures_year_after_the_programme_year(cycle, client_for, office):
    client = client_for(office)
    form = client.get(reverse("enterprises:office_rulebook")).context["form"]
    data = {name: form[name].value() for name in Rulebook.VALUES if form[name].value() is not None}
    data.update(figures_year=str(cycle.year + 1), high_value_kinds=["invention"], previous_registration_until="")
    response = client.post(reverse("enterprises:office_rulebook"), data)
    assert response.status_code == 200 and response.context["form"].errors["figures_year"]
    assert rulebooks.current(cycle.year).figures_year == cycle.year - 1


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["bureau", "other_bureau", "expert"])
def test_rulebook_page_refuses_bureaus_and_experts(cycle, client_for, request, who):
    client = client_for(request.getfixturevalue(who))
    for url in (reverse("enterprises:office_rulebook"), reverse("enterprises:office_rulebook_year", args=[cycle.year])):
        assert client.get(url).status_code == 403
        assert client.post(url, {"results_min": "1", "reason": "x"}).status_code == 403
    assert not Rulebook.objects.filter(results_min=1).exists()


@pytest.mark.django_db
def test_rulebook_page_sends_anonymous_to_login(cycle, client_for):
    response = client_for(None).get(reverse("enterprises:office_rulebook"))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.django_db
def test_rulebook_page_of_an_unknown_year_is_not_found(cycle, client_for, office):
    assert client_for(office).get(reverse("enterprises:office_rulebook_year", args=[1999])).status_code == 404


# --- one figures year ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_tax_import_page_defaults_to_the_rulebooks_figures_year(cycle, client_for, office):
    page = client_for(office).get(reverse("enterprises:office_tax_import"))
    assert page.context["form"]["year"].value() == cycle.year - 1
    assert f"{cycle.year - 1}年度财务数据（{cycle.year}年度推荐）" in page.content.decode()


@pytest.mark.django_db
def test_figures_of_the_programme_year_itself_do_not_judge_it(cycle):
    from tests.enterprises.factories import EnterpriseYearFactory

    e = eligible_enterprise(year=cycle.year)
    EnterpriseYearFactory(enterprise=e, year=cycle.year, revenue=Decimal("300000000"))  # next year's figures
    verdict = checks.check_nomination(nominate(e, cycle))
    assert verdict.eligible and verdict.figures["figures_year"] == cycle.year - 1


@pytest.mark.django_db
def test_registration_of_last_year_counts_until_the_offices_cut_off(cycle, office):
    e = eligible_enterprise(year=cycle.year)
    e.registrations.update(year=cycle.year - 1)
    n = nominate(e, cycle)
    book = rulebooks.rulebook_for(cycle.year)
    rulebooks.update_rulebook(rulebook=book, values={"previous_registration_until": datetime.date(cycle.year, 6, 30)},
                              by=office)
    qs = n.__class__.objects.filter(pk=n.pk)
    checks.check_nominations(qs, year=cycle.year, on=datetime.date(cycle.year, 6, 30))
    assert Verdict.objects.get(nomination=n).eligible
    checks.check_nominations(qs, year=cycle.year, on=datetime.date(cycle.year, 7, 1))
    assert Verdict.objects.get(nomination=n).failed == ["registered"]
    # With both years registered, this year's is the one used.
    RegistrationFactory(enterprise=e, year=cycle.year)
    checks.check_nominations(qs, year=cycle.year, on=datetime.date(cycle.year, 6, 1))
    assert Verdict.objects.get(nomination=n).figures["registration_year"] == cycle.year


@pytest.mark.django_db
def test_rulebook_page_is_in_the_office_menu(cycle, client_for, office):
    home = client_for(office).get("/").content.decode()
    assert reverse("enterprises:office_rulebook") in home



# --- the data migration ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_migration_dedupes_transfers_and_moves_figures_to_the_figures_year(cycle):
    import importlib

    from django.apps import apps
    from django.db import connection

    from enterprises.models import EnterpriseYear
    from tests.enterprises.factories import EnterpriseYearFactory

    migration = importlib.import_module("enterprises.migrations.0003_rulebook")
    constraint = next(c for c in Transfer._meta.constraints if c.name == "one_transfer_per_contract")
    with connection.schema_editor() as editor:
        editor.remove_constraint(Transfer, constraint)
    first = TransferFactory(contract_no="JS-1")
    copy = TransferFactory(enterprise=first.enterprise, contract_no="JS-1")  # the same row twice
    other = TransferFactory(enterprise=first.enterprise, contract_no="JS-1", amount=Decimal("9"))  # a different one
    with connection.schema_editor() as editor:
        migration.dedupe_transfers(apps, editor)
        editor.add_constraint(Transfer, constraint)
    assert not Transfer.objects.filter(pk=copy.pk).exists()
    assert Transfer.objects.get(pk=first.pk).contract_no == "JS-1" and Transfer.objects.get(pk=other.pk).contract_no == ""

    nominated = nominate(eligible_enterprise(year=cycle.year), cycle).enterprise
    EnterpriseYear.objects.filter(enterprise=nominated).update(year=cycle.year)  # stored under the programme year
    both = nominate(eligible_enterprise(year=cycle.year), cycle).enterprise
    EnterpriseYearFactory(enterprise=both, year=cycle.year, revenue=Decimal("1"))  # already has the year before too
    migration.move_figures_to_the_figures_year(apps, None)
    assert list(EnterpriseYear.objects.filter(enterprise=nominated).values_list("year", flat=True)) == [cycle.year - 1]
    assert sorted(EnterpriseYear.objects.filter(enterprise=both).values_list("year", flat=True)) == [cycle.year - 1,
                                                                                                     cycle.year]
