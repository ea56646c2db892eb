"""The reviewer dashboard through its pages: what an expert may open, score, submit and declare.

The walk over EVERY reviews URL (test_expert_refused_everywhere_*) substitutes the ids of things
the expert must not reach — another expert's assignment, an unassigned nomination, a conflicted
one — into every URL pattern of the app, GET and POST, and checks that nothing of them shows.
"""

from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from pojian.domain.pdf import minimal_pdf
from reviews.models import Assignment, Conflict, Review, Round, Score
from tests.reviews import factories as rf

pytestmark = pytest.mark.django_db

OTHER_SECRET = "另一位专家的保密评语XYZ"
OTHER_NOTE = "另一位专家的指标意见QRS"
NO_PASSWORD = None  # make_password(None) is unusable and instant: tests use force_login, and hashing takes seconds


def _submitted_review(assignment, criteria, values, *, comment="", note=""):
    review = Review.objects.create(
        assignment=assignment, recommendation=Review.Recommendation.RECOMMEND, comment=comment,
        total=sum((Decimal(v) * c.weight for v, c in zip(values, criteria, strict=True)), Decimal(0)),
    )
    for v, c in zip(values, criteria, strict=True):
        Score.objects.create(review=review, criterion=c, value=Decimal(v), comment=note)
    assignment.progress = Assignment.Progress.SUBMITTED
    assignment.save()
    return review


def scene(cycle):
    """A round in scoring: `me` is assigned A (with `other`), `other` alone has B, and C is mine but conflicted."""
    round_ = rf.RoundFactory(cycle=cycle, phase=Round.Phase.SCORING, experts_per_item=2)
    sheet = rf.ScoreSheetFactory(round=round_, instructions="请按评分细则打分")
    criteria = [
        rf.CriterionFactory(sheet=sheet, name="技术创新", guidance="核心技术水平与先进性", max_score=Decimal("60"), order=1),
        rf.CriterionFactory(sheet=sheet, name="成长性", guidance="营收增长与市场前景", max_score=Decimal("40"),
                            weight=Decimal("1.5"), order=2),
    ]
    a, b, c = (rf.ReviewItemFactory(round=round_) for _ in range(3))
    me = rf.ExpertFactory(name="我自己专家", user__password=NO_PASSWORD)
    other = rf.ExpertFactory(name="隔壁王专家", user__password=NO_PASSWORD)
    mine = rf.AssignmentFactory(item=a, expert=me)
    others_on_a = rf.AssignmentFactory(item=a, expert=other)
    others_on_b = rf.AssignmentFactory(item=b, expert=other)
    mine_on_c = rf.AssignmentFactory(item=c, expert=me)
    # A conflict recorded directly (not through the domain), so the assignment is still there:
    # the permission must refuse it by itself.
    conflict = rf.ConflictFactory(expert=me, nominee_uscc=c.nominee_uscc, nominee_name=c.nominee_name,
                                  status=Conflict.Status.PENDING, source=Conflict.Source.DETECTED)
    other_review = _submitted_review(others_on_a, criteria, ["47.13", "33.21"], comment=OTHER_SECRET, note=OTHER_NOTE)
    _submitted_review(others_on_b, criteria, ["12", "13"], comment=OTHER_SECRET)
    return {
        "round": round_, "criteria": criteria, "a": a, "b": b, "c": c, "me": me, "other": other, "mine": mine,
        "others_on_a": others_on_a, "others_on_b": others_on_b, "mine_on_c": mine_on_c, "conflict": conflict,
        "other_review": other_review,
    }


def reviews_patterns():
    """(name, pattern) of every URL in the reviews namespace."""
    for p in get_resolver().url_patterns:
        if isinstance(p, URLResolver) and p.namespace == "reviews":
            for q in p.url_patterns:
                assert isinstance(q, URLPattern)
                yield q.name, q.pattern


def urls_with(ids, extra_str="results"):
    """Every reviews URL with each of `ids` in its int parameter(s)."""
    for name, pattern in reviews_patterns():
        converters = getattr(pattern, "converters", {})
        if not converters:
            yield name, reverse(f"reviews:{name}")
            continue
        for value in ids:
            kwargs = {k: (value if type(c).__name__ == "IntConverter" else extra_str) for k, c in converters.items()}
            yield name, reverse(f"reviews:{name}", kwargs=kwargs)


def forbidden_texts(s):
    return [s["b"].nominee_name, s["c"].nominee_name, s["other"].name, OTHER_SECRET, OTHER_NOTE, "47.13", "33.21"]


