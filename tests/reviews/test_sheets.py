"""Score sheets (评分表) in the portal: the year's list, a round's criteria edited as a formset with
Σ maximum × weight = 100, fixed once scoring started (copied instead), and who is refused."""

from decimal import Decimal

import pytest
from django.urls import reverse

from pojian.domain.errors import PermissionDenied, StaleEdit, TransitionNotAllowed, ValidationError
from reviews.domain import rounds, scoring, sheets
from reviews.models import Criterion, Round, ScoreSheet
from tests import factories as core
from tests.reviews import factories as rf

pytestmark = pytest.mark.django_db


def rows(*specs):
    return [{"name": n, "max_score": m, "weight": w, "order": k} for k, (n, m, w) in enumerate(specs, start=1)]


def open_round(cycle, office, kind="enterprises"):
    return rounds.create_round(cycle=cycle, kind=kind, by=office)


def formset_data(criteria, *, title="企业评分表", version=None, extra_blank=1):
    data = {"action": "save", "title": title, "instructions": "请独立评分", "version": version or "",
            "c-TOTAL_FORMS": str(len(criteria) + extra_blank), "c-INITIAL_FORMS": "0",
            "c-MIN_NUM_FORMS": "0", "c-MAX_NUM_FORMS": "30"}
    for k, c in enumerate(criteria):
        for field, value in c.items():
            data[f"c-{k}-{field}"] = value
    return data


def test_clean_criteria_needs_a_total_of_100_and_lists_every_problem():
    assert len(sheets.clean_criteria(rows(("创新", "60", "1"), ("成长", "20", "2")))) == 2  # 60 + 20 × 2
    with pytest.raises(ValidationError) as e:
        sheets.clean_criteria(rows(("创新", "60", "1"), ("成长", "30", "1")))
    assert "90" in " ".join(e.value.messages) and "100" in " ".join(e.value.messages)
    with pytest.raises(ValidationError) as e:
        sheets.clean_criteria(rows(("创新", "0", "1"), ("创新", "abc", "1"), ("", "50", "-1"), ("团队", "1.234", "1")))
    text = " ".join(e.value.messages)
    for part in ("满分必须大于0", "重复出现", "必须是数字", "没有名称", "权重必须在0到999之间", "小数位数过多"):
        assert part in text, part
    with pytest.raises(ValidationError):
        sheets.clean_criteria([])


def test_save_sheet_replaces_criteria_swaps_names_and_refuses_a_stale_form(cycle, office):
    round_ = open_round(cycle, office)
    sheet = round_.sheet
    first, second = list(sheet.criteria.order_by("order"))[:2]
    version = sheet.version
    sheets.save_sheet(round_=round_, by=office, title="新评分表", expected_version=version, criteria=[
        {"id": first.pk, "name": second.name, "max_score": "50", "weight": "1", "order": 1},  # names swap
        {"id": second.pk, "name": first.name, "max_score": "25", "weight": "1", "order": 2},
        {"id": None, "name": "社会效益", "max_score": "12.5", "weight": "2", "order": 3},
    ])
    sheet.refresh_from_db()
    assert sheet.title == "新评分表" and sheet.version == version + 1
    assert [(c.pk, c.name, c.max_score) for c in sheet.criteria.order_by("order")][:2] == [
        (first.pk, second.name, Decimal("50")), (second.pk, first.name, Decimal("25"))]
    assert sheet.criteria.count() == 3 and sheet.max_total == Decimal("100")
    assert sheet.history.first().history_change_reason.startswith("edit")
    with pytest.raises(StaleEdit):
        sheets.save_sheet(round_=round_, by=office, title="x", expected_version=version,
                          criteria=rows(("唯一", "100", "1")))
    with pytest.raises(PermissionDenied):
        sheets.save_sheet(round_=round_, by=core.BureauFactory(username="b-s"), title="x", criteria=rows(("唯一", "100", "1")))


def test_a_sheet_used_for_scoring_is_fixed_and_copied_instead(cycle, office):
    round_, crits, items, experts, assignments = rf.scoring_round(cycle=cycle, items=1, experts=1, criteria=2)
    scoring.save_review(assignment=assignments[0], by=experts[0].user, scores={crits[0].pk: "30"})
    assert sheets.sheet_locked(round_)
    before = list(Criterion.objects.filter(sheet__round=round_).values_list("pk", "name", "max_score"))
    with pytest.raises(TransitionNotAllowed) as e:
        sheets.save_sheet(round_=round_, by=office, title="改", criteria=rows(("唯一", "100", "1")))
    assert "复制" in str(e.value)
    assert list(Criterion.objects.filter(sheet__round=round_).values_list("pk", "name", "max_score")) == before
    target = open_round(cycle, office, kind="incubators")
    copied = sheets.copy_sheet(source=round_.sheet, round_=target, by=office)
    assert [(c.name, c.max_score) for c in copied.criteria.order_by("order")] == [(n, m) for _pk, n, m in before]
    with pytest.raises(TransitionNotAllowed):
        sheets.copy_sheet(source=target.sheet, round_=round_, by=office)
    with pytest.raises(ValidationError):
        sheets.copy_sheet(source=target.sheet, round_=target, by=office)


