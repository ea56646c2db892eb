"""The Chinese catalogue covers every string the code and templates mark for translation."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", ".git", "staticfiles", "media", "node_modules", "bench", "tests", "__pycache__"}


def catalogues(root):
    return sorted(p for p in root.rglob("zh_Hans/LC_MESSAGES/*.po") if not SKIP & set(p.relative_to(root).parts))


def statistics(po):
    result = subprocess.run(["msgfmt", "--statistics", "-o", "/dev/null", str(po)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stderr.strip()


def test_committed_catalogues_have_no_untranslated_or_fuzzy_entry():
    found = catalogues(ROOT)
    assert ROOT / "locale/zh_Hans/LC_MESSAGES/django.po" in found
    for po in found:
        stats = statistics(po)
        assert "untranslated" not in stats and "fuzzy" not in stats, f"{po}: {stats}"


def test_catalogues_are_up_to_date_with_the_code(tmp_path):
    # Regenerate the catalogues from a copy of the sources: any new string shows up untranslated.
    copy = tmp_path / "src"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(*SKIP, "*.mo", "db.sqlite3"))
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete", "--no-location",
         "-i", "tests/*", "-i", "bench/*"],
        cwd=copy, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    stale = {str(po.relative_to(copy)): statistics(po) for po in catalogues(copy)}
    assert not {k: v for k, v in stale.items() if "untranslated" in v or "fuzzy" in v}
