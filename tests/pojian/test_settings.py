import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_passes_in_production_mode():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},  # test-only switch
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": "x" * 20 + "a-long-random-production-secret-key-0123456789",
        "DJANGO_ALLOWED_HOSTS": "pojian.kjt.jl.gov.cn",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_mode_requires_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"}
    env.update({"DJANGO_ENV": "production", "DJANGO_ALLOWED_HOSTS": "pojian.kjt.jl.gov.cn"})
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_default_language_is_chinese_english_selectable(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert ("en", "English") in settings.LANGUAGES
