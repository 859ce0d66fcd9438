"""The subscription feed /calendar/<token>.ics: no session, the secret alone, and only its own workspace."""

from __future__ import annotations

import uuid
from typing import Any

import icalendar
import pytest
from django.test import Client

from checklist.models import CalendarFeedToken, ReviewMeeting
from checklist.reviews.tokens import feed_token_hash
from tenants.api.throttling import WindowRateLimit
from tenants.context import workspace_context
from tests.conftest import CANARY_B, World


def feed_path(token: str) -> str:
    return f"/calendar/{token}.ics"


def issue(world: World, client_as: Any, side: str = "a") -> str:
    response = client_as("admin", side=side).post(
        f"/api/v1/workspaces/{getattr(world, side).workspace.id}/checklist/reviews/calendar-feed/"
    )
    assert response.status_code == 201, response.content
    url = response.json()["url"]
    assert url.startswith("http://testserver/calendar/") and url.endswith(".ics")
    return url.removeprefix("http://testserver/calendar/").removesuffix(".ics")


def uids(response: Any) -> set[str]:
    return {str(e["UID"]) for e in icalendar.Calendar.from_ical(response.content).walk("VEVENT")}


def test_feed_works_without_a_session_and_shows_the_workspace_meetings(world: World, client_as: Any) -> None:
    token = issue(world, client_as)
    response = Client().get(feed_path(token))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    with workspace_context(world.a.workspace.id):
        expected = {f"review-meeting-{m.id}@ikkan" for m in ReviewMeeting.objects.all()}
    assert expected and uids(response) == expected


def test_only_a_hash_is_stored_and_the_url_is_shown_once(world: World, client_as: Any) -> None:
    token = issue(world, client_as)
    with workspace_context(world.a.workspace.id):
        feed = CalendarFeedToken.objects.get(revoked_at__isnull=True)
    assert feed.token_hash == feed_token_hash(token) and token not in str(feed.__dict__)
    state = client_as("viewer").get(
        f"/api/v1/workspaces/{world.a.workspace.id}/checklist/reviews/calendar-feed/"
    )
    assert state.json()["issued"] is True and state.json()["hint"] == token[-4:]
    assert token not in state.content.decode() and "url" not in state.json()


def test_wrong_tokens_are_a_bare_404(world: World, client_as: Any) -> None:
    token = issue(world, client_as)
    client = Client()
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    other_workspace = world.b.workspace.id.hex + token[32:]  # A's secret under B's id
    bodies = set()
    for wrong in (flipped, token[:-1], token + "x", "x" * len(token), other_workspace, token.upper(), "a.b"):
        response = client.get(feed_path(wrong))
        assert response.status_code == 404, wrong
        bodies.add(response.content)
        assert CANARY_B.encode() not in response.content
    assert len(bodies) == 1  # every failure looks the same
    assert client.get("/calendar/.ics").status_code == 404
    assert client.post(feed_path(token)).status_code == 405


def test_rotation_and_revocation(world: World, client_as: Any) -> None:
    old = issue(world, client_as)
    new = issue(world, client_as)
    client = Client()
    assert client.get(feed_path(old)).status_code == 404
    assert client.get(feed_path(new)).status_code == 200
    revoke = client_as("manager").delete(
        f"/api/v1/workspaces/{world.a.workspace.id}/checklist/reviews/calendar-feed/"
    )
    assert revoke.status_code == 204
    assert client.get(feed_path(new)).status_code == 404
    state = client_as("viewer").get(
        f"/api/v1/workspaces/{world.a.workspace.id}/checklist/reviews/calendar-feed/"
    )
    assert state.json()["issued"] is False


