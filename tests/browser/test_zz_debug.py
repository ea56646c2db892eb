import pytest
from pojian.models import Region

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a(celery_worker_on_broker):
    pass


def test_b(live_server, page):
    from django.db import connection
    print("HAS", hasattr(connection, "_test_serialized_contents"), Region.objects.count())
    assert Region.objects.count() > 0
