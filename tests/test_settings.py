"""Production settings refuse insecure defaults and pass `check --deploy` with no warning."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "k" * 20 + "q9!x" * 10 + "Z" * 20,
    "ALLOWED_HOSTS": "ikkan.example.jp",
    "DATABASE_URL": "postgres://ikkan@127.0.0.1:5432/ikkan",
    "FIELD_ENCRYPTION_KEYS": "0Xwz-VVgeY8sMMq0O3xRHzYR2IbfuUSsv9ihyV7Ng2A=",
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_deploy_check_passes_without_warnings() -> None:
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=GOOD_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_named_keys_newest_first_are_accepted() -> None:
    keys = "2026-12:wLdpp1XYfbqyRGg8YePk3UMyEYBEmAS0PNI_hWZf4x4=,0Xwz-VVgeY8sMMq0O3xRHzYR2IbfuUSsv9ihyV7Ng2A="
    result = _manage("check", env={**GOOD_ENV, "FIELD_ENCRYPTION_KEYS": keys})
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("override", "complaint"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"SECRET_KEY": "django-insecure-" + "x" * 60}, "SECRET_KEY"),
        ({"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS"),
        ({"FIELD_ENCRYPTION_KEYS": ""}, "FIELD_ENCRYPTION_KEYS"),
        # Not urlsafe base64 of 32 bytes (a 16-byte key, a password): refused with the expected format.
        ({"FIELD_ENCRYPTION_KEYS": "c2hvcnQta2V5LTE2Ynl0ZQ=="}, "32 random bytes"),
        (
            {"FIELD_ENCRYPTION_KEYS": "0Xwz-VVgeY8sMMq0O3xRHzYR2IbfuUSsv9ihyV7Ng2A=,hunter2"},
            "FIELD_ENCRYPTION_KEYS",
        ),
        ({"DATABASE_URL": "sqlite:///x.sqlite3"}, "PostgreSQL"),
    ],
)
def test_production_refuses_insecure_defaults(override: dict[str, str], complaint: str) -> None:
    result = _manage("check", env={**GOOD_ENV, **override})
    assert result.returncode != 0
    assert complaint in result.stderr
