"""Signing in through the real page: Japanese first, the person lands on their workspaces, and repeated
failures lock the account with a Japanese message (django-axes)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from tests.browser.conftest import screenshot
from tests.conftest import World
from tests.factories.tenants import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def _sign_in(page: Any, live_server: Any, email: str, password: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.click("form[action='/accounts/login/'] button[type=submit]")


def test_a_sales_rep_signs_in_and_sees_their_workspace(world: World, live_server: Any, page: Any) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "ja"
    screenshot(page, "sign-in")
    _sign_in(page, live_server, world.a.users["sales_rep"].email, PASSWORD)
    page.wait_for_url(f"{live_server.url}/")
    body = page.inner_text("body")
    assert world.a.workspace.name in body
    assert world.b.workspace.name not in body  # another workspace is never listed
    screenshot(page, "home-sales-rep")


def test_repeated_failures_lock_the_account_with_a_japanese_message(world: World, live_server: Any,
                                                                    page: Any) -> None:  # fmt: skip
    email = world.a.users["manager"].email
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(page, live_server, email, "wrong password")
    body = page.inner_text("body")
    assert "ロック" in body, body
    screenshot(page, "sign-in-locked")
    # The right password does not get through while the lock holds.
    _sign_in(page, live_server, email, PASSWORD)
    assert page.url.startswith(f"{live_server.url}/accounts/login/")


def test_english_is_one_click_away_and_remembered(world: World, live_server: Any, page: Any) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Log in"
    page.goto(f"{live_server.url}/accounts/login/")  # a later visit keeps the choice
    assert page.locator("h1").inner_text() == "Log in"
    screenshot(page, "sign-in-english")