def test_dashboard_lists_only_own_open_assignments(client_for, cycle):
    s = scene(cycle)
    page = client_for(s["me"].user).get(reverse("reviews:expert_dashboard"))
    assert page.status_code == 200
    text = page.content.decode()
    assert s["a"].nominee_name in text
    for secret in forbidden_texts(s):
        assert secret not in text
    assert page.context["progress"] == {"total": 1, "submitted": 0, "draft": 0, "todo": 1}


def test_expert_home_card_lists_assignments(client_for, cycle):
    s = scene(cycle)
    text = client_for(s["me"].user).get(reverse("home")).content.decode()
    assert 'data-testid="reviews-expert-panel"' in text
    assert s["a"].nominee_name in text
    assert s["c"].nominee_name not in text


def test_assignment_page_shows_material_and_sheet_but_no_other_expert(client_for, cycle, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    s = scene(cycle)
    nomination = s["a"].nomination
    nomination.letter.save("letter.pdf", ContentFile(minimal_pdf("test letter")), save=True)
    response = client_for(s["me"].user).get(reverse("reviews:expert_assignment", args=[s["mine"].pk]))
    assert response.status_code == 200
    text = response.content.decode()
    for expected in ("技术创新", "核心技术水平与先进性", "请按评分细则打分", nomination.recommendation,
                     'data-testid="material-verdict"', 'data-testid="material-figures"', 'data-testid="letter"'):
        assert expected in text
    for secret in forbidden_texts(s):
        assert secret not in text
    letter = client_for(s["me"].user).get(reverse("reviews:expert_letter", args=[s["mine"].pk]))
    assert letter.status_code == 200
    assert b"".join(letter.streaming_content).startswith(b"%PDF")


def test_expert_refused_everywhere_get(client_for, cycle):
    """GET every reviews URL with the ids of what the expert must not reach: refused, or nothing of it shown."""
    s = scene(cycle)
    client = client_for(s["me"].user)
    ids = sorted({s["others_on_a"].pk, s["others_on_b"].pk, s["mine_on_c"].pk, s["b"].pk, s["c"].pk,
                  s["round"].pk, s["conflict"].pk, s["other_review"].pk})
    checked = refused = 0
    failures = []
    for name, url in urls_with(ids):
        response = client.get(url)
        checked += 1
        if response.status_code in (403, 404, 405) or (response.status_code == 302 and "login" in response["Location"]):
            refused += 1
            continue
        body = response.content.decode() if not getattr(response, "streaming", False) else ""
        leaked = [t for t in forbidden_texts(s) if t in body]
        if response.status_code != 200 or leaked:
            failures.append((name, url, response.status_code, leaked))
    assert not failures
    assert checked > 40 and refused > 30  # the walk really covered the app


def test_expert_refused_everywhere_post(client_for, cycle):
    """POST to every reviews URL with such ids and data that would change things: nothing of theirs changes."""
    s = scene(cycle)
    client = client_for(s["me"].user)
    criteria = s["criteria"]
    data = {
        "action": "submit", "recommendation": "not_recommend", "comment": "改掉", "kind": "other", "reason": "我要改",
        "decision": "dismiss", "outcome": "upheld", "selected": "1", "quota": "1",
        **{f"score_{c.pk}": "1" for c in criteria},
    }
    ids = sorted({s["others_on_a"].pk, s["others_on_b"].pk, s["mine_on_c"].pk, s["b"].pk, s["c"].pk, s["round"].pk,
                  s["conflict"].pk})
    ids = [i for i in ids if i != s["mine"].pk]  # the expert's own assignment may legitimately change
    failures = []
    for name, url in urls_with(ids):
        response = client.post(url, data)
        if response.status_code in (403, 404, 405) or (response.status_code == 302 and "login" in response["Location"]):
            continue
        body = response.content.decode() if not getattr(response, "streaming", False) else ""
        leaked = [t for t in forbidden_texts(s) if t in body]
        if response.status_code not in (200, 302) or leaked:
            failures.append((name, url, response.status_code, leaked))
    assert not failures
    other_review = Review.objects.get(pk=s["other_review"].pk)
    assert (other_review.version, other_review.total, other_review.comment) == (
        s["other_review"].version, s["other_review"].total, OTHER_SECRET)
    assert not Assignment.objects.filter(item=s["b"], expert=s["me"]).exists()
    assert not Review.objects.filter(assignment=s["mine_on_c"]).exists()
    conflict = Conflict.objects.get(pk=s["conflict"].pk)
    assert conflict.status == Conflict.Status.PENDING
    assert Round.objects.get(pk=s["round"].pk).phase == Round.Phase.SCORING
    assert Assignment.objects.get(pk=s["others_on_b"].pk).state == Assignment.State.CONFIRMED


def test_expert_pages_refuse_bureaus_partners_and_anonymous(client_for, cycle, bureau, other_bureau, partner):
    """Every expert_* URL, with the ids of a real assignment: no bureau (of its region or another city),
    partner or anonymous visitor reaches it, and nothing changes."""
    s = scene(cycle)
    conflicts_before = Conflict.objects.count()
    urls = [url for name, url in urls_with([s["mine"].pk]) if name.startswith("expert_")]
    assert len(urls) == 7
    data = {"action": "submit", "kind": "other", "reason": "我要改", "recommendation": "recommend",
            **{f"score_{c.pk}": "1" for c in s["criteria"]}}
    for user in (bureau, other_bureau, partner):
        client = client_for(user)
        for url in urls:
            for method in ("get", "post"):
                assert getattr(client, method)(url, data).status_code == 403, (user.username, method, url)
    anonymous = client_for(None)
    for url in urls:
        for method in ("get", "post"):
            response = getattr(anonymous, method)(url, data)
            assert response.status_code == 302 and reverse("login") in response["Location"], (method, url)
    mine = Assignment.objects.get(pk=s["mine"].pk)
    assert (mine.state, mine.progress) == (Assignment.State.CONFIRMED, Assignment.Progress.TODO)
    assert not Review.objects.filter(assignment=mine).exists() and Conflict.objects.count() == conflicts_before


def test_unlinked_or_unassigned_expert_sees_nothing(client_for, cycle, expert):
    s = scene(cycle)
    client = client_for(expert)  # an expert account with no entry in the pool
    page = client.get(reverse("reviews:expert_dashboard"))
    assert page.status_code == 200 and 'data-testid="no-expert"' in page.content.decode()
    for a in (s["mine"], s["others_on_a"]):
        assert client.get(reverse("reviews:expert_assignment", args=[a.pk])).status_code == 403


def _score_data(criteria, values, action="save", recommendation="recommend", version=0, note="理由"):
    data = {"action": action, "recommendation": recommendation, "comment": "总体评价", "version": version}
    for c, v in zip(criteria, values, strict=True):
        data[f"score_{c.pk}"] = v
        data[f"note_{c.pk}"] = f"{note}{c.pk}"
    return data


def test_save_draft_then_submit_locks(client_for, cycle):
    s = scene(cycle)
    client = client_for(s["me"].user)
    url = reverse("reviews:expert_assignment", args=[s["mine"].pk])
    response = client.post(url, _score_data(s["criteria"], ["50", ""]))
    assert response.status_code == 302
    mine = Assignment.objects.get(pk=s["mine"].pk)
    assert mine.progress == Assignment.Progress.DRAFT
    review = Review.objects.get(assignment=mine)
    assert review.total is None  # not every criterion scored yet

    # Submitting with a criterion missing saves the draft but does not submit.
    client.post(url, _score_data(s["criteria"], ["50", ""], action="submit", version=review.version))
    assert Assignment.objects.get(pk=mine.pk).progress == Assignment.Progress.DRAFT

    review.refresh_from_db()
    response = client.post(url, _score_data(s["criteria"], ["50", "30.5"], action="submit", version=review.version), follow=True)
    mine.refresh_from_db()
    assert mine.progress == Assignment.Progress.SUBMITTED
    review.refresh_from_db()
    assert review.total == Decimal("50") + Decimal("30.5") * Decimal("1.5")
    text = response.content.decode()
    assert 'data-testid="locked"' in text
    assert 'data-testid="save-draft"' not in text and 'data-testid="submit-review"' not in text

    # Locked: a further POST changes nothing.
    client.post(url, _score_data(s["criteria"], ["1", "1"], action="save", version=review.version))
    review.refresh_from_db()
    assert review.total == Decimal("95.75")
    assert [sc.value for sc in review.scores.order_by("criterion__order")] == [Decimal("50"), Decimal("30.5")]


def test_out_of_range_score_is_refused_with_a_message(client_for, cycle):
    s = scene(cycle)
    client = client_for(s["me"].user)
    url = reverse("reviews:expert_assignment", args=[s["mine"].pk])
    response = client.post(url, _score_data(s["criteria"], ["61", "10"]))
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert any("技术创新" in m and "60" in m for m in messages)
    assert not Review.objects.filter(assignment=s["mine"]).exists()
    assert 'value="61"' in response.content.decode()  # what the expert typed is kept


def test_stale_form_is_refused(client_for, cycle):
    s = scene(cycle)
    client = client_for(s["me"].user)
    url = reverse("reviews:expert_assignment", args=[s["mine"].pk])
    client.post(url, _score_data(s["criteria"], ["10", "10"]))
    review = Review.objects.get(assignment=s["mine"])
    client.post(url, _score_data(s["criteria"], ["20", "20"], version=review.version))
    response = client.post(url, _score_data(s["criteria"], ["30", "30"], version=review.version))  # an old tab
    assert response.status_code == 200
    review.refresh_from_db()
    assert review.total == Decimal("20") + Decimal("20") * Decimal("1.5")


def test_office_reopen_lets_the_expert_edit_again(client_for, cycle, office):
    s = scene(cycle)
    client = client_for(s["me"].user)
    url = reverse("reviews:expert_assignment", args=[s["mine"].pk])
    client.post(url, _score_data(s["criteria"], ["40", "20"], action="submit"))
    assert Assignment.objects.get(pk=s["mine"].pk).is_submitted
    office_client = client_for(office)
    office_client.post(reverse("reviews:office_assignment_action", args=[s["mine"].pk]), {"action": "reopen", "reason": ""})
    assert Assignment.objects.get(pk=s["mine"].pk).is_submitted  # a reason is required
    office_client.post(reverse("reviews:office_assignment_action", args=[s["mine"].pk]),
                       {"action": "reopen", "reason": "请复核成长性得分"})
    assert not Assignment.objects.get(pk=s["mine"].pk).is_submitted
    page = client.get(url).content.decode()
    assert "请复核成长性得分" in page and 'data-testid="save-draft"' in page
    review = Review.objects.get(assignment=s["mine"])
    client.post(url, _score_data(s["criteria"], ["40", "30"], action="submit", version=review.version))
    review.refresh_from_db()
    assert review.total == Decimal("85") and Assignment.objects.get(pk=s["mine"].pk).is_submitted


@pytest.mark.parametrize("phase", [Round.Phase.ASSIGNMENT, Round.Phase.CLOSED])
def test_no_scoring_outside_the_scoring_phase(client_for, cycle, phase):
    s = scene(cycle)
    Round.objects.filter(pk=s["round"].pk).update(phase=phase)
    client = client_for(s["me"].user)
    url = reverse("reviews:expert_assignment", args=[s["mine"].pk])
    assert client.get(url).status_code == 403
    assert client.post(url, _score_data(s["criteria"], ["10", "10"])).status_code == 403
    assert not Review.objects.filter(assignment=s["mine"]).exists()
    assert f'href="{url}"' not in client.get(reverse("reviews:expert_dashboard")).content.decode()


def test_proposed_assignment_is_not_visible(client_for, cycle):
    s = scene(cycle)
    Assignment.objects.filter(pk=s["mine"].pk).update(state=Assignment.State.PROPOSED)
    client = client_for(s["me"].user)
    assert client.get(reverse("reviews:expert_assignment", args=[s["mine"].pk])).status_code == 403


def test_declare_conflict_hands_the_assignment_back(client_for, cycle, office, django_capture_on_commit_callbacks):
    s = scene(cycle)
    client = client_for(s["me"].user)
    url = reverse("reviews:expert_declare_conflict", args=[s["mine"].pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"kind": Conflict.Kind.COLLABORATION, "reason": ""})
    assert response.status_code == 200  # an explanation is required
    assert Assignment.objects.get(pk=s["mine"].pk).state == Assignment.State.CONFIRMED
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"kind": Conflict.Kind.COLLABORATION, "reason": "近三年合作过项目"})
    assert response.status_code == 302 and response["Location"] == reverse("reviews:expert_dashboard")
    assert Assignment.objects.get(pk=s["mine"].pk).state == Assignment.State.WITHDRAWN
    conflict = Conflict.objects.get(expert=s["me"], kind=Conflict.Kind.COLLABORATION)
    assert conflict.source == Conflict.Source.DECLARED
    # The nomination is gone from the dashboard and can no longer be opened.
    mine_url = reverse("reviews:expert_assignment", args=[s["mine"].pk])
    assert mine_url not in client.get(reverse("reviews:expert_dashboard")).content.decode()
    assert client.get(mine_url).status_code == 403
    # The office sees it in the conflicts list.
    text = client_for(office).get(reverse("reviews:office_conflicts") + "?status=confirmed").content.decode()
    assert "近三年合作过项目" in text


