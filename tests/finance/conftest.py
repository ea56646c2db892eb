import pytest

from tests import factories as core

from .factories import InstitutionFactory


@pytest.fixture
def institution(db, partner):
    """A 长春 institution; the `partner` fixture's account acts for it."""
    inst = InstitutionFactory(name="长春北湖天使投资有限公司")
    inst.users.add(partner)
    return inst


@pytest.fixture
def other_partner(db):
    return core.PartnerFactory(username="partner-other")


@pytest.fixture
def other_institution(db, other_partner):
    """A 吉林市 institution with its own partner account."""
    inst = InstitutionFactory(name="吉林市创业投资有限公司", region=core.region("220200"))
    inst.users.add(other_partner)
    return inst


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Letters, imported workbooks and exports go to a throw-away folder, never the project's media/."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Test users need no strong hashing; PBKDF2 made user fixtures the slowest part of these tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
