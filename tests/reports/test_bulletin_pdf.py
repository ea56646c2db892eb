"""The published progress bulletin as a PDF: Chinese text, the Noto CJK font embedded; a draft has none."""

import pytest
from django.urls import reverse

from reports.domain import returns
from tests import pdfcheck
from tests.reports.test_returns import define, values


def published(office, bureau):
    ret = returns.open_return(define(office, include_counties=False), by=office)
    returns.file_return(ret, by=bureau, values=values())
    bulletin = returns.draft_bulletin(ret, by=office)
    return ret, bulletin


@pytest.mark.django_db
def test_a_published_bulletin_is_a_pdf_with_the_cjk_font_embedded_and_its_text(client_for, office, bureau, expert):
    _ret, bulletin = published(office, bureau)
    url = reverse("reports:public_bulletin_pdf", args=[bulletin.pk])
    # A draft has no PDF, for anyone.
    for who in (None, office, bureau):
        assert client_for(who).get(url).status_code == 404
    returns.edit_bulletin(bulletin, by=office, title="第一季度科技型中小企业培育进展",
                          body="全省新增入库企业一百二十家。\n专精特新企业稳步增长。", expected_version=bulletin.version,
                          publish=True)
    page = client_for(None).get(reverse("reports:public_bulletins")).content.decode()
    assert url in page
    for who in (None, expert, bureau):  # public: everyone reads a published bulletin
        response = client_for(who).get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF")
    assert pdfcheck.has_embedded_cjk_font(pdf)
    assert all(embedded for _name, embedded in pdfcheck.fonts(pdf))
    text = pdfcheck.text(pdf).replace(" ", "")
    assert "第一季度科技型中小企业培育进展" in text
    assert "全省新增入库企业一百二十家" in text and "专精特新企业稳步增长" in text
    assert "吉林省科学技术厅" in text


@pytest.mark.django_db
def test_an_unknown_bulletin_is_not_found(client_for):
    assert client_for(None).get(reverse("reports:public_bulletin_pdf", args=[999999])).status_code == 404
