"""HubSpot webhook request validation, signature v3 (research note §2.7; HubSpot's request-validation page)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac

from integrations.providers.base import utc_now

MAX_AGE = dt.timedelta(minutes=5)

# The characters HubSpot decodes in the URI before signing; everything else stays percent-encoded.
_DECODED_IN_URI = {
    "%3A": ":",
    "%2F": "/",
    "%3F": "?",
    "%40": "@",
    "%21": "!",
    "%24": "$",
    "%27": "'",
    "%28": "(",
    "%29": ")",
    "%2A": "*",
    "%2C": ",",
    "%3B": ";",
}


def _normalise_uri(uri: str) -> str:
    out: list[str] = []
    index = 0
    while index < len(uri):
        chunk = uri[index : index + 3].upper()
        if uri[index] == "%" and chunk in _DECODED_IN_URI:
            out.append(_DECODED_IN_URI[chunk])
            index += 3
        else:
            out.append(uri[index])
            index += 1
    return "".join(out)


def signature_v3(*, client_secret: str, method: str, uri: str, body: bytes, timestamp: str) -> str:
    """``base64(HMAC-SHA256(secret, method + uri + body + timestamp))`` over the raw body and the full URI."""
    source = method.upper().encode() + _normalise_uri(uri).encode() + body + timestamp.encode()
    digest = hmac.new(client_secret.encode(), source, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def verify_signature_v3(
    *,
    client_secret: str,
    method: str,
    uri: str,
    body: bytes,
    signature: str | None,
    timestamp: str | None,
    now: dt.datetime | None = None,
    max_age: dt.timedelta = MAX_AGE,
) -> bool:
    """True only for a fresh request signed with ``client_secret``.

    ``uri`` is the full URL HubSpot called (scheme, host, path, query); ``timestamp`` the
    ``X-HubSpot-Request-Timestamp`` header (epoch ms); ``signature`` ``X-HubSpot-Signature-v3``."""
    if not signature or not timestamp or not timestamp.isdigit():
        return False
    sent_at = dt.datetime.fromtimestamp(int(timestamp) / 1000, dt.UTC)
    # Older than the window is a replay; far in the future is a forged stamp.
    if abs((now or utc_now()) - sent_at) > max_age:
        return False
    expected = signature_v3(
        client_secret=client_secret, method=method, uri=uri, body=body, timestamp=timestamp
    )
    return hmac.compare_digest(expected.encode(), signature.encode())
