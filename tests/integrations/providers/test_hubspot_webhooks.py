"""HubSpot webhook signature v3: method + URI + raw body + timestamp, HMAC-SHA256, base64, 5 minutes."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac

from integrations.fakes.common import FakeClock
from integrations.fakes.hubspot import FakeHubSpot
from integrations.providers.hubspot.webhooks import signature_v3, verify_signature_v3

SECRET = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy"
NOW = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)
STAMP = str(int(NOW.timestamp() * 1000))
URI = "https://ikkan.example/api/v1/webhooks/hubspot?portal=1"
BODY = b'[{"eventId":1,"subscriptionType":"contact.creation","objectId":123}]'


def _expected(uri: str) -> str:
    source = ("POST" + uri).encode() + BODY + STAMP.encode()
    return base64.b64encode(hmac.new(SECRET.encode(), source, hashlib.sha256).digest()).decode()


def _verify(**overrides: object) -> bool:
    arguments: dict = {"client_secret": SECRET, "method": "POST", "uri": URI, "body": BODY,
                       "signature": _expected(URI), "timestamp": STAMP, "now": NOW} | overrides  # fmt: skip
    return verify_signature_v3(**arguments)


def test_a_correct_signature_is_accepted() -> None:
    assert signature_v3(
        client_secret=SECRET, method="POST", uri=URI, body=BODY, timestamp=STAMP
    ) == _expected(URI)
    assert _verify()
    assert _verify(now=NOW + dt.timedelta(minutes=4, seconds=59))


def test_a_replay_older_than_five_minutes_or_a_future_stamp_is_refused() -> None:
    assert not _verify(now=NOW + dt.timedelta(minutes=5, seconds=1))
    assert not _verify(now=NOW - dt.timedelta(minutes=6))


def test_a_changed_body_uri_method_secret_or_timestamp_is_refused() -> None:
    assert not _verify(body=BODY + b" ")
    assert not _verify(uri=URI + "&x=1")
    assert not _verify(method="GET")
    assert not _verify(client_secret="other")
    assert not _verify(timestamp=str(int(STAMP) + 1))


def test_missing_or_malformed_headers_are_refused() -> None:
    assert not _verify(signature=None)
    assert not _verify(timestamp=None)
    assert not _verify(timestamp="yesterday")


def test_the_listed_percent_encodings_are_decoded_before_signing_and_others_kept() -> None:
    encoded = "https://ikkan.example/hook%3Fa%3Db%2Fc?q=%40x%20y"
    # %3F, %2F and %40 are decoded; %3D (=) and %20 (space) are not in HubSpot's table and stay encoded.
    expected = _expected("https://ikkan.example/hook?a%3Db/c?q=@x%20y")
    assert _verify(uri=encoded, signature=expected)
    assert not _verify(uri=encoded, signature=_expected(encoded))


def test_the_fake_signs_webhooks_that_verify() -> None:
    fake = FakeHubSpot(clock=FakeClock(NOW))
    headers, body = fake.signed_webhook(
        URI, [fake.event("contact.merge", 5, primaryObjectId=5, mergedObjectIds=[6])]
    )
    assert verify_signature_v3(client_secret=fake.client_secret, method="POST", uri=URI, body=body,
                               signature=headers["X-HubSpot-Signature-v3"],
                               timestamp=headers["X-HubSpot-Request-Timestamp"], now=NOW)  # fmt: skip
