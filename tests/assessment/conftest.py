import pytest


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Uploaded reports and exported files go to a temporary folder, never the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
