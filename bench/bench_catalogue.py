"""双千 catalogue: a Chinese substring search with filters over N published results (the public page,
pg_trgm GIN indexes), and the suggested results for one demand (trigram similarity), plus the
matching statistics over the same data.

    make bench BENCH_ARGS=catalogue         (BENCH_CATALOGUE_N=50000; targets 150 ms and 300 ms median)
"""

import datetime
import os
import random
import time

from django.db import connection
from django.test import Client
from django.utils import timezone

from bench.bench_enterprises import load
from bench.common import bench_database, copy, median_ms, reset_sequences, settings

N = int(os.environ.get("BENCH_CATALOGUE_N", "50000"))
SAMPLES = 15
TOPICS = ["碳纤维复合材料", "稀土永磁材料", "人参皂苷", "玉米秸秆还田", "新能源汽车电驱系统", "动力电池热管理",
          "工业机器人视觉", "风电机组运维", "氢能储运", "高功率激光器", "工业废水处理", "寒地水稻育种",
          "梅花鹿茸多肽", "光纤传感器", "数字孪生工厂", "石墨烯导热膜", "食用菌栽培", "遥感小卫星"]
VERBS = ["低成本制备技术", "改性工艺", "提取纯化工艺", "智能监测系统", "精密制造工艺", "测试评价系统", "新品种选育"]
FIELDS = ["materials", "biomedicine", "automotive", "agriculture", "energy", "software", "aerospace", "environment"]
MATURITIES = ["research", "small_pilot", "pilot", "industrial"]


def load_catalogue(n=N):
    """N results (9 in 10 published) from 40 institutions, and one demand; returns (office, demand)."""
    from enterprises.models import Enterprise
    from pojian.domain.uscc import numbered
    from pojian.models import Region, User
    from techtransfer.models import Demand, Institution, Result

    rng = random.Random(2026)
    region = Region.objects.get(code="220100")
    office = User.objects.create(username="bench-office", role="office")
    institutions = [Institution.objects.create(name=f"吉林测试大学{i}", uscc=numbered("12220000", i + 1),
                                               kind="university", region=region) for i in range(40)]
    now = timezone.now()
    t = time.perf_counter()
    rows = []
    for i in range(1, n + 1):
        topic, verb = rng.choice(TOPICS), rng.choice(VERBS)
        title = f"{topic}{verb}{i}"
        summary = f"面向吉林省{topic}产业的{verb}，{rng.choice(TOPICS)}相关，已申请发明专利{i % 97}项。"
        rows.append((i, rng.choice(institutions).pk, title, rng.choice(FIELDS), summary, rng.choice(MATURITIES),
                     "成果转化办公室", "0431-85000000", "published" if i % 10 else "submitted", office.pk,
                     now, now))
    copy(Result, ["id", "institution_id", "title", "field", "summary", "maturity", "contact_name",
                  "contact_phone", "state", "created_by_id", "created_at", "published_at"], rows)
    reset_sequences(Result)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE techtransfer_result")
    print(f"{n:,} results loaded in {time.perf_counter() - t:.1f} s", flush=True)
    enterprise = Enterprise.objects.create(name="长春测试新材料有限公司", uscc=numbered("91220101", 5), region=region)
    demand = Demand.objects.create(enterprise=enterprise, region=region, title="碳纤维复合材料低成本量产需求",
                                   field="materials", created_by=office,
                                   description="希望引进碳纤维复合材料的低成本制备技术，用于汽车轻量化部件。",
                                   deadline=datetime.date(2030, 1, 1))
    return office, demand


def main():
    from techtransfer.domain import catalogue, statistics
    from techtransfer.models import Result
    from techtransfer.paginators import WindowCountPaginator

    settings.DEBUG = False
    print(f"load average at start: {load()}", flush=True)
    with bench_database():
        _office, demand = load_catalogue()

        client = Client()
        queries = [({"q": "碳纤维", "field": "materials"}), ({"q": "人参皂苷提取", "maturity": "industrial"}),
                   ({"q": "智能监测", "field": "energy", "maturity": "pilot"}), ({"q": "寒地水稻"})]
        times = []
        for i in range(SAMPLES):
            params = queries[i % len(queries)]
            start = time.perf_counter()
            response = client.get("/techtransfer/catalogue/", params)
            times.append(time.perf_counter() - start)
            assert response.status_code == 200
        print(f"public catalogue page, Chinese substring search + filters over {N:,}: median "
              f"{median_ms(times):.0f} ms (target ≤ 150 ms) over {SAMPLES} requests", flush=True)

        times = []
        published = Result.objects.filter(state="published")
        for i in range(SAMPLES):
            params = queries[i % len(queries)]
            start = time.perf_counter()
            page = WindowCountPaginator(catalogue.search(published, **params).select_related("institution"), 20).page(1)
            total = page.paginator.count
            times.append(time.perf_counter() - start)
        print(f"search query alone (first 20 rows with the count, one query; the last had {total:,} hits): median "
              f"{median_ms(times):.0f} ms", flush=True)

        times = []
        for _ in range(SAMPLES):
            start = time.perf_counter()
            suggested = catalogue.results_for_demand(demand)
            times.append(time.perf_counter() - start)
        print(f"suggested results for one demand over {N:,}: median {median_ms(times):.0f} ms (target ≤ 300 ms), "
              f"top: {suggested[0].title if suggested else '-'}", flush=True)

        result = Result.objects.filter(state="published", field="materials").first()
        times = []
        for _ in range(SAMPLES):
            start = time.perf_counter()
            catalogue.demands_for_result(result)
            times.append(time.perf_counter() - start)
        print(f"suggested demands for one result: median {median_ms(times):.0f} ms", flush=True)

        times = []
        for _ in range(5):
            start = time.perf_counter()
            statistics.statistics()
            times.append(time.perf_counter() - start)
        print(f"matching statistics (province): median {median_ms(times):.0f} ms", flush=True)
        print(f"load average at the end: {load()}", flush=True)
        explain(demand)


def explain(demand):
    """EXPLAIN ANALYZE of the search and of the suggestions' candidate query, to see the indexes used."""
    from techtransfer.domain import catalogue
    from techtransfer.models import Result

    published = Result.objects.filter(state="published")
    qs = catalogue.search(published, q="碳纤维", field="materials").order_by("-published_at", "-pk")[:20]
    print("EXPLAIN ANALYZE search 碳纤维 + field:", flush=True)
    print(qs.explain(analyze=True), flush=True)

