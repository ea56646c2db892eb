"""County → city → province through the pages: the 南关区 county bureau prepares a nomination on the bureau
form, forwards it; 长春's bureau sees it among its counties' nominations, returns it with a reason, the county
corrects and forwards again, the city submits it to the province. Others are refused."""

import pytest
from django.urls import reverse

from enterprises.domain import nominations
from enterprises.models import EnterpriseNomination, PoolEntry
from pojian.models import Job, NominationState, Notification
from tests import factories
from tests.enterprises import factories as ef
from tests.enterprises.test_bureau_pages import form_data, letter


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def queued(monkeypatch):
    """The 四科 check jobs sent; the pool's refresh runs in this process (as in test_pool)."""
    from enterprises import tasks

    monkeypatch.setattr(tasks.refresh_pool, "delay", lambda *args: tasks.refresh_pool.apply(args=args))
    calls = []
    monkeypatch.setattr("enterprises.tasks.check_nomination_job.delay",
                        lambda job_id: calls.append(Job.objects.get(pk=job_id).params["nomination"]))
    return calls


def history_text(client, nomination):
    page = client.get(reverse("enterprises:bureau_nomination", args=[nomination.pk])).content.decode()
    return page.split('data-testid="history"', 1)[1]


@pytest.mark.django_db
def test_county_city_province_through_the_pages(cycle, county, bureau, office, client_for, queued,
                                                django_capture_on_commit_callbacks):
    county_client, city_client = client_for(county), client_for(bureau)
    # The county's list and form are its own.
    page = county_client.get(reverse("enterprises:bureau_nominations"))
    assert page.status_code == 200 and 'data-testid="county-note"' in page.content.decode()
    assert county_client.get(reverse("enterprises:bureau_nomination_create")).status_code == 200
    data = form_data(name="南关区精密仪器有限公司")
    data["nom-letter"] = letter()
    with django_capture_on_commit_callbacks(execute=True):
        response = county_client.post(reverse("enterprises:bureau_nomination_create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    n = EnterpriseNomination.objects.get()
    assert n.county == county.region and n.region == bureau.region and n.with_county
    assert n.enterprise.region == bureau.region
    # The pool knows the enterprise's county.
    entry = PoolEntry.objects.get(enterprise=n.enterprise)
    assert entry.county == county.region and entry.region == bureau.region

    # The city sees it, marked as being prepared, and may filter by county; it cannot edit, submit or return it yet.
    listing = city_client.get(reverse("enterprises:bureau_nominations"), {"county": county.region.pk}).content.decode()
    assert "南关区精密仪器有限公司" in listing and 'data-testid="county-step"' in listing
    other_county = factories.region("220103")
    listing = city_client.get(reverse("enterprises:bureau_nominations"), {"county": other_county.pk}).content.decode()
    assert "南关区精密仪器有限公司" not in listing
    detail = city_client.get(reverse("enterprises:bureau_nomination", args=[n.pk])).content.decode()
    assert 'data-testid="return-to-county"' not in detail and 'data-testid="action-submit"' not in detail
    assert city_client.get(reverse("enterprises:bureau_nomination_edit", args=[n.pk])).status_code == 302

    # The county forwards it (a confirmation is asked on the button).
    detail = county_client.get(reverse("enterprises:bureau_nomination", args=[n.pk])).content.decode()
    assert 'data-testid="forward"' in detail and "data-confirm" in detail
    county_client.post(reverse("enterprises:county_forward", args=[n.pk]), {"version": n.version})
    n.refresh_from_db()
    assert not n.with_county
    assert Notification.objects.filter(user=bureau, subject__contains="南关区").exists()
    # A second click (the page is stale) changes nothing.
    assert county_client.post(reverse("enterprises:county_forward", args=[n.pk]), {"version": n.version - 1}
                              ).status_code == 302

    # The city returns it: a reason is required.
    city_client.post(reverse("enterprises:county_return", args=[n.pk]), {"reason": "  ", "version": n.version})
    n.refresh_from_db()
    assert not n.with_county
    city_client.post(reverse("enterprises:county_return", args=[n.pk]), {"reason": "请补充研发费用明细", "version": n.version})
    n.refresh_from_db()
    assert n.with_county and n.state_reason == "请补充研发费用明细"
    assert Notification.objects.filter(user=county, body__contains="研发费用").exists()
    detail = county_client.get(reverse("enterprises:bureau_nomination", args=[n.pk])).content.decode()
    assert 'data-testid="county-return-reason"' in detail and "请补充研发费用明细" in detail

    # The county edits and forwards again; the city submits to the province.
    data = form_data(name="南关区精密仪器有限公司", uscc=n.enterprise.uscc, version=n.version,
                     **{"nom-recommendation": "已补充研发费用明细"})
    response = county_client.post(reverse("enterprises:bureau_nomination_edit", args=[n.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    n.refresh_from_db()
    county_client.post(reverse("enterprises:county_forward", args=[n.pk]), {"version": n.version})
    n.refresh_from_db()
    city_client.post(reverse("enterprises:nomination_transition", args=[n.pk]), {"action": "submit", "version": n.version})
    n.refresh_from_db()
    assert n.state == NominationState.SUBMITTED and n.recommendation == "已补充研发费用明细"

    # The history shows each step, in Chinese.
    history = history_text(client_for(county), n)
    assert "已报送市（州）科技局" in history and "已退回县（市、区）科技部门" in history and "请补充研发费用明细" in history
    # The county can no longer forward or edit; the office sees it.
    detail = county_client.get(reverse("enterprises:bureau_nomination", args=[n.pk])).content.decode()
    assert 'data-testid="forward"' not in detail and 'data-testid="edit"' not in detail
    assert client_for(office).get(reverse("enterprises:bureau_nomination", args=[n.pk])).status_code == 200
    office_page = client_for(office).get(reverse("enterprises:office_nomination", args=[n.pk])).content.decode()
    assert 'data-testid="county">南关区<' in office_page


@pytest.mark.django_db
def test_county_list_is_its_own(cycle, county, bureau, client_for, queued):
    """A county's list holds its own nominations only, not its city's own nor another county's."""
    own = nominations.create_nomination(by=county, cycle=cycle, enterprise=ef.EnterpriseFactory(region=bureau.region,
                                                                                                 name="南关甲公司"))
    nominations.create_nomination(by=bureau, cycle=cycle, enterprise=ef.EnterpriseFactory(region=bureau.region,
                                                                                         name="长春乙公司"))
    neighbour = factories.CountyFactory(username="county-kc", region=factories.region("220103"))
    nominations.create_nomination(by=neighbour, cycle=cycle, enterprise=ef.EnterpriseFactory(region=bureau.region,
                                                                                            name="宽城丙公司"))
    listing = client_for(county).get(reverse("enterprises:bureau_nominations")).content.decode()
    assert "南关甲公司" in listing and "长春乙公司" not in listing and "宽城丙公司" not in listing
    assert 'name="county"' not in listing  # no county to choose
    city = client_for(bureau).get(reverse("enterprises:bureau_nominations")).content.decode()
    assert all(name in city for name in ("南关甲公司", "长春乙公司", "宽城丙公司")) and 'name="county"' in city
    city = client_for(bureau).get(reverse("enterprises:bureau_nominations"), {"stage": "own"}).content.decode()
    assert "长春乙公司" in city and "南关甲公司" not in city
    assert own.county == county.region


@pytest.mark.django_db
def test_county_chooses_only_its_county_enterprises(cycle, county, bureau, other_bureau, client_for, queued):
    free = ef.EnterpriseFactory(region=bureau.region, name="长春未推荐公司")
    elsewhere = ef.EnterpriseFactory(region=other_bureau.region, name="吉林市公司")
    neighbour = factories.CountyFactory(username="county-kc", region=factories.region("220103"))
    claimed = ef.EnterpriseFactory(region=bureau.region, name="宽城已推荐公司")
    nominations.create_nomination(by=neighbour, cycle=cycle, enterprise=claimed)
    page = client_for(county).get(reverse("enterprises:bureau_nomination_create")).content.decode()
    assert "长春未推荐公司" in page and "吉林市公司" not in page and "宽城已推荐公司" not in page
    c = client_for(county)
    assert c.get(reverse("enterprises:bureau_nomination_create"), {"enterprise": elsewhere.pk}).status_code == 404
    assert c.get(reverse("enterprises:bureau_nomination_create"), {"enterprise": claimed.pk}).status_code == 404
    assert c.get(reverse("enterprises:bureau_nomination_create"), {"enterprise": free.pk}).status_code == 200
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        nominations.create_nomination(by=county, cycle=cycle, enterprise=claimed)


@pytest.mark.django_db
def test_county_steps_refused_to_others(cycle, county, other_county, bureau, other_bureau, expert, client_for, queued):
    n = nominations.create_nomination(by=county, cycle=cycle, enterprise=ef.EnterpriseFactory(region=bureau.region))
    forward = reverse("enterprises:county_forward", args=[n.pk])
    back = reverse("enterprises:county_return", args=[n.pk])
    for user in (other_county, other_bureau, expert):
        assert client_for(user).post(forward, {"version": n.version}).status_code == 403
        assert client_for(user).post(back, {"reason": "x", "version": n.version}).status_code == 403
    assert client_for(None).post(forward).status_code == 302
    # The city may see it but not forward it for the county.
    client_for(bureau).post(forward, {"version": n.version})
    n.refresh_from_db()
    assert n.with_county
    # GET is not a step.
    assert client_for(county).get(forward).status_code == 405
    # Another city's bureau and the other county cannot open the county's list entries or edit them.
    for user in (other_county, other_bureau, expert):
        assert client_for(user).get(reverse("enterprises:bureau_nomination_edit", args=[n.pk])).status_code == 403
    for user in (expert,):
        assert client_for(user).get(reverse("enterprises:bureau_nominations")).status_code == 403


@pytest.mark.django_db
def test_county_statistics_page_and_pool(cycle, county, bureau, other_bureau, other_county, expert, client_for, queued,
                                         django_capture_on_commit_callbacks):
    """The county's own page shows its nominations and its part of the pool; the pool list is its own."""
    with django_capture_on_commit_callbacks(execute=True):
        prepared = nominations.create_nomination(by=county, cycle=cycle,
                                                 enterprise=ef.EnterpriseFactory(region=bureau.region, name="南关甲公司"))
        nominations.create_nomination(by=county, cycle=cycle,
                                      enterprise=ef.EnterpriseFactory(region=bureau.region, name="南关乙公司"))
        nominations.create_nomination(by=bureau, cycle=cycle,
                                      enterprise=ef.EnterpriseFactory(region=bureau.region, name="长春丙公司"))
    from enterprises.domain import county as county_step

    county_step.forward_to_city(prepared, by=county)
    url = reverse("reports:county", args=[county.region.code])
    page = client_for(county).get(url).content.decode()
    assert 'data-testid="n-total">2<' in page and 'data-testid="n-with-county">1<' in page
    assert 'data-testid="n-forwarded">1<' in page and 'data-testid="pool-total">2<' in page
    assert client_for(bureau).get(url).status_code == 200
    for user in (other_bureau, other_county, expert):
        assert client_for(user).get(url).status_code == 403
    assert client_for(None).get(url).status_code == 302
    # The pool: the county sees its two, the city all three and filters by county.
    pool_url = reverse("enterprises:pool")
    listing = client_for(county).get(pool_url).content.decode()
    assert "南关甲公司" in listing and "南关乙公司" in listing and "长春丙公司" not in listing
    listing = client_for(bureau).get(pool_url, {"county": county.region.pk}).content.decode()
    assert "南关甲公司" in listing and "长春丙公司" not in listing
    assert "长春丙公司" in client_for(bureau).get(pool_url).content.decode()
    own_entry = PoolEntry.objects.get(enterprise__name="长春丙公司")
    assert client_for(county).get(reverse("enterprises:pool_entry", args=[own_entry.pk])).status_code == 403
    county_entry = PoolEntry.objects.get(enterprise__name="南关甲公司")
    assert client_for(county).get(reverse("enterprises:pool_entry", args=[county_entry.pk])).status_code == 200
    assert client_for(other_county).get(reverse("enterprises:pool_entry", args=[county_entry.pk])).status_code == 403
    # The county's export is its own county's, with the county in the last column.
    from openpyxl import load_workbook

    from enterprises import tasks

    assert client_for(county).post(reverse("enterprises:pool_export")).status_code == 302
    job = Job.objects.latest("pk")
    assert job.params["county"] == county.region_id and job.params["region"] is None
    tasks.export_pool(job.pk)
    job.refresh_from_db()
    rows = list(load_workbook(job.result_file.path).active.iter_rows(values_only=True))
    assert sorted(r[1] for r in rows[1:]) == ["南关乙公司", "南关甲公司"] and rows[1][-1] == "南关区"
