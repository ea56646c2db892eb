"""The results catalogue: an institution's manager submits, the office publishes or returns with a
reason, the public finds results by any part of their text; each party only its own records."""

import pytest
from django.db import connection
from django.urls import reverse

from pojian.domain.errors import PermissionDenied, ValidationError
from techtransfer.domain import catalogue
from techtransfer.models import Result

from .factories import InstitutionFactory, ResultFactory, results_manager

pytestmark = pytest.mark.django_db
S = Result.State


def form(**over):
    return {"title": "高性能碳纤维复合材料制备技术", "field": "materials", "summary": "低成本连续碳纤维。",
            "maturity": "pilot", "trl": "6", "ip_items": "ZL202110000001.1 有效", "cooperation_modes": ["licence"],
            "price_low": "500000", "price_high": "2000000", "contact_name": "张老师", "contact_phone": "0431-1", **over}


def test_a_result_goes_from_draft_to_the_public_catalogue(client_for, office):
    institution = InstitutionFactory()
    manager = results_manager(institution, "jlu-results")
    c = client_for(manager)
    assert c.post(reverse("techtransfer:result_create"), form()).status_code == 302
    result = Result.objects.get()
    assert result.institution == institution and result.state == S.DRAFT and result.cooperation_modes == ["licence"]
    public = client_for(None)
    assert public.get(reverse("techtransfer:public_result", args=[result.pk])).status_code == 403
    c.post(reverse("techtransfer:result_submit", args=[result.pk]))
    client_for(office).post(reverse("techtransfer:moderate", args=[result.pk, "publish"]))
    result.refresh_from_db()
    assert result.state == S.PUBLISHED and result.published_at
    page = public.get(reverse("techtransfer:public_catalogue"), {"q": "碳纤维"})
    assert [r.pk for r in page.context["object_list"]] == [result.pk]
    assert "高性能碳纤维复合材料制备技术" in public.get(reverse("techtransfer:public_result", args=[result.pk])).content.decode()
    assert result.history.first().history_user == office


def test_returning_needs_a_reason_and_the_manager_may_edit_again(office):
    result = ResultFactory(state=S.SUBMITTED)
    with pytest.raises(ValidationError):
        catalogue.return_result(result, by=office, reason="  ")
    catalogue.return_result(result, by=office, reason="请补充专利有效性证明")
    result.refresh_from_db()
    assert result.state == S.RETURNED and result.return_reason == "请补充专利有效性证明"
    manager = results_manager(result.institution, "m1")
    catalogue.submit_result(result, by=manager)
    assert Result.objects.get(pk=result.pk).state == S.SUBMITTED


def test_another_institution_an_unapproved_manager_and_a_bureau_may_not_touch_a_result(client_for, bureau, expert):
    result = ResultFactory(state=S.DRAFT)
    other = results_manager(InstitutionFactory(), "other-inst")
    pending = results_manager(result.institution, "pending", approved=False)
    for user in (other, pending, bureau, expert):
        with pytest.raises(PermissionDenied):
            catalogue.submit_result(result, by=user)
        assert client_for(user).post(reverse("techtransfer:result_edit", args=[result.pk]), form()).status_code == 403
    assert client_for(pending).get(reverse("techtransfer:own_results")).status_code == 403
    # Not published: nobody but the office and the institution sees it, signed in or not.
    for user in (other, bureau, expert, None):
        assert client_for(user).get(reverse("techtransfer:public_result", args=[result.pk])).status_code == 403
    assert Result.objects.get(pk=result.pk).title == result.title


def test_only_the_office_moderates(client_for, bureau, expert, office):
    result = ResultFactory(state=S.SUBMITTED)
    for user in (bureau, expert, results_manager(result.institution, "self-publish")):
        assert client_for(user).post(reverse("techtransfer:moderate", args=[result.pk, "publish"])).status_code == 403
        assert client_for(user).get(reverse("techtransfer:moderation")).status_code == 403
    assert client_for(None).post(reverse("techtransfer:moderate", args=[result.pk, "publish"])).status_code == 302
    assert Result.objects.get(pk=result.pk).state == S.SUBMITTED
    assert client_for(office).post(reverse("techtransfer:moderate", args=[result.pk, "delete"])).status_code == 404


def test_search_finds_any_chinese_substring_and_filters(client):
    a = ResultFactory(title="寒地玉米秸秆生物降解技术", field="agriculture", summary="秸秆还田")
    b = ResultFactory(title="车用锂电池热管理系统", field="automotive", summary="适用于寒地低温环境的电池预热", maturity="industrial")
    ResultFactory(title="寒地草莓", state=S.SUBMITTED)  # not public
    found = lambda **q: [r.pk for r in client.get(reverse("techtransfer:public_catalogue"), q).context["object_list"]]  # noqa: E731
    assert sorted(found(q="寒地")) == sorted([a.pk, b.pk])
    assert found(q="秸秆生物") == [a.pk]
    assert found(q="寒地", field="automotive") == [b.pk]
    assert found(q="寒地", maturity="industrial") == [b.pk]
    assert found(q="不存在的词") == []


def test_the_catalogue_search_is_served_by_trigram_indexes_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes exist on PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'techtransfer_result'")
        names = {row[0] for row in cursor.fetchall()}
    assert "result_text_trgm" in names  # title and summary together (migration 0071)
