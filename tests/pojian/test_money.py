"""The one money input: pojian.domain.money and pojian.fields.MoneyField, in forms and imports."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from pojian.domain.money import format_money, parse_money
from pojian.fields import MoneyField


@pytest.mark.parametrize(("typed", "expected"), [
    ("120000", "120000.00"),
    ("12万", "120000.00"),
    ("12万元", "120000.00"),
    ("1.5亿", "150000000.00"),
    ("1.5亿元", "150000000.00"),
    ("1,234,567.89", "1234567.89"),
    ("１２万", "120000.00"),  # full-width digits
    ("１，２３４．５", "1234.50"),  # full-width comma and point
    ("￥3,000", "3000.00"),
    ("¥ 3000 元", "3000.00"),
    ("人民币500万元", "5000000.00"),
    ("1.2345万", "12345.00"),
    ("0.01", "0.01"),
    ("3千万", "30000000.00"),
    (" 56000000.00 ", "56000000.00"),
    ("1。5万", "15000.00"),
])
def test_parse_money_reads_what_people_type(typed, expected):
    assert parse_money(typed) == Decimal(expected)


def test_parse_money_reads_spreadsheet_numbers_exactly():
    assert parse_money(0.1) == Decimal("0.10")
    assert parse_money(1234567.89) == Decimal("1234567.89")
    assert parse_money(12) == Decimal("12.00")
    assert parse_money(Decimal("5.5")) == Decimal("5.50")


@pytest.mark.parametrize("typed", ["12万x", "十二万", "abc", "1,23", "12,3456", "1.2.3", "万", "", "1e5", "NaN",
                                   "12万万", "--5", "1.001"])
def test_parse_money_refuses_what_it_cannot_read(typed):
    with pytest.raises(ValueError) as e:
        parse_money(typed)
    assert str(e.value)


def test_parse_money_refuses_negative_too_large_and_fractions_of_fen_with_chinese_messages():
    with translation.override("zh-hans"):
        with pytest.raises(ValueError, match="不能为负"):
            parse_money("-5")
        with pytest.raises(ValueError, match="过大"):
            parse_money("100万亿")
        with pytest.raises(ValueError, match="两位小数"):
            parse_money("1.234")
        with pytest.raises(ValueError, match="无法识别"):
            parse_money("12万x")
    assert parse_money("-5", allow_negative=True) == Decimal("-5.00")


def test_format_money_shows_grouping_and_unit():
    with translation.override("zh-hans"):
        assert format_money(Decimal("120000")) == "120,000.00 元"
    with translation.override("en"):
        assert format_money(Decimal("1234567.8")) == "1,234,567.80 yuan"


def test_money_field_cleans_wan_and_refuses_garbage():
    field = MoneyField(label="R&D")
    assert field.clean("12万元") == Decimal("120000.00")
    assert field.clean("1,234,567.89") == Decimal("1234567.89")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        field.clean("十二万")
    with pytest.raises(ValidationError):
        field.clean("-1")
    assert MoneyField(required=False).clean("") is None


def test_money_input_shows_the_understood_value_beside_the_field():
    from django import forms

    class F(forms.Form):
        amount = MoneyField()

    with translation.override("zh-hans"):
        html = str(F({"amount": "12万元"})["amount"])
        assert 'value="12万元"' in html and "120,000.00 元" in html and 'inputmode="decimal"' in html
        blank = str(F()["amount"])
        assert "hidden" in blank.split('data-testid="money-echo"')[1].split(">")[0]
        unreadable = str(F({"amount": "abc"})["amount"])
        assert "<strong></strong>" in unreadable


def test_money_script_is_served_and_linked_from_the_layout():
    from django.contrib.staticfiles import finders
    from django.template.loader import get_template

    assert finders.find("js/money.js")
    assert "js/money.js" in get_template("base.html").template.source


# --- in the pages and imports ----------------------------------------------------------------------


@pytest.mark.django_db
def test_rd_expense_typed_as_wan_yuan_is_stored_as_yuan(cycle, bureau, client_for, monkeypatch, settings, tmp_path):
    from enterprises.models import EnterpriseYear
    from tests.enterprises.test_bureau_pages import form_data

    settings.MEDIA_ROOT = str(tmp_path)
    monkeypatch.setattr("enterprises.tasks.check_nomination.delay", lambda pk: None)
    data = form_data(**{"nom-rd_expense": "12万元", "nom-revenue": "1.5亿", "nom-total_assets": "９，０００万"})
    response = client_for(bureau).post(reverse("enterprises:bureau_nomination_create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    figures = EnterpriseYear.objects.get(year=cycle.year - 1)  # the figures year
    assert figures.rd_expense == Decimal("120000.00")
    assert figures.revenue == Decimal("150000000.00")
    assert figures.total_assets == Decimal("90000000.00")


@pytest.mark.django_db
def test_unreadable_money_is_refused_in_the_form_and_nothing_saved(cycle, bureau, client_for, settings, tmp_path):
    from enterprises.models import EnterpriseNomination
    from tests.enterprises.test_bureau_pages import form_data

    settings.MEDIA_ROOT = str(tmp_path)
    response = client_for(bureau).post(reverse("enterprises:bureau_nomination_create"), form_data(**{"nom-rd_expense": "十二万"}))
    assert response.status_code == 200
    assert "无法识别" in response.content.decode()
    assert not EnterpriseNomination.objects.exists()


@pytest.mark.django_db
def test_nomination_import_reads_wan_in_money_columns(cycle, bureau, settings, tmp_path):
    from enterprises.domain import import_nominations as imp
    from enterprises.models import EnterpriseYear
    from tests.enterprises.test_import_nominations import row, workbook

    settings.MEDIA_ROOT = str(tmp_path)
    source = workbook([row(1, **{"研发费用(元)": "12万元", "销售收入(元)": "1,234,567.89"})])
    imp.import_nominations(source, region=bureau.region, cycle=cycle, by=bureau)
    figures = EnterpriseYear.objects.get(year=cycle.year - 1)  # the figures year
    assert figures.rd_expense == Decimal("120000.00") and figures.revenue == Decimal("1234567.89")


@pytest.mark.django_db
def test_nomination_import_lists_unreadable_money_and_changes_nothing(cycle, bureau, settings, tmp_path):
    from enterprises.domain import import_nominations as imp
    from enterprises.models import Enterprise
    from pojian.domain.jobs import JobFailed
    from tests.enterprises.test_import_nominations import row, workbook

    settings.MEDIA_ROOT = str(tmp_path)
    source = workbook([row(1), row(2, **{"研发费用(元)": "十二万"})])
    with translation.override("zh-hans"), pytest.raises(JobFailed) as e:
        imp.import_nominations(source, region=bureau.region, cycle=cycle, by=bureau)
    bad = [error for error in e.value.errors if error["column"] == "研发费用(元)"]
    assert [error["row"] for error in bad] == [3] and "十二万" in bad[0]["message"]
    assert not Enterprise.objects.exists()


def test_tax_import_reads_wan():
    from enterprises.domain import import_tax

    assert import_tax.parse_money("12万元") == Decimal("120000.00")


def test_investment_import_reads_wan():
    from finance.domain import investments

    assert investments.parse_money("500万元") == Decimal("5000000.00")