def test_acceptance_sheet_starts_at_100(cycle, office):
    round_ = open_round(cycle, office, kind="acceptance")
    assert round_.sheet.max_total == Decimal("100") and round_.sheet.criteria.count() >= 3
    for kind in ("enterprises", "incubators", "finance", "bureau_summaries"):
        assert sum(m for _n, _g, m in rounds.DEFAULT_CRITERIA[kind]) == 100, kind


def test_office_lists_a_years_sheets_and_edits_one_through_the_formset(client_for, cycle, office):
    round_ = open_round(cycle, office)
    client = client_for(office)
    listing = client.get(reverse("reviews:office_sheets"), {"year": cycle.year}).content.decode()
    assert reverse("reviews:office_sheet", args=[round_.pk]) in listing and "100" in listing
    assert reverse("reviews:office_sheets") in client.get(reverse("reviews:office_rounds")).content.decode()
    page = client.get(reverse("reviews:office_sheet", args=[round_.pk])).content.decode()
    assert 'data-testid="criteria-formset"' in page and "c-TOTAL_FORMS" in page
    version = round_.sheet.version
    bad = formset_data([{"name": "创新", "max_score": "60", "weight": "1", "order": "1"},
                        {"name": "成长", "max_score": "30", "weight": "1", "order": "2"}], version=version)
    response = client.post(reverse("reviews:office_sheet", args=[round_.pk]), bad)
    assert response.status_code == 200 and "90" in response.content.decode()
    assert "成长" in response.content.decode()  # what was typed stays in the form
    assert not Criterion.objects.filter(sheet__round=round_, name="成长").exists()
    good = formset_data([{"name": "创新", "max_score": "60", "weight": "1", "order": "1"},
                         {"name": "成长", "max_score": "20", "weight": "2", "order": "2"}], version=version)
    response = client.post(reverse("reviews:office_sheet", args=[round_.pk]), good)
    assert response.status_code == 302
    sheet = ScoreSheet.objects.get(round=round_)
    assert sheet.title == "企业评分表" and [c.name for c in sheet.criteria.order_by("order")] == ["创新", "成长"]
    # The same (now stale) form again is refused, with a message, and changes nothing.
    response = client.post(reverse("reviews:office_sheet", args=[round_.pk]), {**good, "c-0-name": "改名"})
    assert response.status_code == 200 and not sheet.criteria.filter(name="改名").exists()
    # Bad input is a message, never a 500.
    junk = formset_data([{"name": "a", "max_score": "abc", "weight": "x", "order": "-1"}], version=sheet.version)
    assert client.post(reverse("reviews:office_sheet", args=[round_.pk]), junk).status_code == 200


def test_office_copies_a_fixed_sheet_to_an_open_round_through_the_page(client_for, cycle, office):
    round_, crits, items, experts, assignments = rf.scoring_round(cycle=cycle, items=1, experts=1, criteria=2)
    target = open_round(cycle, office, kind="incubators")
    client = client_for(office)
    page = client.get(reverse("reviews:office_sheet", args=[round_.pk])).content.decode()
    assert 'data-testid="sheet-locked"' in page and 'data-testid="copy-to"' in page and "criteria-formset" not in page
    response = client.post(reverse("reviews:office_sheet", args=[round_.pk]), {"action": "copy_to", "target": target.pk})
    assert response.status_code == 302 and response["Location"] == reverse("reviews:office_sheet", args=[target.pk])
    assert sorted(target.sheet.criteria.values_list("name", flat=True)) == sorted(c.name for c in crits)
    # A save posted to the fixed sheet anyway is refused with a message.
    response = client.post(reverse("reviews:office_sheet", args=[round_.pk]),
                           formset_data([{"name": "唯一", "max_score": "100", "weight": "1", "order": "1"}]))
    assert response.status_code == 200 and not Criterion.objects.filter(name="唯一").exists()
    # Copy another sheet onto an open round.
    response = client.post(reverse("reviews:office_sheet", args=[target.pk]), {"action": "copy_from", "source": round_.sheet.pk})
    assert response.status_code == 302


def test_sheet_pages_refuse_everyone_but_the_office(client_for, cycle, office, bureau, other_bureau, partner):
    round_ = open_round(cycle, office)
    unassigned = rf.ExpertFactory(user__password=None)
    urls = [reverse("reviews:office_sheets"), reverse("reviews:office_sheet", args=[round_.pk])]
    for user in (bureau, other_bureau, unassigned.user, partner):
        client = client_for(user)
        for url in urls:
            assert client.get(url).status_code == 403
            assert client.post(url, formset_data([{"name": "唯一", "max_score": "100", "weight": "1"}])).status_code == 403
    anonymous = client_for(None)
    for url in urls:
        response = anonymous.post(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]
    assert not Criterion.objects.filter(name="唯一").exists()
    assert Round.objects.get(pk=round_.pk).sheet.criteria.count() == 5
