"""The official nomination form (推荐表): a Chinese PDF with the font embedded, for the bureau and the office."""

import pytest
from django.urls import reverse

from enterprises.domain.checks import check_nomination
from enterprises.domain.nominations import render_nomination_form
from enterprises.models import EnterpriseYear
from tests import pdfcheck
from tests.enterprises import factories as ef


@pytest.fixture
def nomination(cycle, bureau):
    enterprise = ef.eligible_enterprise(region=bureau.region, year=cycle.year)
    enterprise.name = "长春光谷精密光电科技有限公司"
    enterprise.save()
    EnterpriseYear.objects.filter(enterprise=enterprise).update(revenue_tax="52000000.00")
    n = ef.EnterpriseNominationFactory(enterprise=enterprise, cycle=cycle, created_by=bureau,
                                       recommendation="该企业研发投入强度高,成果转化突出。")
    check_nomination(n)
    return n


@pytest.mark.django_db
def test_nomination_form_renders_in_chinese_with_embedded_cjk_font(nomination):
    pdf = render_nomination_form(nomination)
    assert pdf.startswith(b"%PDF-")
    assert pdfcheck.has_embedded_cjk_font(pdf)
    text = pdfcheck.text(pdf)
    assert "长春光谷精密光电科技有限公司" in text
    assert nomination.enterprise.uscc in text
    for words in ("推荐表", "知识产权", "成果转化", "关键核心技术产品", "符合“四科”标准", "推荐单位（盖章）", "税务数据",
                  "52,000,000.00", "该企业研发投入强度高"):
        assert words in text, words


@pytest.mark.django_db
def test_nomination_form_for_region_bureau_and_office_only(nomination, bureau, office, other_bureau, expert, client_for):
    url = reverse("enterprises:nomination_pdf", args=[nomination.pk])
    for user in (bureau, office):
        response = client_for(user).get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert "长春光谷精密光电科技有限公司" in pdfcheck.text(response.content)
    for user in (other_bureau, expert):
        assert client_for(user).get(url).status_code == 403
    assert client_for(None).get(url).status_code == 302
