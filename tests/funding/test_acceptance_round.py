"""验收 as a review round of kind acceptance: created by the office for projects due, experts assigned with
conflicts refused, scored on the acceptance score sheet, outcomes by the pass score or the office's
decision, confirmed onto the projects through funding.domain.projects (recovery on 不通过)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from funding.domain import acceptance, grants, payments, projects
from funding.models import Grant, Project
from pojian.domain.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from reviews.domain import assignment as assigning
from reviews.domain import ranking, rounds, scoring
from reviews.models import Conflict, Criterion, Round
from tests.reviews.factories import ExpertFactory, ReviewItemFactory, RoundFactory

from .factories import BudgetFactory, line
from .test_projects import END, START, pdf_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_projects(cycle, office, approver, bureau):
    """Two projects of the confirmed selection, signed; the second has its first tranche paid."""
    r = RoundFactory(cycle=cycle, results_confirmed_at=timezone.now())
    for rank in (1, 2):
        ReviewItemFactory(round=r, selected=True, rank=rank)
    BudgetFactory(cycle=cycle, line=line("project_support"), amount=Decimal("2000000"), tranche_split=[70, 30])
    made = projects.open_projects(round_=r, by=office, amount=Decimal("500000"), starts_on=START, ends_on=END)
    for p in made:
        projects.update_project(project=p, by=office, indicators=[{"name": "发明专利申请", "target": "3", "unit": "件"}])
        grants.approve_grant(grant=p.grant, by=approver)
        grants.commit_grant(grant=p.grant, by=approver)
        projects.issue_agreement(project=p, by=office)
        projects.upload_signed_agreement(project=p, file=pdf_file(), by=office)
    pay = payments.record_payment(grant=made[1].grant, amount=Decimal("350000"), tranche=1, paid_on=date(2026, 8, 1),
                                  document_no="吉财〔2026〕9号", account="6222", by=office)
    payments.confirm_payment(payment=pay, by=approver)
    return made


def file_all(made, by):
    for p in made:
        projects.file_acceptance(project=p, file=pdf_file(), reached={"发明专利申请": "4"}, by=by)


def score(assignment, criteria, fraction, recommendation="recommend"):
    """Every criterion at `fraction` of its maximum (totals out of 100)."""
    user = assignment.expert.user
    scoring.save_review(assignment=assignment, by=user, recommendation=recommendation,
                        scores={c.pk: str((c.max_score * Decimal(fraction)).quantize(Decimal("0.01"))) for c in criteria})
    scoring.submit_review(assignment=assignment, by=user)


def test_acceptance_round_end_to_end_with_refusals(two_projects, cycle, office, bureau):
    p1, p2 = two_projects
    # Not due yet (no acceptance application): refused, listed, nothing made.
    with pytest.raises(ValidationError) as e:
        acceptance.create_acceptance_round(cycle=cycle, projects=[p1, p2], by=office)
    assert p1.number in " ".join(e.value.messages) and not Round.objects.filter(kind="acceptance").exists()
    file_all(two_projects, bureau)
    with pytest.raises(PermissionDenied):
        acceptance.create_acceptance_round(cycle=cycle, projects=[p1, p2], by=bureau)
    with pytest.raises(ValidationError):
        acceptance.create_acceptance_round(cycle=cycle, projects=[p1], by=office, pass_score="120")
    round_ = acceptance.create_acceptance_round(cycle=cycle, projects=[p1, p2], by=office, pass_score="60",
                                               experts_per_item=2)
    assert round_.kind == Round.Kind.ACCEPTANCE and round_.pass_score == Decimal("60")
    assert round_.sheet.max_total == Decimal("100")
    items = {i.object_id: i for i in round_.items.all()}
    assert set(items) == {p1.pk, p2.pk} and items[p1.pk].nominee_uscc == p1.enterprise.uscc
    # A project is in one open acceptance round at a time; a second batch of the year is allowed.
    assert list(acceptance.due_projects()) == []
    with pytest.raises(ValidationError):
        acceptance.create_acceptance_round(cycle=cycle, projects=[p1], by=office)
    # populate_round never adds anything to an acceptance round.
    with pytest.raises(ValidationError):
        rounds.populate_round(round_=round_, by=office)

    # Experts: one in conflict with p1's enterprise is refused for p1, as in every round.
    conflicted, e1, e2 = ExpertFactory(), ExpertFactory(), ExpertFactory()
    Conflict.objects.create(expert=conflicted, kind=Conflict.Kind.OTHER, source=Conflict.Source.OFFICE,
                            status=Conflict.Status.CONFIRMED, nominee_uscc=p1.enterprise.uscc, reason="曾任该企业顾问")
    with pytest.raises(ValidationError) as e:
        assigning.assign(item=items[p1.pk], expert=conflicted, by=office)
    assert "回避" in " ".join(e.value.messages) or conflicted.name in " ".join(e.value.messages)
    for item in items.values():
        for ex in (e1, e2):
            assigning.assign(item=item, expert=ex, by=office)
    assigning.confirm_assignment(round_=round_, by=office)
    rounds.open_scoring(round_=round_, by=office, closes=timezone.now() + timedelta(days=7))
    criteria = list(Criterion.objects.filter(sheet__round=round_).order_by("order"))
    for a in items[p1.pk].assignments.all():
        score(a, criteria, "0.8")  # 80 ≥ 60
    for a in items[p2.pk].assignments.all():
        score(a, criteria, "0.5", recommendation="not_recommend")  # 50 < 60
    # Nothing is decided or confirmed before the round is closed and ranked.
    with pytest.raises(TransitionNotAllowed):
        acceptance.decide_item(item=items[p1.pk], outcome="passed", reason="x", by=office)
    with pytest.raises(TransitionNotAllowed):
        acceptance.confirm_acceptance_round(round_=round_, by=office)
    rounds.close_round(round_=round_, by=office)
    ranking.rank_round(round_=round_, by=office)
    # Nothing is selected or published on an acceptance round: the outcome is decided per project.
    from reviews.domain import notices

    with pytest.raises(TransitionNotAllowed) as refused:
        ranking.select(round_=round_, by=office, quota=1)
    assert refused.value.code == "acceptance"
    with pytest.raises(TransitionNotAllowed):
        notices.publish_notice(round_=round_, by=office, how_to_object="电话 0431-1234567")
    assert not round_.items.filter(selected=True).exists()

    rows = {r["project"].pk: r for r in acceptance.outcomes(round_)}
    assert rows[p1.pk]["item"].aggregate == Decimal("80.00") and rows[p1.pk]["outcome"] == "passed"
    assert rows[p2.pk]["item"].aggregate == Decimal("50.00") and rows[p2.pk]["outcome"] == "failed"
    # The office may decide otherwise, with a reason; and take the decision back.
    with pytest.raises(ValidationError):
        acceptance.decide_item(item=items[p1.pk], outcome="rectified", reason="", by=office)
    with pytest.raises(PermissionDenied):
        acceptance.decide_item(item=items[p1.pk], outcome="failed", reason="x", by=bureau)
    acceptance.decide_item(item=items[p1.pk], outcome="rectified", reason="财务报告需补充", by=office)
    assert {r["project"].pk: r["outcome"] for r in acceptance.outcomes(round_)}[p1.pk] == "rectified"
    acceptance.decide_item(item=items[p1.pk], outcome="", reason="", by=office)
    assert {r["project"].pk: r["outcome"] for r in acceptance.outcomes(round_)}[p1.pk] == "passed"

    with pytest.raises(PermissionDenied):
        acceptance.confirm_acceptance_round(round_=round_, by=bureau)
    acceptance.confirm_acceptance_round(round_=round_, by=office)
    p1.refresh_from_db()
    p2.refresh_from_db()
    assert p1.state == Project.State.ACCEPTED and p1.outcome == "passed"
    assert set(p1.acceptance_experts.all()) == {e1, e2} and len(p1.acceptance_scores) == 2
    assert p2.state == Project.State.FAILED and p2.outcome == "failed" and "60" in p2.outcome_note
    g2 = Grant.objects.get(pk=p2.grant_id)
    assert g2.state == Grant.State.RECOVERED and g2.recovered_amount == Decimal("350000")  # recovery on 不通过
    round_.refresh_from_db()
    assert round_.results_confirmed_at and round_.results_confirmed_by == office
    with pytest.raises(TransitionNotAllowed):
        acceptance.confirm_acceptance_round(round_=round_, by=office)
    # A bureau's home panel of review outcomes is about selections: acceptance items are not in it.
    from reviews.panels import _bureau_panels
    from tests import factories as core

    panels = _bureau_panels(core.BureauFactory(username="bureau-acc", region=p1.region), cycle)
    assert not [i for panel in panels for i in panel["items"] if i.round.kind == "acceptance"]


def test_confirmation_needs_an_outcome_for_every_project(two_projects, cycle, office, bureau):
    file_all(two_projects, bureau)
    round_ = acceptance.create_acceptance_round(cycle=cycle, projects=two_projects, by=office, experts_per_item=1)
    ex = ExpertFactory()
    for item in round_.items.all():
        assigning.assign(item=item, expert=ex, by=office)
    assigning.confirm_assignment(round_=round_, by=office)
    rounds.open_scoring(round_=round_, by=office, closes=timezone.now() + timedelta(days=7))
    criteria = list(Criterion.objects.filter(sheet__round=round_).order_by("order"))
    first, second = list(round_.items.order_by("pk"))
    score(first.assignments.get(), criteria, "0.9")
    rounds.close_round(round_=round_, by=office, confirm_open=True, reason="一位专家未评分")
    ranking.rank_round(round_=round_, by=office)
    with pytest.raises(ValidationError) as e:  # the second has no score: the office must decide it
        acceptance.confirm_acceptance_round(round_=round_, by=office)
    assert second.nominee_name in " ".join(e.value.messages)
    assert not Project.objects.filter(state__in=[Project.State.ACCEPTED, Project.State.FAILED]).exists()  # all or nothing


def test_acceptance_pages_for_the_office_and_refusals(client_for, two_projects, cycle, office, bureau, other_bureau,
                                                      partner):
    file_all(two_projects, bureau)
    client = client_for(office)
    page = client.get(reverse("funding:acceptance_rounds")).content.decode()
    assert two_projects[0].number in page and 'data-testid="create-acceptance-round"' in page
    assert reverse("funding:acceptance_rounds") in client.get(reverse("funding:projects")).content.decode()
    response = client.post(reverse("funding:acceptance_rounds"), {
        "projects": [p.pk for p in two_projects], "title": "", "pass_score": "65", "experts_per_item": "2",
        "max_load": "20"})
    round_ = Round.objects.get(kind="acceptance")
    assert response.status_code == 302 and response["Location"] == reverse("reviews:office_round", args=[round_.pk])
    assert round_.pass_score == Decimal("65") and round_.items.count() == 2
    nav = client.get(reverse("reviews:office_round", args=[round_.pk])).content.decode()
    assert reverse("funding:acceptance_round", args=[round_.pk]) in nav and 'data-testid="populate"' not in nav
    outcomes = client.get(reverse("funding:acceptance_round", args=[round_.pk])).content.decode()
    assert 'data-testid="not-closed"' in outcomes
    # A decision or a confirmation posted too early is a message, not a 500.
    item = round_.items.first()
    response = client.post(reverse("funding:acceptance_round", args=[round_.pk]), {"action": "confirm"}, follow=True)
    assert response.status_code == 200 and not round_.items.exclude(decision="").exists()
    response = client.post(reverse("funding:acceptance_round", args=[round_.pk]),
                           {"item": item.pk, f"i{item.pk}-outcome": "bogus", f"i{item.pk}-reason": "x"}, follow=True)
    assert response.status_code == 200
    # A review round of another kind is not an acceptance round here.
    other = RoundFactory(cycle=cycle, kind="incubators")
    assert client.get(reverse("funding:acceptance_round", args=[other.pk])).status_code == 404
    # Everyone but the office is refused.
    unassigned = ExpertFactory()
    urls = [reverse("funding:acceptance_rounds"), reverse("funding:acceptance_round", args=[round_.pk])]
    for user in (bureau, other_bureau, unassigned.user, partner):
        c = client_for(user)
        for url in urls:
            assert c.get(url).status_code == 403, (user, url)
            assert c.post(url, {"action": "confirm", "projects": [p.pk for p in two_projects], "pass_score": "1",
                                "experts_per_item": "1", "max_load": "1"}).status_code == 403
    anonymous = client_for(None)
    for url in urls:
        response = anonymous.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]
    assert Round.objects.filter(kind="acceptance").count() == 1


def zh(text):
    with translation.override(settings.LANGUAGE_CODE):
        return translation.gettext(text)


def test_a_new_acceptance_round_refused_shows_why_and_keeps_the_form(client_for, two_projects, cycle, office, bureau):
    file_all(two_projects, bureau)
    client = client_for(office)
    url = reverse("funding:acceptance_rounds")
    data = {"projects": [p.pk for p in two_projects], "title": "", "pass_score": "65", "experts_per_item": "2",
            "max_load": "20"}
    invalid = client.post(url, {**data, "pass_score": "abc"})
    assert invalid.status_code == 200 and invalid.context["form"].errors
    assert [str(m) for m in invalid.context["messages"]] == [zh("Please correct the errors below.")]
    cycle.is_current = False
    cycle.save(update_fields=["is_current"])
    closed = client.post(url, data)
    assert closed.status_code == 200 and [str(m) for m in closed.context["messages"]] == [zh("No programme year is open.")]
    assert not Round.objects.filter(kind="acceptance").exists()


def test_assigned_expert_reads_the_project_and_scores_it_others_are_refused(client_for, two_projects, cycle, office,
                                                                             bureau):
    file_all(two_projects, bureau)
    round_ = acceptance.create_acceptance_round(cycle=cycle, projects=two_projects[:1], by=office, experts_per_item=1)
    ex, other = ExpertFactory(), ExpertFactory()
    item = round_.items.get()
    assigning.assign(item=item, expert=ex, by=office)
    assigning.confirm_assignment(round_=round_, by=office)
    rounds.open_scoring(round_=round_, by=office, closes=timezone.now() + timedelta(days=7))
    a = item.assignments.get()
    page = client_for(ex.user).get(reverse("reviews:expert_assignment", args=[a.pk])).content.decode()
    assert 'data-testid="material-project"' in page and "发明专利申请" in page and two_projects[0].number in page
    assert "目标与考核指标完成情况" in page  # the acceptance score sheet's first criterion
    assert client_for(other.user).get(reverse("reviews:expert_assignment", args=[a.pk])).status_code in (403, 404)
    assert client_for(bureau).get(reverse("reviews:expert_assignment", args=[a.pk])).status_code == 403
