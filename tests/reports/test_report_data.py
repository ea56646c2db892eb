"""The annual report's data from a known data set: every expected number is written here."""

from decimal import Decimal

import pytest

from reports.domain import sources
from reports.domain.figures import UnknownYear, report_data
from tests import factories as core
from tests.reports.factories import known_year, other_apps_year

pytestmark = pytest.mark.django_db


def rows_by_region(data):
    return {r["region"]: (r["nominated"], r["submitted"], r["accepted"], r["selected"]) for r in data["pipeline"]}


def test_report_data_pipeline_per_region_counts_each_stage(cycle):
    known_year(cycle)
    data = report_data(year=cycle.year)
    rows = rows_by_region(data)
    assert rows["长春市"] == (5, 4, 3, 2)
    assert rows["吉林市"] == (3, 3, 1, 1)
    assert rows["四平市"] == (0, 0, 0, 0)
    assert len(data["pipeline"]) == 13
    t = data["pipeline_total"]
    assert (t["nominated"], t["submitted"], t["accepted"], t["selected"]) == (8, 7, 4, 3)
    assert data["quota"] == 60


def test_report_data_sike_pass_rate_and_failed_criteria(cycle):
    known_year(cycle)
    s = report_data(year=cycle.year)["sike"]
    # The withdrawn nomination's verdict does not count.
    assert (s["checked"], s["passed"], s["failed_count"]) == (7, 4, 3)
    assert s["rate"] == Decimal("57.14")
    assert [(f["code"], f["count"]) for f in s["failed"][:3]] == [("rd_intensity", 2), ("revenue", 1), ("registered", 1)]
    assert s["failed"][0]["share"] == Decimal("28.57")


def test_report_data_selected_enterprises_use_tax_figures(cycle):
    n = known_year(cycle)
    selected = report_data(year=cycle.year)["selected"]
    assert len(selected) == 3
    first = next(r for r in selected if r["name"] == n["cc_selected"][0].enterprise.name)
    assert first["revenue"] == Decimal("40000000.00")  # the tax figure wins over the declared 50,000,000
    assert first["rd_intensity"] == Decimal("12.50")
    assert first["tech_staff_share"] == Decimal("70.00")
    assert (first["high_value_ip"], first["transfers"]) == (4, 2)


def test_report_data_for_a_region_holds_only_that_region(cycle):
    known_year(cycle)
    data = report_data(year=cycle.year, region=core.region("220100"))
    assert [r["region"] for r in data["pipeline"]] == ["长春市"]
    assert rows_by_region(data)["长春市"] == (5, 4, 3, 2)
    assert {r["region"] for r in data["selected"]} == {"长春市"}
    assert {r["region"] for r in data["nominations"]} == {"长春市"}
    assert data["sike"]["checked"] == 4 and data["quota"] is None


def test_report_data_annex_lists_nominations_that_reached_the_province(cycle):
    known_year(cycle)
    data = report_data(year=cycle.year)
    assert len(data["nominations"]) == 7  # not the draft, not the withdrawn one


def test_report_data_unknown_year_is_refused(cycle):
    with pytest.raises(UnknownYear) as e:
        report_data(year=1999)
    assert "1999" in " ".join(e.value.messages)


def test_report_data_trends_compare_earlier_years(cycle):
    from datetime import timedelta

    from pojian.models import Cycle, NominationState
    from tests.reports.factories import nominate

    last = Cycle.objects.create(year=cycle.year - 1, nomination_opens=cycle.nomination_opens - timedelta(days=365),
                                nomination_closes=cycle.nomination_closes - timedelta(days=365), status="closed")
    nominate(cycle=last, region=core.region("220100"), state=NominationState.SELECTED, failed=())
    nominate(cycle=last, region=core.region("220100"), state=NominationState.REJECTED, failed=("revenue",))
    known_year(cycle)
    trends = {t["year"]: t for t in report_data(year=cycle.year)["trends"]}
    assert (trends[last.year]["nominated"], trends[last.year]["selected"], trends[last.year]["pass_rate"]) == (2, 1, Decimal("50.00"))
    assert (trends[cycle.year]["nominated"], trends[cycle.year]["selected"]) == (8, 3)
    assert list(trends) == [last.year, cycle.year]


def test_report_data_other_apps_sections(cycle, office):
    n = known_year(cycle)
    other_apps_year(cycle, office=office, nominations=n)
    data = report_data(year=cycle.year)
    inc = data["incubators"]
    assert (inc["count"], inc["selected"], inc["subsidised"], inc["total_amount"]) == (3 - 1, 1, 2, Decimal("800000.00"))
    assert data["incubator_pipeline"] == {"nominated": 3, "submitted": 3, "accepted": 2, "selected": 1}
    assert [p["name"] for p in data["partners"]] == ["吉林天使投资基金"]
    inv = data["investments"]
    assert (inv["count"], inv["amount"], inv["early_small_count"]) == (2, Decimal("3500000.50"), 1)
    assert {r["region"]: r["amount"] for r in inv["by_region"]} == {"长春市": Decimal("2000000.00"), "吉林市": Decimal("1500000.50")}
    assert len(data["investment_rows"]) == 2
    # The review's ranking orders the selected enterprises and gives their scores.
    assert [(r["rank"], r["score"]) for r in data["selected"]] == [(1, Decimal("93.40")), (2, Decimal("91.20")), (3, Decimal("85.00"))]
    a = data["assessment"]
    assert [(r["rank"], r["region"], r["total"], r["commended"]) for r in a["rows"]] == [
        (1, "吉林市", Decimal("88.50"), True), (2, "长春市", Decimal("80.00"), False)]
    summary = {label: value for label, value, _unit, _kind in data["summary"]}
    assert len(summary) == len(data["summary"])


def test_report_data_region_sees_only_own_row_of_unpublished_assessment(cycle, office):
    n = known_year(cycle)
    made = other_apps_year(cycle, office=office, nominations=n)
    data = report_data(year=cycle.year, region=core.region("220100"))
    assert [r["region"] for r in data["assessment"]["rows"]] == ["长春市"]
    assert data["investments"]["count"] == 1 and data["incubators"]["total_amount"] == Decimal("500000.00")
    from django.utils import timezone

    made["assessment"].published_at = timezone.now()
    made["assessment"].save()
    data = report_data(year=cycle.year, region=core.region("220100"))
    assert [r["region"] for r in data["assessment"]["rows"]] == ["吉林市", "长春市"]


def test_report_data_sections_of_missing_apps_say_not_available(cycle, monkeypatch):
    known_year(cycle)
    real = sources.model
    monkeypatch.setattr(sources, "model", lambda label: None if label.split(".")[0] != "enterprises" else real(label))
    data = report_data(year=cycle.year)
    assert data["incubators"] is None and data["partners"] is None and data["investments"] is None
    assert data["assessment"] is None and data["incubator_pipeline"] is None
    assert data["pipeline_total"]["selected"] == 3  # the enterprise part is unaffected