def test_upcoming_assignments_offer_a_conflict_declaration(client_for, cycle):
    s = scene(cycle)
    Round.objects.filter(pk=s["round"].pk).update(phase=Round.Phase.ASSIGNMENT)
    text = client_for(s["me"].user).get(reverse("reviews:expert_dashboard")).content.decode()
    assert 'data-testid="upcoming"' in text
    assert reverse("reviews:expert_declare_conflict", args=[s["mine"].pk]) in text
    assert s["c"].nominee_name not in text


def test_dashboard_is_in_chinese(client_for, cycle):
    s = scene(cycle)
    text = client_for(s["me"].user).get(reverse("reviews:expert_assignment", args=[s["mine"].pk])).content.decode()
    assert "保存为草稿" in text and "提交" in text and "评分表" in text


def test_dashboard_does_not_query_per_assignment(client_for, cycle):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    s = scene(cycle)
    client = client_for(s["me"].user)
    url = reverse("reviews:expert_dashboard")
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for _ in range(3):
        rf.AssignmentFactory(item=rf.ReviewItemFactory(round=s["round"]), expert=s["me"])
    with CaptureQueriesContext(connection) as after:
        page = client.get(url)
    assert page.context["progress"]["total"] == 4
    assert len(after.captured_queries) == len(before.captured_queries)


