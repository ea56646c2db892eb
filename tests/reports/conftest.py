import pytest


@pytest.fixture
def test_database_url():
    """DATABASE_URL of the test database, for a subprocess (PostgreSQL only: SQLite's test database is in memory)."""
    from django.db import connection

    s = connection.settings_dict
    if connection.vendor != "postgresql":
        pytest.skip("a subprocess can only reach a PostgreSQL test database; CI runs this")
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "") + "@" if s.get("USER") else ""
    return f"postgres://{auth}{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Users are made in most tests here; PBKDF2's million rounds would dominate their time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
