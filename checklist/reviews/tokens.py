"""The calendar feed token's format: which workspace it opens, and the hash of its secret part."""

from __future__ import annotations

import hashlib

# A feed token is the workspace id (32 hex) followed by 43 url-safe random characters (256 bits). The
# workspace part lets the feed enter that workspace's context before reading (row-level security stays on);
# the random part is the secret, of which only a SHA-256 is stored.
FEED_WORKSPACE_CHARS = 32
FEED_TOKEN_LENGTH = FEED_WORKSPACE_CHARS + 43


def feed_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