def test_finished_tab_keeps_submitted_reviews_after_closing(client_for, cycle):
    s = scene(cycle)
    review = _submitted_review(s["mine"], s["criteria"], ["51", "22"], comment="我的总体评价XYZ")
    Assignment.objects.filter(pk=s["mine"].pk).update(submitted_at=review.updated_at)
    Round.objects.filter(pk=s["round"].pk).update(phase=Round.Phase.CLOSED)
    client = client_for(s["me"].user)
    listing = client.get(reverse("reviews:expert_finished")).content.decode()
    assert s["a"].nominee_name in listing and s["b"].nominee_name not in listing and s["c"].nominee_name not in listing
    page = client.get(reverse("reviews:expert_finished_review", args=[s["mine"].pk])).content.decode()
    assert "我的总体评价XYZ" in page and "51" in page and "<form" not in page.split("<main", 1)[-1].split("</main>")[0]
    assert OTHER_SECRET not in page and "47.13" not in page
    # The old link to the assignment leads to the read-only review, not a bare 403.
    old = client.get(reverse("reviews:expert_assignment", args=[s["mine"].pk]))
    assert old.status_code == 302 and old["Location"] == reverse("reviews:expert_finished_review", args=[s["mine"].pk])


def test_old_link_to_an_unsubmitted_assignment_explains_itself(client_for, cycle):
    s = scene(cycle)
    Round.objects.filter(pk=s["round"].pk).update(phase=Round.Phase.CLOSED)
    response = client_for(s["me"].user).get(reverse("reviews:expert_assignment", args=[s["mine"].pk]))
    assert response.status_code == 403 and 'data-testid="assignment-unavailable"' in response.content.decode()
    assert "本轮评审已关闭" in response.content.decode()


