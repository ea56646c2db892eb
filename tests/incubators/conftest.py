import pytest


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Uploaded letters and export files go to a throw-away folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
