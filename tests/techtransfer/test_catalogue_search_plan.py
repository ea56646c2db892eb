"""The catalogue's search and a demand's suggestions as the bench measures them: one trigram index on
title and summary serves both (the query's expression and the index's must stay the same), special
characters are taken literally, Latin letters ignore case, and the page counts with its rows."""

import pytest
from django.db import connection, transaction
from django.urls import reverse

from techtransfer.domain import catalogue
from techtransfer.models import Result

from .factories import DemandFactory, ResultFactory

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigram index is PostgreSQL's")


def plan(queryset):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table: make the planner show what it could use
        return queryset.explain()


@postgresql_only
def test_the_search_and_the_suggestions_use_the_one_trigram_index():
    every = Result.objects.all()  # no other filter the planner could prefer on an empty table
    assert "result_text_trgm" in plan(catalogue.search(every, q="秸秆"))
    assert "result_text_trgm" in plan(catalogue.search(every, q="Lidar"))
    from django.db.models import BooleanField
    from django.db.models.expressions import RawSQL

    alike = every.filter(RawSQL(f"%s <%% {catalogue.RESULT_TEXT}", ["秸秆降解"], output_field=BooleanField()))
    assert "result_text_trgm" in plan(alike)


def test_special_characters_are_literal_and_latin_letters_ignore_case(client):
    percent = ResultFactory(title="转化率提升50%的催化剂", summary="工业级")
    ResultFactory(title="转化率提升500倍", summary="实验室")
    lidar = ResultFactory(title="车载LiDAR点云处理", summary="自动驾驶")
    snake = ResultFactory(title="a_b测试平台", summary="软件")
    ResultFactory(title="ab测试平台", summary="软件")
    found = lambda q: [r.pk for r in client.get(reverse("techtransfer:public_catalogue"), {"q": q}).context["object_list"]]  # noqa: E731
    assert found("50%") == [percent.pk]
    assert found("lidar") == [lidar.pk] and found("LIDAR") == [lidar.pk]
    assert found("a_b") == [snake.pk]
    assert found("秸秆\n降解") == []  # no match spans title and summary


def test_the_page_counts_its_hits_with_its_rows(client, django_assert_num_queries):
    for i in range(25):
        ResultFactory(title=f"玉米秸秆综合利用{i}", summary="秸秆")
    ResultFactory(title="无关", summary="无关")
    url = reverse("techtransfer:public_catalogue")
    response = client.get(url, {"q": "秸秆"})
    assert response.context["paginator"].count == 25 and len(response.context["object_list"]) == 20
    second = client.get(url, {"q": "秸秆", "page": 2})
    assert second.context["paginator"].count == 25 and len(second.context["object_list"]) == 5
    assert client.get(url, {"q": "秸秆", "page": 3}).status_code == 404
    assert client.get(url, {"q": "没有的词"}).context["paginator"].count == 0


def test_a_demand_gets_the_closest_results_first_when_many_look_alike():
    demand = DemandFactory(title="玉米秸秆生物降解", description="寻找玉米秸秆低温生物降解菌剂")
    close = ResultFactory(title="玉米秸秆低温生物降解菌剂", summary="寒地玉米秸秆生物降解")
    near = [ResultFactory(title=f"玉米秸秆生物降解工艺{i}", summary="秸秆还田") for i in range(3)]
    ResultFactory(title="高分子膜材料", summary="分离膜")
    ResultFactory(title="玉米秸秆生物降解菌", field="agriculture")  # another field
    found = catalogue.results_for_demand(demand, limit=3)
    assert found[0] == close and set(found[1:]) <= set(near) and len(found) == 3
    assert [r.pk for r in catalogue.results_for_demand(demand, limit=10)][:1] == [close.pk]
    assert len(catalogue.results_for_demand(demand, limit=10)) == 5  # the rest of the field follows
