"""The 公示 and its objections through the pages, the public pages, and the bureaus' outcome card."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from enterprises.models import EnterpriseNomination
from pojian.domain.calendar import notice_end
from pojian.models import NominationState, Notification
from reviews.models import Objection, PublicNotice, ReviewItem
from tests.reviews.test_pages_office import closed_round

# A notice published today runs today only on a working day (see `on_a_working_day`).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_a_working_day")]

HOW_TO_OBJECT = "书面异议请于公示期内寄至省科技厅科技人才与企业服务处,电话0431-88888888。"


def publish(client, round_, **extra):
    data = {"action": "publish", "title": "", "starts": timezone.localdate().isoformat(), "how_to_object": HOW_TO_OBJECT,
            "show_industry": "on", **extra}
    return client.post(reverse("reviews:office_notice", args=[round_.pk]), data, follow=True)


def end_notice_period(round_):
    """Move the notice into the past: the period is over (what time would do)."""
    start = timezone.localdate() - timedelta(days=10)
    PublicNotice.objects.filter(round=round_).update(starts=start, ends=start + timedelta(days=4))


def test_publish_shows_only_the_selected_list_publicly(client_for, cycle, office):
    office_client = client_for(office)
    round_, criteria, its, exps = closed_round(cycle, office_client, quota=2)
    anonymous = client_for(None)
    # Nothing is public before the office publishes.
    listing = anonymous.get(reverse("reviews:public_notices"))
    assert listing.status_code == 200
    assert its[0].nominee_name not in listing.content.decode()

    response = publish(office_client, round_)
    notice = PublicNotice.objects.get(round=round_)
    assert notice.ends == notice_end(notice.starts, round_.notice_days)  # default 5 working days
    assert "公示" in response.content.decode()

    listing = anonymous.get(reverse("reviews:public_notices")).content.decode()
    assert reverse("reviews:public_notice", args=[notice.pk]) in listing
    page = anonymous.get(reverse("reviews:public_notice", args=[notice.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert its[0].nominee_name in text and its[1].nominee_name in text
    assert its[2].nominee_name not in text  # not selected
    assert HOW_TO_OBJECT in text
    assert notice.starts.strftime("%Y年%-m月%-d日") in text
    assert its[0].region.name in text
    # No personal data, nothing the office did not choose to show.
    for hidden in (its[0].nominee_uscc, exps[0].name, exps[0].phone, "80.00", office.username):
        assert hidden not in text


def test_public_page_shows_what_the_office_chose(client_for, cycle, office):
    office_client = client_for(office)
    round_, criteria, its, exps = closed_round(cycle, office_client, quota=1)
    publish(office_client, round_, show_uscc="on", show_score="on")
    notice = PublicNotice.objects.get(round=round_)
    text = client_for(None).get(reverse("reviews:public_notice", args=[notice.pk])).content.decode()
    assert its[0].nominee_uscc in text
    assert str(ReviewItem.objects.get(pk=its[0].pk).aggregate) in text


def test_notice_not_started_is_not_public(client_for, cycle, office):
    office_client = client_for(office)
    round_, *_ = closed_round(cycle, office_client)
    publish(office_client, round_, starts=(timezone.localdate() + timedelta(days=3)).isoformat())
    notice = PublicNotice.objects.get(round=round_)
    response = client_for(None).get(reverse("reviews:public_notice", args=[notice.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert reverse("reviews:public_notice", args=[notice.pk]) not in client_for(None).get(
        reverse("reviews:public_notices")).content.decode()


def test_publish_needs_how_to_object_and_a_ranked_round(client_for, cycle, office):
    office_client = client_for(office)
    round_, *_ = closed_round(cycle, office_client)
    response = publish(office_client, round_, how_to_object="")
    assert not PublicNotice.objects.filter(round=round_).exists()
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_objection_flow_and_confirmation(client_for, cycle, office, bureau, other_bureau, django_capture_on_commit_callbacks):
    office_client = client_for(office)
    round_, criteria, its, exps = closed_round(cycle, office_client, quota=2)
    publish(office_client, round_)
    notice = PublicNotice.objects.get(round=round_)
    url = reverse("reviews:office_notice", args=[round_.pk])

    # Record an objection against the second selected nomination.
    office_client.post(url, {"action": "objection", "item": its[1].pk, "objector": "", "content": "数据不实",
                             "received_on": timezone.localdate().isoformat()})
    assert not Objection.objects.exists()  # who objects is required
    office_client.post(url, {"action": "objection", "item": its[1].pk, "objector": "某公司职工", "contact": "139",
                             "content": "研发投入数据不实", "received_on": timezone.localdate().isoformat()})
    objection = Objection.objects.get()
    assert "研发投入数据不实" in office_client.get(url).content.decode()

    # Confirming is refused while the notice runs and while an objection is pending.
    response = office_client.post(url, {"action": "confirm"}, follow=True)
    assert any(m.level_tag == "error" for m in response.context["messages"])
    end_notice_period(round_)
    response = office_client.post(url, {"action": "confirm"}, follow=True)
    assert any(m.level_tag == "error" for m in response.context["messages"])
    round_.refresh_from_db()
    assert round_.results_confirmed_at is None

    # Uphold it (a reason is required): the nomination leaves the list.
    decide = reverse("reviews:office_objection_decide", args=[objection.pk])
    office_client.post(decide, {"outcome": "upheld", "reason": ""})
    assert Objection.objects.get().outcome == Objection.Outcome.PENDING
    office_client.post(decide, {"outcome": "upheld", "reason": "经核实研发费用归集有误"})
    assert Objection.objects.get().outcome == Objection.Outcome.UPHELD
    item = ReviewItem.objects.get(pk=its[1].pk)
    assert not item.selected and "经核实研发费用归集有误" in item.override_reason
    public = client_for(None).get(reverse("reviews:public_notice", args=[notice.pk])).content.decode()
    assert its[1].nominee_name not in public and its[0].nominee_name in public

    # Confirm: nominations become selected / not selected, the bureau is told and sees its outcome.
    with django_capture_on_commit_callbacks(execute=True):
        office_client.post(url, {"action": "confirm"})
    round_.refresh_from_db()
    assert round_.results_confirmed_at is not None
    states = dict(EnterpriseNomination.objects.filter(pk__in=[i.object_id for i in its]).values_list("pk", "state"))
    assert states == {its[0].object_id: NominationState.SELECTED, its[1].object_id: NominationState.NOT_SELECTED,
                      its[2].object_id: NominationState.NOT_SELECTED}
    assert Notification.objects.filter(user=bureau).exists()
    card = client_for(bureau).get(reverse("home")).content.decode()
    assert 'data-testid="reviews-bureau-panel"' in card
    assert its[0].nominee_name in card and its[1].nominee_name in card
    other_card = client_for(other_bureau).get(reverse("home")).content.decode()
    assert its[0].nominee_name not in other_card

    # After confirmation the public page shows the confirmed results.
    page = client_for(None).get(reverse("reviews:public_notice", args=[notice.pk])).content.decode()
    assert its[0].nominee_name in page and its[1].nominee_name not in page
    listing = client_for(None).get(reverse("reviews:public_notices")).content.decode()
    confirmed_url = reverse("reviews:public_confirmed", args=[cycle.year, "enterprises"])
    assert confirmed_url in listing and str(round_) not in listing  # never the internal round name
    confirmed = client_for(None).get(confirmed_url).content.decode()
    assert its[0].nominee_name in confirmed and its[1].nominee_name not in confirmed and "企业名称" in confirmed


def test_bureau_sees_no_outcome_before_confirmation(client_for, cycle, office, bureau):
    office_client = client_for(office)
    round_, criteria, its, exps = closed_round(cycle, office_client)
    publish(office_client, round_)
    card = client_for(bureau).get(reverse("home")).content.decode()
    assert 'data-testid="reviews-bureau-panel"' not in card


def test_other_cities_bureau_refused_office_notice_pages(client_for, cycle, office, other_bureau):
    office_client = client_for(office)
    round_, *_ = closed_round(cycle, office_client)
    client = client_for(other_bureau)
    assert client.get(reverse("reviews:office_notice", args=[round_.pk])).status_code == 403
    assert client.post(reverse("reviews:office_notice", args=[round_.pk]), {
        "action": "publish", "starts": timezone.localdate().isoformat(), "how_to_object": HOW_TO_OBJECT}).status_code == 403
    assert not PublicNotice.objects.exists()
