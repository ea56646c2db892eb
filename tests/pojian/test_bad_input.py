"""Bad input never gives a 500: each case the attack report (issue 11) found, as a request."""

import pytest
from django.urls import reverse

from assessment.models import BureauSummary, LocalPolicy
from enterprises.models import EnterpriseNomination
from tests.assessment.factories import PolicyFactory, SummaryFactory
from tests.enterprises.test_bureau_pages import form_data as nomination_data

pytestmark = pytest.mark.django_db


def test_employees_beyond_the_integer_range_is_a_form_error(cycle, bureau, client_for):
    response = client_for(bureau).post(reverse("enterprises:bureau_nomination_create"),
                                       nomination_data(**{"nom-employees": "2147483648", "nom-tech_staff": "1"}))
    assert response.status_code == 200
    assert "employees" in response.context["nomination_form"].errors
    assert not EnterpriseNomination.objects.exists()


def policy_data(summary, rows):
    data = {"version": summary.version, "work_done": "宣讲10场", "experience": "经验", "problems": "问题",
            "policies-TOTAL_FORMS": str(len(rows)), "policies-INITIAL_FORMS": str(len(rows)),
            "policies-MIN_NUM_FORMS": "0", "policies-MAX_NUM_FORMS": "1000"}
    for i, (policy, number) in enumerate(rows):
        data.update({f"policies-{i}-id": policy.pk, f"policies-{i}-summary": summary.pk,
                     f"policies-{i}-title": policy.title, f"policies-{i}-number": number,
                     f"policies-{i}-issued_on": "2025-04-01", f"policies-{i}-link": "https://www.changchun.gov.cn/1.html"})
    return data


def test_swapping_two_policy_numbers_in_a_summary_saves_the_swap(client_for, cycle, bureau):
    summary = SummaryFactory(cycle=cycle, region=bureau.region, created_by=bureau)
    a = PolicyFactory(summary=summary, number="长科发〔2025〕1号")
    b = PolicyFactory(summary=summary, number="长科发〔2025〕2号")
    response = client_for(bureau).post(reverse("assessment:summary_edit", args=[summary.pk]),
                                       policy_data(summary, [(a, b.number), (b, a.number)]))
    assert response.status_code == 302
    numbers = dict(LocalPolicy.objects.filter(summary=summary).values_list("pk", "number"))
    assert numbers == {a.pk: "长科发〔2025〕2号", b.pk: "长科发〔2025〕1号"}


def test_a_policy_number_taken_by_a_row_not_in_the_form_is_a_form_error(client_for, cycle, bureau):
    summary = SummaryFactory(cycle=cycle, region=bureau.region, created_by=bureau)
    a = PolicyFactory(summary=summary, number="长科发〔2025〕1号")
    b = PolicyFactory(summary=summary, number="长科发〔2025〕2号")
    # Only `a` is in the form (another tab added `b` meanwhile): its new number is b's.
    response = client_for(bureau).post(reverse("assessment:summary_edit", args=[summary.pk]),
                                       policy_data(summary, [(a, b.number)]))
    assert response.status_code in (200, 400)
    assert "文号" in str(response.context["formset"].non_form_errors()) or response.context["formset"].errors
    assert LocalPolicy.objects.get(pk=a.pk).number == "长科发〔2025〕1号"
    assert BureauSummary.objects.get(pk=summary.pk).version == summary.version


def test_nul_byte_in_a_region_code_is_not_found(client, cycle):
    assert client.get(f"/assessment/{cycle.year}/regions/x%00y/").status_code == 404


def test_a_huge_year_in_the_investment_filter_is_a_filter_error(client_for, office):
    response = client_for(office).get("/finance/investments/?year=99999999999999999999")
    assert response.status_code in (200, 400)


def test_nul_byte_in_the_conflict_search_is_refused(client_for, office):
    response = client_for(office).get("/reviews/office/conflicts/?q=%00")
    assert response.status_code == 400
    assert "空字符" in response.content.decode()