def test_b_token_never_shows_a_meetings(world: World, client_as: Any) -> None:
    token_a, token_b = issue(world, client_as, "a"), issue(world, client_as, "b")
    client = Client()
    feed_a, feed_b = client.get(feed_path(token_a)), client.get(feed_path(token_b))
    with workspace_context(world.a.workspace.id):
        a_uids = {f"review-meeting-{m.id}@ikkan" for m in ReviewMeeting.objects.all()}
    with workspace_context(world.b.workspace.id):
        b_uids = {f"review-meeting-{m.id}@ikkan" for m in ReviewMeeting.objects.all()}
    assert uids(feed_a) == a_uids and uids(feed_b) == b_uids and not a_uids & b_uids
    assert CANARY_B.encode() not in feed_a.content and CANARY_B.encode() in feed_b.content
    # The world's own seeded secrets work too, each for its own workspace only (issuing rotated them out).
    assert client.get(feed_path(world.b.extra["calendar_feed_secret"])).status_code == 404


def test_world_secret_serves_its_workspace(world: World) -> None:
    response = Client().get(feed_path(world.b.extra["calendar_feed_secret"]))
    assert response.status_code == 200
    with workspace_context(world.a.workspace.id):
        a_ids = [str(m.id) for m in ReviewMeeting.objects.all()]
    assert not any(i in response.content.decode() for i in a_ids)


def test_the_feed_goes_with_the_member_who_issued_it(world: World, client_as: Any) -> None:
    from tenants.services import membership_deactivate

    token = world.a.extra["calendar_feed_secret"]
    assert Client().get(f"/calendar/{token}.ics").status_code == 200
    membership_deactivate(principal=world.a.principal("admin"), membership=world.a.memberships["manager"])
    assert Client().get(f"/calendar/{token}.ics").status_code == 404
    with workspace_context(world.a.workspace.id):  # the KPI the manager owned lost its owner, nothing else
        world.a.kpi.refresh_from_db()
    assert world.a.kpi.owner_id is None


def test_api_keys_cannot_issue_the_feed(world: World, key_client: Any) -> None:
    response = key_client("checklist:write").post(
        f"/api/v1/workspaces/{world.a.workspace.id}/checklist/reviews/calendar-feed/"
    )
    assert response.status_code == 403


@pytest.fixture
def feed_limits(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.CALENDAR_FEED_TOKEN_RATE = "3/min"
    settings.CALENDAR_FEED_ADDRESS_RATE = "5/min"
    # A fixed clock 15 s into a minute of its own: the window cannot turn over mid-test.
    minute = 60.0 * (28_000_000 + uuid.uuid4().int % 1_000_000)
    monkeypatch.setattr(WindowRateLimit, "timer", staticmethod(lambda: minute + 15))


def _address() -> str:
    return f"198.51.100.{uuid.uuid4().int % 250 + 1}"


def test_the_feed_is_throttled_per_token(world: World, client_as: Any, feed_limits: None) -> None:
    token = issue(world, client_as)
    client = Client(REMOTE_ADDR=_address())
    assert [client.get(feed_path(token)).status_code for _ in range(3)] == [200] * 3
    refused = client.get(feed_path(token))
    assert refused.status_code == 429 and refused["Retry-After"] == "45"
    assert b"BEGIN:VCALENDAR" not in refused.content
    # From elsewhere the same token is still over its limit; another workspace's token is not.
    assert Client(REMOTE_ADDR=_address()).get(feed_path(token)).status_code == 429
    other = issue(world, client_as, side="b")
    assert Client(REMOTE_ADDR=_address()).get(feed_path(other)).status_code == 200


def test_the_feed_is_throttled_per_address_even_for_unknown_tokens(
    world: World, client_as: Any, feed_limits: None
) -> None:
    """Guessing tokens from one address: every guess counts, valid or not."""
    client = Client(REMOTE_ADDR=_address())
    guesses = [client.get(feed_path(uuid.uuid4().hex + "x" * 43)).status_code for _ in range(5)]
    assert guesses == [404] * 5
    token = issue(world, client_as)
    refused = client.get(feed_path(token))
    assert refused.status_code == 429 and int(refused["Retry-After"]) == 45
    assert Client(REMOTE_ADDR=_address()).get(feed_path(token)).status_code == 200
