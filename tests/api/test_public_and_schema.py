"""Open data without sign-in (JSON and CSV, throttled), and a schema that validates, with its docs
served by the portal itself."""

import csv
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from api.views import PublicThrottle
from reports.domain import public
from reviews.models import PublicNotice
from tests.reviews.factories import ReviewItemFactory, RoundFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(cycle, office):
    round_ = RoundFactory(cycle=cycle)
    item = ReviewItemFactory(round=round_, nominee_name="长春=光电科技有限公司", rank=1, selected=True)
    ReviewItemFactory(round=round_, nominee_name="未入选企业", rank=2, selected=False)
    PublicNotice.objects.create(round=round_, title="2026年度入选企业公示", starts=timezone.localdate(),
                                ends=timezone.localdate(), how_to_object="来信", published_by=office)
    return item


def test_public_notices_as_json_and_csv_without_sign_in(client, published):
    rows = client.get("/api/v1/public/notices/").json()["results"]
    assert [r["name"] for r in rows] == ["长春=光电科技有限公司"]  # the selected only
    response = client.get("/api/v1/public/notices/?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert table[0]["name"] == "长春=光电科技有限公司" and table[0]["rank"] == "1"
    danger = client.get("/api/v1/public/notices/?format=csv").content.decode("utf-8-sig")
    assert ",=" not in danger  # no cell starts a formula


def test_a_notice_not_yet_started_is_not_public(client, published):
    later = timezone.localdate() + timezone.timedelta(days=3)
    PublicNotice.objects.update(starts=later, ends=later + timezone.timedelta(days=7))
    assert client.get("/api/v1/public/notices/").json()["results"] == []


def test_public_progress_shows_only_released_figures(client, cycle, office):
    assert client.get(f"/api/v1/public/progress/{cycle.year}/").json()["released_at"] is None
    public.release_progress(cycle=cycle, by=office)
    data = client.get(f"/api/v1/public/progress/{cycle.year}/").json()
    assert data["released_at"] and {r["name"] for r in data["results"]} >= {"长春市", "吉林市"}


def test_public_endpoints_are_throttled_per_address(client, published, monkeypatch):
    from django.core.cache import cache

    cache.clear()
    monkeypatch.setattr(PublicThrottle, "rate", "3/min", raising=False)
    codes = [client.get("/api/v1/public/notices/").status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    cache.clear()


def test_the_schema_validates_and_the_docs_are_served_locally(client, tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    schema = (tmp_path / "schema.yml").read_text()
    assert "/api/v1/tax/pushes/" in schema and "bearer" in schema
    docs = client.get("/api/v1/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in docs and "cdn" not in docs.lower()
    assert client.get("/api/v1/schema/").status_code == 200


def test_the_public_results_catalogue_lists_published_results_only(client):
    from tests.techtransfer.factories import ResultFactory

    ResultFactory(title="寒地秸秆降解菌剂")
    ResultFactory(title="寒地草莓栽培", state="submitted")
    rows = client.get("/api/v1/public/results/?q=寒地").json()["results"]
    assert [r["title"] for r in rows] == ["寒地秸秆降解菌剂"]
    assert client.get("/api/v1/public/results/?format=csv")["Content-Type"].startswith("text/csv")
