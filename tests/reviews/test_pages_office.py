"""The office's review pages: who is refused, the round's phases, assignment, conflicts, progress,
results with ranking, selection and override, and the exports — all through the pages."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from pojian.domain.concurrency import edit_token
from pojian.domain.jobs import run_job
from pojian.models import Job, Notification
from reviews.domain import assignment as assigning
from reviews.domain import exports, scoring
from reviews.forms import CreateRoundForm
from reviews.models import Assignment, Conflict, ReviewItem, Round
from tests.reviews import factories as rf

pytestmark = pytest.mark.django_db

NO_PASSWORD = None  # unusable and instant (tests use force_login)


def expert(**kwargs):
    return rf.ExpertFactory(user__password=NO_PASSWORD, **kwargs)


def round_with_sheet(cycle, *, phase=Round.Phase.SCORING, n=2, items=3, experts=3, **kwargs):
    """A round with a two-criterion sheet, `items` nominations and `experts` experts all assigned (confirmed)."""
    round_ = rf.RoundFactory(cycle=cycle, phase=phase, experts_per_item=n, **kwargs)
    sheet = rf.ScoreSheetFactory(round=round_)
    criteria = [rf.CriterionFactory(sheet=sheet, name=f"指标{k}", max_score=Decimal("50"), order=k) for k in (1, 2)]
    its = [rf.ReviewItemFactory(round=round_) for _ in range(items)]
    exps = [expert(name=f"评审{k}号") for k in range(experts)]
    return round_, criteria, its, exps


def submit(assignment, criteria, values, recommendation="recommend"):
    user = assignment.expert.user
    scoring.save_review(assignment=assignment, by=user, scores=dict(zip([c.pk for c in criteria], values, strict=True)),
                        recommendation=recommendation)
    scoring.submit_review(assignment=assignment, by=user)


def closed_round(cycle, office_client, quota=2):
    """Three nominations, two experts each, every review submitted; closed and ranked through the pages."""
    round_, criteria, its, exps = round_with_sheet(cycle, n=2, items=3, experts=2)
    marks = {its[0].pk: ("40", "40"), its[1].pk: ("30", "30"), its[2].pk: ("20", "20")}
    for item in its:
        for e in exps:
            submit(rf.AssignmentFactory(item=item, expert=e), criteria, marks[item.pk])
    office_client.post(reverse("reviews:office_round", args=[round_.pk]), {"action": "close"})
    office_client.post(reverse("reviews:office_results", args=[round_.pk]), {"action": "rank"})
    office_client.post(reverse("reviews:office_results", args=[round_.pk]), {"action": "select", "quota": str(quota)})
    round_.refresh_from_db()
    assert round_.is_closed and round_.ranked_at
    return round_, criteria, its, exps


def office_urls(ids_by_name, default_id):
    """Every office_* URL of the app, with the id of a real object of the kind it takes."""
    for p in get_resolver().url_patterns:
        if isinstance(p, URLResolver) and p.namespace == "reviews":
            for q in p.url_patterns:
                assert isinstance(q, URLPattern)
                if not q.name.startswith("office_"):
                    continue
                converters = q.pattern.converters
                value = ids_by_name.get(q.name, default_id)
                kwargs = {k: (value if type(c).__name__ == "IntConverter" else "results") for k, c in converters.items()}
                yield q.name, reverse(f"reviews:{q.name}", kwargs=kwargs)


def test_office_pages_refuse_everyone_else(client_for, cycle, bureau, other_bureau, partner, office):
    round_, criteria, its, exps = round_with_sheet(cycle, items=1, experts=2)
    a = rf.AssignmentFactory(item=its[0], expert=exps[0])
    conflict = rf.ConflictFactory(expert=exps[1], nominee_uscc=its[0].nominee_uscc)
    unassigned = expert(name="没有任务的专家")
    objection = _objection(office, its[0])
    urls = list(office_urls({
        "office_item": its[0].pk, "office_assignment_action": a.pk, "office_conflict_decide": conflict.pk,
        "office_objection_decide": objection.pk, "office_objection_evidence": objection.pk,
    }, round_.pk))
    assert len(urls) >= 14  # every office page of the app
    for user in (other_bureau, bureau, unassigned.user, exps[0].user, partner):
        client = client_for(user)
        for method in ("get", "post"):
            codes = [(name, getattr(client, method)(url, {"action": "close"}).status_code) for name, url in urls]
            assert all(code == 403 for _n, code in codes), (user, method, codes)
    anonymous = client_for(None)
    for _name, url in urls:
        for method in ("get", "post"):
            response = getattr(anonymous, method)(url)
            assert response.status_code == 302 and reverse("login") in response["Location"], url
    round_.refresh_from_db()
    assert round_.phase == Round.Phase.SCORING and not Job.objects.exists()
    # The office itself may open every page of this round.
    office_client = client_for(office)
    for name in ("office_rounds", "office_conflicts"):
        assert office_client.get(reverse(f"reviews:{name}")).status_code == 200
    for name in ("office_round", "office_assignment", "office_progress", "office_results", "office_notice"):
        assert office_client.get(reverse(f"reviews:{name}", args=[round_.pk])).status_code == 200, name
    assert office_client.get(reverse("reviews:office_item", args=[its[0].pk])).status_code == 200


def _objection(office, item):
    from django.utils import timezone

    from reviews.models import Objection, PublicNotice

    notice = PublicNotice.objects.create(round=item.round, title="公示", starts=timezone.localdate(),
                                         ends=timezone.localdate(), how_to_object="电话", published_by=office)
    return Objection.objects.create(notice=notice, item=item, objector="某人", content="异议", received_on=timezone.localdate(),
                                    recorded_by=office)


def test_create_round_and_add_accepted_nominations(client_for, cycle, office):
    client = client_for(office)
    nominations = [rf.accepted_nomination(cycle=cycle) for _ in range(2)]
    response = client.post(reverse("reviews:office_rounds"), {
        "kind": "enterprises", "title": "2026年企业评审", "experts_per_item": "3", "max_load": "20",
        "aggregation": "trimmed_mean", "notice_days": "5",
    })
    round_ = Round.objects.get(cycle=cycle, kind="enterprises")
    assert response.status_code == 302 and response["Location"] == reverse("reviews:office_round", args=[round_.pk])
    assert round_.sheet.criteria.exists()
    client.post(reverse("reviews:office_round", args=[round_.pk]), {"action": "populate"})
    assert set(round_.items.values_list("object_id", flat=True)) == {n.pk for n in nominations}
    # A second round of the same kind and year is refused with a message.
    response = client.post(reverse("reviews:office_rounds"), {
        "kind": "enterprises", "experts_per_item": "3", "max_load": "20", "aggregation": "mean", "notice_days": "5",
    }, follow=True)
    assert Round.objects.filter(cycle=cycle, kind="enterprises").count() == 1
    assert any(m.level_tag == "error" for m in response.context["messages"])
    page = client.get(reverse("reviews:office_rounds")).content.decode()
    assert "2026年企业评审" in page


def test_a_new_round_refused_shows_why(client_for, cycle, office):
    client = client_for(office)
    data = {"kind": "enterprises", "title": "", "experts_per_item": "3", "max_load": "20", "aggregation": "mean",
            "notice_days": "5"}
    invalid = client.post(reverse("reviews:office_rounds"), {**data, "experts_per_item": "x"})
    assert invalid.status_code == 302 and invalid["Location"] == reverse("reviews:office_rounds")
    errors = [str(m) for m in client.get(invalid["Location"]).context["messages"]]
    with translation.override(settings.LANGUAGE_CODE):
        label = str(CreateRoundForm().fields["experts_per_item"].label)
        no_year = translation.gettext("No programme year is open.")
    assert len(errors) == 1 and errors[0].startswith(f"{label}: ")  # the field's label, then its error
    cycle.is_current = False
    cycle.save(update_fields=["is_current"])
    closed = client.post(reverse("reviews:office_rounds"), data, follow=True)
    assert [str(m) for m in closed.context["messages"]] == [no_year]
    assert not Round.objects.exists()


def test_propose_as_job_adjust_and_confirm(client_for, cycle, office):
    client = client_for(office)
    round_, criteria, its, exps = round_with_sheet(cycle, phase=Round.Phase.ASSIGNMENT, n=2, items=3, experts=4)
    # exps[0] works for the first nominee: detected as a conflict.
    exps[0].unit_name = its[0].nominee_name
    exps[0].save()
    response = client.post(reverse("reviews:office_propose", args=[round_.pk]))
    job = Job.objects.get(kind="reviews.propose")
    assert response.status_code == 302 and response["Location"] == reverse("job", args=[job.pk])
    run_job(job.pk, assigning.propose_job)  # what the Celery worker does
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    assert not any(assigning.check_assignment(round_).values())
    page = client.get(reverse("reviews:office_assignment", args=[round_.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    for item in its:
        assert item.nominee_name in text
    assert sum(row["total"] for row in page.context["loads"]) == 6
    assert not Assignment.objects.filter(item=its[0], expert=exps[0]).exists()

    # Adding the conflicted expert is refused with a clear message.
    response = client.post(reverse("reviews:office_item", args=[its[0].pk]),
                           {"action": "add", "add-expert": exps[0].pk, "add-reason": ""}, follow=True)
    errors = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
    assert errors and exps[0].name in errors[0] and its[0].nominee_name in errors[0]
    assert not Assignment.objects.filter(item=its[0], expert=exps[0]).exclude(state="withdrawn").exists()

    # Reassign one proposed assignment to a free expert; withdraw needs a reason.
    moved = Assignment.objects.filter(item=its[1], state=Assignment.State.PROPOSED).first()
    live_on_1 = set(Assignment.objects.filter(item=its[1]).exclude(state="withdrawn").values_list("expert_id", flat=True))
    free = next(e for e in exps if e.pk not in live_on_1)
    client.post(reverse("reviews:office_assignment_action", args=[moved.pk]),
                {"action": "reassign", "re-expert": free.pk, "re-reason": "专业更对口"})
    moved.refresh_from_db()
    assert moved.state == Assignment.State.WITHDRAWN
    assert Assignment.objects.filter(item=its[1], expert=free, state=Assignment.State.PROPOSED).exists()
    other = Assignment.objects.filter(item=its[2], state=Assignment.State.PROPOSED).first()
    client.post(reverse("reviews:office_assignment_action", args=[other.pk]), {"action": "withdraw", "reason": ""})
    assert Assignment.objects.get(pk=other.pk).state == Assignment.State.PROPOSED

    # Confirm: every proposed assignment is confirmed and each expert is told.
    response = client.post(reverse("reviews:office_confirm_assignment", args=[round_.pk]), follow=True)
    assert not Assignment.objects.filter(item__round=round_, state=Assignment.State.PROPOSED).exists()
    notified = set(Notification.objects.values_list("user_id", flat=True))
    assigned = set(Assignment.objects.filter(item__round=round_, state="confirmed").values_list("expert__user_id", flat=True))
    assert assigned and assigned <= notified


def test_conflicts_confirm_and_dismiss_through_the_page(client_for, cycle, office):
    client = client_for(office)
    round_, criteria, its, exps = round_with_sheet(cycle, items=1, experts=2)
    keep = rf.AssignmentFactory(item=its[0], expert=exps[1])
    pending = rf.ConflictFactory(expert=exps[0], nominee_uscc=its[0].nominee_uscc, nominee_name=its[0].nominee_name,
                                 status=Conflict.Status.PENDING, source=Conflict.Source.DETECTED, reason="同一单位")
    other = rf.ConflictFactory(expert=exps[1], nominee_uscc=its[0].nominee_uscc, nominee_name=its[0].nominee_name,
                               status=Conflict.Status.PENDING, source=Conflict.Source.DETECTED, reason="疑似投资")
    page = client.get(reverse("reviews:office_conflicts")).content.decode()
    assert "同一单位" in page and "疑似投资" in page
    url = reverse("reviews:office_conflict_decide", args=[pending.pk])
    client.post(url, {"decision": "confirm", "reason": ""})
    assert Conflict.objects.get(pk=pending.pk).status == Conflict.Status.CONFIRMED
    # Dismissing needs a reason.
    url = reverse("reviews:office_conflict_decide", args=[other.pk])
    response = client.post(url, {"decision": "dismiss", "reason": ""}, follow=True)
    assert Conflict.objects.get(pk=other.pk).status == Conflict.Status.PENDING
    assert any(m.level_tag == "error" for m in response.context["messages"])
    client.post(url, {"decision": "dismiss", "reason": "该机构未实际投资"})
    assert Conflict.objects.get(pk=other.pk).status == Conflict.Status.DISMISSED
    assert Assignment.objects.get(pk=keep.pk).state == Assignment.State.CONFIRMED
    dismissed = client.get(reverse("reviews:office_conflicts") + "?status=dismissed").content.decode()
    assert "该机构未实际投资" in dismissed and "同一单位" not in dismissed


def test_phases_through_the_round_page(client_for, cycle, office):
    client = client_for(office)
    round_, criteria, its, exps = round_with_sheet(cycle, phase=Round.Phase.ASSIGNMENT, n=1, items=1, experts=1)
    a = rf.AssignmentFactory(item=its[0], expert=exps[0])
    url = reverse("reviews:office_round", args=[round_.pk])
    # Closing from the assignment phase is refused.
    response = client.post(url, {"action": "close"}, follow=True)
    assert any(m.level_tag == "error" for m in response.context["messages"])
    client.post(url, {"action": "open_scoring", "closes": "2030-01-31T17:00"})
    round_.refresh_from_db()
    assert round_.phase == Round.Phase.SCORING and round_.scoring_closes.year == 2030
    expert_client = client_for(exps[0].user)
    assert expert_client.get(reverse("reviews:expert_assignment", args=[a.pk])).status_code == 200
    # One review not started: closing needs an explicit confirmation with a reason.
    page = client.get(url).content.decode()
    assert 'data-testid="close-checklist"' in page
    response = client.post(url, {"action": "close"}, follow=True)
    assert any(m.level_tag == "error" for m in response.context["messages"])
    client.post(url, {"action": "close", "confirm_open": "1", "reason": ""})
    assert Round.objects.get(pk=round_.pk).phase == Round.Phase.SCORING
    client.post(url, {"action": "close", "confirm_open": "1", "reason": "专家因病无法评审"})
    round_.refresh_from_db()
    assert round_.phase == Round.Phase.CLOSED and round_.close_reason == "专家因病无法评审"
    assert expert_client.get(reverse("reviews:expert_assignment", args=[a.pk])).status_code == 403
    # Reopening scoring needs a reason.
    client.post(url, {"action": "reopen", "reason": ""})
    assert Round.objects.get(pk=round_.pk).phase == Round.Phase.CLOSED
    client.post(url, {"action": "reopen", "reason": "一位专家漏评"})
    assert Round.objects.get(pk=round_.pk).phase == Round.Phase.SCORING


def test_progress_per_expert_and_no_scores_while_scoring(client_for, cycle, office):
    client = client_for(office)
    round_, criteria, its, exps = round_with_sheet(cycle, n=2, items=2, experts=2)
    rows = [rf.AssignmentFactory(item=i, expert=e) for i in its for e in exps]
    submit(rows[0], criteria, ["41.37", "12"])
    page = client.get(reverse("reviews:office_progress", args=[round_.pk]))
    by_expert = {r["expert_id"]: r for r in page.context["rows"]}
    assert (by_expert[exps[0].pk]["submitted"], by_expert[exps[0].pk]["expected"]) == (1, 2)
    assert (by_expert[exps[1].pk]["submitted"], by_expert[exps[1].pk]["expected"]) == (0, 2)
    assert "1 / 2" in page.content.decode()
    # While scoring runs, the office sees progress but no score.
    item_page = client.get(reverse("reviews:office_item", args=[its[0].pk])).content.decode()
    assert "41.37" not in item_page and "53.37" not in item_page
    assert client.get(reverse("reviews:office_results", args=[round_.pk])).context["rows"] is None


def test_admin_shows_no_score_before_the_round_closes(client_for, cycle):
    admin_user = rf_office_admin()
    client = client_for(admin_user)
    round_, criteria, its, exps = round_with_sheet(cycle, n=1, items=1, experts=1)
    assignment = rf.AssignmentFactory(item=its[0], expert=exps[0])
    submit(assignment, criteria, ["41.37", "12"])
    review = assignment.review
    listing = reverse("admin:reviews_review_changelist")
    change = reverse("admin:reviews_review_change", args=[review.pk])
    text = client.get(listing).content.decode()
    assert "41.37" not in text and "53.37" not in text  # a criterion's score, the weighted total
    assert client.get(change).status_code in (302, 403, 404)
    version = review.history.latest().history_id
    history_page = reverse("admin:reviews_review_simple_history", args=[review.pk, version])
    assert client.get(history_page).status_code in (302, 403, 404)
    client.post(reverse("reviews:office_round", args=[round_.pk]), {"action": "close"})
    assert "53.37" in client.get(listing).content.decode()
    page = client.get(change)
    assert page.status_code == 200 and "41.37" in page.content.decode()
    assert client.get(history_page).status_code == 200


def test_score_sheet_is_edited_in_the_admin_until_scoring_starts(client_for, cycle):
    client = client_for(rf_office_admin())
    round_ = rf.RoundFactory(cycle=cycle, phase=Round.Phase.ASSIGNMENT)
    sheet = rf.ScoreSheetFactory(round=round_)
    criterion = rf.CriterionFactory(sheet=sheet, name="技术创新", max_score=Decimal("60"), order=1)
    url = reverse("admin:reviews_scoresheet_change", args=[sheet.pk])
    prefix = "criteria"
    data = {
        "title": "企业评分表", "round": round_.pk, "edit_token": edit_token(type(sheet), sheet.pk),
        f"{prefix}-TOTAL_FORMS": "2", f"{prefix}-INITIAL_FORMS": "1", f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
        f"{prefix}-0-id": criterion.pk, f"{prefix}-0-sheet": sheet.pk, f"{prefix}-0-order": "1",
        f"{prefix}-0-name": "技术创新", f"{prefix}-0-max_score": "60", f"{prefix}-0-weight": "1.5",
        f"{prefix}-0-guidance": "核心技术水平",
        f"{prefix}-1-sheet": sheet.pk, f"{prefix}-1-order": "2", f"{prefix}-1-name": "成长性",
        f"{prefix}-1-max_score": "40", f"{prefix}-1-weight": "1", f"{prefix}-1-guidance": "营收增长",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(sheet.criteria.order_by("order").values_list("name", "max_score", "weight", "guidance")) == [
        ("技术创新", Decimal("60"), Decimal("1.5"), "核心技术水平"), ("成长性", Decimal("40"), Decimal("1"), "营收增长")]
    # Once experts score, the sheet is fixed: totals already given depend on it.
    Round.objects.filter(pk=round_.pk).update(phase=Round.Phase.SCORING)
    data[f"{prefix}-0-weight"] = "3"
    data["edit_token"] = edit_token(type(sheet), sheet.pk)  # a fresh page: refused for the phase, not as stale
    client.post(url, data)
    assert sheet.criteria.get(pk=criterion.pk).weight == Decimal("1.5")


def rf_office_admin():
    from tests import factories as core

    return core.OfficeFactory(username="office-admin-reviews", is_staff=True, is_superuser=True)


def test_results_rank_select_and_override(client_for, cycle, office):
    client = client_for(office)
    round_, criteria, its, exps = closed_round(cycle, client, quota=2)
    page = client.get(reverse("reviews:office_results", args=[round_.pk]))
    text = page.content.decode()
    for e in exps:
        assert f"{e.name}: 80" in text  # every expert's total, after close
    assert 'data-testid="tie-rule"' in text
    ranked = [(r["item"].pk, r["item"].rank, r["item"].selected) for r in page.context["rows"]]
    assert ranked == [(its[0].pk, 1, True), (its[1].pk, 2, True), (its[2].pk, 3, False)]
    # The item page shows every expert's scores now.
    assert "40" in client.get(reverse("reviews:office_item", args=[its[0].pk])).content.decode()
    # Override without a reason is refused; with one it holds.
    url = reverse("reviews:office_item", args=[its[2].pk])
    client.post(url, {"action": "override", "selected": "1", "reason": ""})
    assert not ReviewItem.objects.get(pk=its[2].pk).selected
    client.post(url, {"action": "override", "selected": "1", "reason": "填补区域空白,经厅务会研究"})
    item = ReviewItem.objects.get(pk=its[2].pk)
    assert item.selected and item.overridden
    assert item.history.filter(history_change_reason__contains="填补区域空白").exists()


def test_ties_show_the_rule_applied(client_for, cycle, office):
    client = client_for(office)
    round_, criteria, its, exps = round_with_sheet(cycle, n=1, items=2, experts=1)
    for item in its:
        submit(rf.AssignmentFactory(item=item, expert=exps[0]), criteria, ["25", "25"])
    client.post(reverse("reviews:office_round", args=[round_.pk]), {"action": "close"})
    client.post(reverse("reviews:office_results", args=[round_.pk]), {"action": "rank"})
    rows = client.get(reverse("reviews:office_results", args=[round_.pk])).context["rows"]
    assert [r["item"].rank for r in rows] == [1, 2]
    assert rows[1]["item"].tie_note and rows[0]["item"].nominee_name in rows[1]["item"].tie_note


def test_results_export_runs_as_a_job(client_for, cycle, office, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(office)
    round_, *_rest = closed_round(cycle, client)
    response = client.post(reverse("reviews:office_export", args=[round_.pk, "results"]))
    job = Job.objects.get(kind="reviews.results")
    assert response["Location"] == reverse("job", args=[job.pk])
    run_job(job.pk, exports.results_job)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.result_name.endswith(".xlsx")
    download = client.get(reverse("job_download", args=[job.pk]))
    assert download.status_code == 200
    # The confirmed list cannot be printed before confirmation: the job fails with a message.
    client.post(reverse("reviews:office_export", args=[round_.pk, "confirmed"]))
    pdf_job = Job.objects.get(kind="reviews.confirmed_pdf")
    run_job(pdf_job.pk, exports.confirmed_pdf_job)
    pdf_job.refresh_from_db()
    assert pdf_job.status == Job.Status.FAILED and pdf_job.message
    # An unknown export is refused.
    response = client.post(reverse("reviews:office_export", args=[round_.pk, "everything"]), follow=True)
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_office_home_card_lists_rounds(client_for, cycle, office):
    round_ = rf.RoundFactory(cycle=cycle, title="本年度企业评审")
    text = client_for(office).get(reverse("home")).content.decode()
    assert 'data-testid="reviews-office-panel"' in text and "本年度企业评审" in text
    assert reverse("reviews:office_round", args=[round_.pk]) in text


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_office_pages_do_not_query_per_nomination(client_for, cycle, office):
    """The assignment, progress and results pages cost the same number of queries for 2 or 6 nominations."""
    client = client_for(office)
    round_, criteria, its, exps = round_with_sheet(cycle, n=2, items=2, experts=2)
    for item in its:
        for e in exps:
            submit(rf.AssignmentFactory(item=item, expert=e), criteria, ["10", "10"])
    client.post(reverse("reviews:office_round", args=[round_.pk]), {"action": "close"})
    names = ("office_assignment", "office_progress", "office_results")
    before = {n: _queries(client, reverse(f"reviews:{n}", args=[round_.pk])) for n in names}
    for _ in range(4):
        item = rf.ReviewItemFactory(round=round_)
        for e in exps:
            a = rf.AssignmentFactory(item=item, expert=e)
            Round.objects.filter(pk=round_.pk).update(phase=Round.Phase.SCORING)
            submit(a, criteria, ["20", "20"])
            Round.objects.filter(pk=round_.pk).update(phase=Round.Phase.CLOSED)
    after = {n: _queries(client, reverse(f"reviews:{n}", args=[round_.pk])) for n in names}
    assert after == before
