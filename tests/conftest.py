import os

import pytest

from tests import factories

# Playwright's sync API runs an event loop in the test thread; Django's ORM must still work there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# POJIAN_TEST_TODAY=2028-02-29 runs the whole session with the clock on that day (10:00 local
# time, ticking), to find tests that depend on the calendar date: `make test-dates` runs the
# suite on 1 December, 5 December (a Saturday), 31 December, 1 January and 29 February.
_traveller = None


def pytest_configure(config):
    global _traveller
    today = os.environ.get("POJIAN_TEST_TODAY", "").strip()
    if not today:
        return
    import datetime
    from zoneinfo import ZoneInfo

    import time_machine

    day = datetime.date.fromisoformat(today)
    _traveller = time_machine.travel(datetime.datetime(day.year, day.month, day.day, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
                                     tick=True)
    _traveller.start()


def pytest_unconfigure(config):
    global _traveller
    if _traveller is not None:
        _traveller.stop()
        _traveller = None


def pytest_report_header(config):
    today = os.environ.get("POJIAN_TEST_TODAY", "").strip()
    return f"clock travelled to {today} (POJIAN_TEST_TODAY)" if today else None


@pytest.fixture
def cycle(db):
    return factories.CycleFactory()


@pytest.fixture
def office(db):
    return factories.OfficeFactory(username="office-t")


@pytest.fixture
def bureau(db):
    """The 长春市 bureau."""
    return factories.BureauFactory(username="bureau-cc", region=factories.region("220100"))


@pytest.fixture
def other_bureau(db):
    """The 吉林市 bureau: another city, which must be refused what is 长春's."""
    return factories.BureauFactory(username="bureau-jl", region=factories.region("220200"))


@pytest.fixture
def county(db):
    """The 南关区 county bureau (under 长春)."""
    return factories.CountyFactory(username="county-ng", region=factories.region("220102"))


@pytest.fixture
def other_county(db):
    """The 昌邑区 county bureau (under 吉林): a county of another city."""
    return factories.CountyFactory(username="county-cy", region=factories.region("220202"))


@pytest.fixture
def expert(db):
    return factories.ExpertFactory(username="expert-t")


@pytest.fixture
def partner(db):
    return factories.PartnerFactory(username="partner-t")


@pytest.fixture
def client_for(client):
    """client_for(user) -> a test client logged in as that user (None: anonymous)."""
    from django.test import Client

    def make(user):
        c = Client()
        if user is not None:
            c.force_login(user)
        return c

    return make


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's Chromium: a browser download never works here.
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"],
    }


@pytest.fixture
def celery_worker_on_broker(transactional_db, settings):
    """A real Celery worker (in a thread of this process) consuming from the configured broker.

    Tests about tasks use it so the task really crosses Redis. Without a broker (a laptop with
    no Redis, where tasks run in-process) those tests are skipped; CI always has one.
    """
    from django.conf import settings as dj

    if dj.CELERY_TASK_ALWAYS_EAGER:
        pytest.skip("no Celery broker configured (set CELERY_BROKER_URL); CI runs this")
    import celery.contrib.testing.tasks  # noqa: F401 - registers celery.ping for the start-up check
    from celery.contrib.testing.worker import start_worker

    from pojian.celery import app

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    app.conf.task_always_eager = False
    # A queue of this test process's own: parallel test processes (xdist) each have a database of
    # their own, and must not run each other's tasks.
    queue = f"tests-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        with start_worker(app, pool="solo", perform_ping_check=True, shutdown_timeout=30, loglevel="WARNING",
                          queues=[queue]) as worker:
            yield worker
    finally:
        app.conf.task_default_queue = previous


@pytest.fixture(autouse=True)
def _force_login_passes_two_factor(monkeypatch):
    """client.force_login(user) also marks the session as past the second factor.

    Pages are what most tests are about, not signing in; tests of two-factor itself pass
    otp_verified=False (or sign in through the forms) to get a session that is not verified.
    """
    from django.test import Client

    original = Client.force_login

    def force_login(self, user, backend=None, *, otp_verified=True):
        original(self, user, backend)
        if otp_verified:
            from tests.otp import mark_verified

            mark_verified(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture(scope="session", autouse=True)
def _test_settings(tmp_path_factory):
    """Settings for the whole run.

    Django's PBKDF2 costs a noticeable fraction of a second per test user, and no test is about
    hash strength. Uploads and generated files go to a temporary folder, never the repo's media/.
    Each test process (and the workers it starts) gets a temporary folder of its own: the annual
    report's clean-up of a killed run removes scratch folders by report id, and two processes'
    databases both have a report 1.
    """
    import tempfile

    from django.test import override_settings

    scratch = str(tmp_path_factory.mktemp("tmp"))
    saved = tempfile.tempdir, os.environ.get("TMPDIR")
    tempfile.tempdir, os.environ["TMPDIR"] = scratch, scratch
    try:
        with override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            MEDIA_ROOT=str(tmp_path_factory.mktemp("media")),
        ):
            yield
    finally:
        tempfile.tempdir = saved[0]
        if saved[1] is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = saved[1]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, with the rows the data migrations load: a reused database (--reuse-db) may have
    been flushed by the last session's last transactional test."""
    from tests.migration_data import restore

    with django_db_blocker.unblock():
        restore()


_FLUSHED = pytest.StashKey[bool]()


@pytest.fixture(autouse=True)
def _restore_after_flush(request):
    """Marks a transactional test (transactional_db, django_db(transaction=True), live_server) once its
    database is set up: Django flushes every table at its end, and the hook below then restores the rows the
    migrations load."""
    marker = request.node.get_closest_marker("django_db")
    if {"transactional_db", "live_server"} & set(request.fixturenames) or (marker and marker.kwargs.get("transaction")):
        request.getfixturevalue("transactional_db")
        request.node.stash[_FLUSHED] = True


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a transactional test's flush (its fixtures' teardown), the migrations' rows come back, outside any
    test transaction: the regions, the holiday calendar, the funding lines, the periodic tasks
    (tests/migration_data.py). Test order never matters."""
    yield
    # nextitem None: the session ends, and this teardown has already dropped the test database; the next
    # session's set-up restores a reused one.
    if item.stash.get(_FLUSHED, False) and nextitem is not None:
        from pytest_django.plugin import blocking_manager_key

        from tests.migration_data import restore

        with item.config.stash[blocking_manager_key].unblock():
            restore()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the portal's default language, as it would alone.

    A request through LocaleMiddleware leaves its language active in the thread; without this
    a later test's messages would depend on which test ran before it.
    """
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def on_a_working_day():
    """The clock on a Tuesday that is a working day (16 June 2026, 10:00 in Jilin), ticking: for tests that
    publish a 公示 "today" through the pages and expect it to be running. On a weekend or a holiday a notice
    published today starts on the next working day, so such a test must not run on the real calendar."""
    import datetime
    from zoneinfo import ZoneInfo

    import time_machine

    with time_machine.travel(datetime.datetime(2026, 6, 16, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True):
        yield datetime.date(2026, 6, 16)
