from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from pojian.domain import cycle as cycle_domain
from pojian.models import Cycle, Region
from tests import factories


@pytest.mark.django_db
def test_regions_loaded_with_codes_and_kinds():
    expected = {"220100": "长春市", "220200": "吉林市", "220300": "四平市", "220400": "辽源市", "220500": "通化市",
                "220600": "白山市", "220700": "松原市", "220800": "白城市", "222400": "延边朝鲜族自治州", "220581": "梅河口市"}
    for code, name in expected.items():
        assert Region.objects.get(code=code).name == name
    assert Region.objects.filter(kind=Region.Kind.SPECIAL_ZONE).count() == 3
    assert Region.objects.get(code="220581").kind == Region.Kind.DIRECT_CITY
    assert Region.objects.nominating().count() == 13


@pytest.mark.django_db
def test_only_one_current_cycle_in_the_database():
    factories.CycleFactory(year=2025)
    with pytest.raises(IntegrityError):
        factories.CycleFactory(year=2026, is_current=True)


@pytest.mark.django_db
def test_make_current_moves_the_flag(office):
    old = factories.CycleFactory(year=2025)
    new = factories.CycleFactory(year=2026, is_current=False)
    cycle_domain.make_current(new, by=office)
    old.refresh_from_db()
    assert not old.is_current and Cycle.objects.current() == new
    assert new.history.first().history_user == office


@pytest.mark.django_db
def test_nomination_window_open_and_closed():
    c = factories.CycleFactory()
    assert c.nomination_window_open()
    assert not c.nomination_window_open(at=c.nomination_closes + timedelta(seconds=1))
    c.status = Cycle.Status.CLOSED
    assert not c.nomination_window_open(at=timezone.now())


@pytest.mark.django_db
def test_closed_cycle_is_read_only_in_admin(client_for):
    admin = factories.UserFactory(username="admin", is_superuser=True, is_staff=True, role="office")
    c = factories.CycleFactory(status=Cycle.Status.CLOSED)
    response = client_for(admin).post(f"/admin/pojian/cycle/{c.pk}/change/", {"year": 1999})
    c.refresh_from_db()
    assert c.year != 1999
    assert response.status_code in (200, 403)


@pytest.mark.django_db
def test_region_active_flag_change_is_audited(office):
    r = factories.region("220581")
    r.active = False
    r._history_user = office
    r.save()
    assert r.history.first().history_user == office
    assert r.history.count() == 1