def test_finished_review_of_another_expert_is_refused(client_for, cycle):
    s = scene(cycle)
    client = client_for(s["me"].user)
    assert client.get(reverse("reviews:expert_finished_review", args=[s["others_on_a"].pk])).status_code == 403
    other_client = client_for(s["other"].user)
    assert other_client.get(reverse("reviews:expert_finished_review", args=[s["others_on_a"].pk])).status_code == 200


def test_assigned_expert_opens_the_nomination_form_pdf(client_for, cycle, office):
    from tests.enterprises import factories as ent
    from tests.pdfcheck import has_embedded_cjk_font

    s = scene(cycle)
    nomination = ent.EnterpriseNominationFactory(cycle=cycle)
    from django.contrib.contenttypes.models import ContentType

    ReviewItem = s["a"].__class__
    ReviewItem.objects.filter(pk=s["a"].pk).update(content_type=ContentType.objects.get_for_model(nomination),
                                                  object_id=nomination.pk)
    client = client_for(s["me"].user)
    dashboard = client.get(reverse("reviews:expert_dashboard")).content.decode()
    url = reverse("reviews:expert_nomination_form", args=[s["mine"].pk])
    assert url in dashboard
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert has_embedded_cjk_font(response.content)
    unassigned = rf.ExpertFactory(name="无关专家", user__password=NO_PASSWORD)
    assert client_for(unassigned.user).get(url).status_code == 403
    assert client_for(s["other"].user).get(url).status_code == 403
