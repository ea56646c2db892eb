import pytest


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Letters, imported workbooks and exported results go to a throw-away folder, never the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def calendar_for_today(request):
    """Page tests publish notices from today (no back-dating); whatever today is, its year and the next
    are countable: a year the migration did not load gets a plain calendar (weekends off, no holidays)."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None and not {"db", "transactional_db"} & set(request.fixturenames):
        return
    transactional = "transactional_db" in request.fixturenames or bool(marker and marker.kwargs.get("transaction"))
    request.getfixturevalue("transactional_db" if transactional else "db")
    from django.utils import timezone

    from pojian.models import CalendarYear

    year = timezone.localdate().year
    for y in (year, year + 1):
        CalendarYear.objects.get_or_create(year=y, defaults={"source": "tests: plain weeks"})
