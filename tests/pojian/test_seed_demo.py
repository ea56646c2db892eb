import pytest
from django.apps import apps
from django.core.management import CommandError, call_command


def snapshot():
    return {m._meta.label: m.objects.count() for m in apps.get_models() if not m._meta.label.startswith(("sessions.", "admin."))}


@pytest.mark.django_db
def test_seed_demo_creates_every_role_with_the_demo_password_notifies_with_links_and_twice_gives_the_same_data(
    settings,
):
    # One test for these checks: seed_demo is the slowest set-up of the suite, and the first run is the same in each.
    from pojian.models import Cycle, User
    from tests.pojian.test_notifications import demo_notifications_all_have_a_body_and_absolute_links

    settings.SITE_URL = "https://pojian.kjt.jl.gov.cn"
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    demo_notifications_all_have_a_body_and_absolute_links()
    for username, role in [("office", "office"), ("bureau-220100", "bureau"), ("bureau-229903", "bureau"),
                           ("expert-1", "expert"), ("partner-1", "partner")]:
        user = User.objects.get(username=username)
        assert user.role == role
        assert user.check_password(settings.DEMO_PASSWORD)
    assert User.objects.get(username="bureau-220100").region.name == "长春市"
    current = Cycle.objects.current()
    assert current is not None and current.status == Cycle.Status.OPEN
    first = snapshot()
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert snapshot() == first


@pytest.mark.django_db
def test_seed_demo_refuses_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError):
        call_command("seed_demo")
