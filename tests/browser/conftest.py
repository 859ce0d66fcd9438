"""Pages in a real headless Chromium (Debian's ``chromium``, driven by Playwright), against the live server.

Each page test keeps a screenshot in ``test-artifacts/screenshots/`` so a person can look at what was tested.
Browser tests commit (the live server reads through its own connection), so they run with the other
``transaction=True`` tests, last.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connections

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium)")


@pytest.fixture
def page(world: Any, live_server: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A fresh Chromium page (no cookies) at a laptop's size, Japanese like our users' machines.

    Started after the database fixtures, and per test: Playwright's sync API runs an event loop in this
    thread, and Django refuses ORM calls while one runs ("async unsafe"). The ORM calls a test makes beside
    the browser are ordinary blocking calls, so they are allowed for the test's duration only (no subprocess,
    such as the deploy check, inherits the setting).
    """
    if CHROMIUM is None:
        pytest.skip("needs Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        context = browser.new_context(
            locale="ja-JP", timezone_id="Asia/Tokyo", viewport={"width": 1280, "height": 800}
        )
        page = context.new_page()
        page.set_default_timeout(10_000)
        yield page
        # ORM calls made while Playwright's loop runs get connections of that context (asgiref's Local), which
        # the test database's teardown does not know: closed here, or the database stays "in use".
        connections.close_all()
        context.close()
        browser.close()


def screenshot(page: object, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path
