"""Authenticated encryption of secrets at rest (CRM credentials), with key rotation. Pure: no Django, no ORM.

Cipher: AES-256-GCM (``cryptography``'s AESGCM), a fresh 96-bit random nonce per encryption. The associated
data binds a ciphertext to the row it was written for (the connection's workspace id and id): the tag fails
if the ciphertext is copied to another row, so a leaked or swapped column decrypts nowhere else.

Keys. ``FIELD_ENCRYPTION_KEYS`` is a list, newest first. Each key is urlsafe base64 of 32 random bytes: the
format of a Fernet key (``Fernet.generate_key()``), so the keys deployed so far stay usable; the 32 decoded
bytes are the AES-256 key. (They must not also be used with Fernet: one key, one algorithm.) A key may be
written ``<id>:<base64>`` to name it; otherwise its id is derived from the key itself (the first 16 hex
digits of SHA-256 over a label and the key), so ids never need to be kept in step by hand and reveal
nothing about the key. The id is stored beside each ciphertext: decryption picks the key by id, and the
rotation command finds rows still on an old key by querying it.

Token format: ``v1.<urlsafe base64 of nonce || ciphertext-with-tag>``; the key id lives in its own column.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = "v1"
NONCE_BYTES = 12
KEY_BYTES = 32
_ID_LABEL = b"ikkan.field-key-id.v1:"


class CryptoError(Exception):
    """The ciphertext cannot be decrypted here: unknown key, wrong row (associated data) or tampered."""


class KeyConfigError(ValueError):
    """A configured key is not urlsafe base64 of 32 bytes (or its id is malformed or repeated)."""


@dataclass(frozen=True)
class Key:
    id: str
    secret: bytes

    def __repr__(self) -> str:  # never print the secret
        return f"Key(id={self.id!r})"


def key_id_derive(secret: bytes) -> str:
    return hashlib.sha256(_ID_LABEL + secret).hexdigest()[:16]


def key_parse(text: str) -> Key:
    """``<base64>`` or ``<id>:<base64>``; the base64 must decode to exactly 32 bytes."""
    text = text.strip()
    key_id, sep, encoded = text.rpartition(":")
    if not sep:
        key_id, encoded = "", text
    try:
        secret = base64.urlsafe_b64decode(encoded.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError) as exc:
        raise KeyConfigError("a key is not urlsafe base64") from exc
    if len(secret) != KEY_BYTES:
        raise KeyConfigError(f"a key must decode to {KEY_BYTES} bytes, not {len(secret)}")
    if key_id and not (
        key_id.isascii() and key_id.replace("-", "").replace("_", "").isalnum() and len(key_id) <= 32
    ):
        raise KeyConfigError("a key id is at most 32 letters, digits, '-' or '_'")
    return Key(id=key_id or key_id_derive(secret), secret=secret)


def key_generate() -> str:
    """A new key in the configured format (the same as ``Fernet.generate_key()``)."""
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode("ascii")


class Keyring:
    """The configured keys: encrypts with the newest, decrypts with whichever the stored id names."""

    def __init__(self, keys: Iterable[Key]) -> None:
        self.keys = tuple(keys)
        if not self.keys:
            raise KeyConfigError("at least one key is needed")
        ids = [k.id for k in self.keys]
        if len(set(ids)) != len(ids):
            raise KeyConfigError("two keys have the same id")
        self._by_id = {k.id: k for k in self.keys}

    @classmethod
    def from_strings(cls, values: Iterable[str]) -> Keyring:
        return cls(key_parse(v) for v in values if v.strip())

    @property
    def current(self) -> Key:
        return self.keys[0]

    def is_current(self, key_id: str) -> bool:
        return key_id == self.current.id

    def encrypt(self, plaintext: bytes, *, associated_data: bytes) -> tuple[str, str]:
        """``(key_id, token)`` under the newest key."""
        key = self.current
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(key.secret).encrypt(nonce, plaintext, associated_data)
        token = f"{VERSION}.{base64.urlsafe_b64encode(nonce + sealed).decode('ascii')}"
        return key.id, token

    def decrypt(self, token: str, *, key_id: str, associated_data: bytes) -> bytes:
        key = self._by_id.get(key_id)
        if key is None:
            raise CryptoError(f"no configured key has id {key_id!r}")
        version, _sep, body = token.partition(".")
        if version != VERSION:
            raise CryptoError("unknown token version")
        try:
            raw = base64.urlsafe_b64decode(body.encode("ascii"))
        except (binascii.Error, ValueError, UnicodeEncodeError) as exc:
            raise CryptoError("malformed token") from exc
        if len(raw) < NONCE_BYTES + 16:
            raise CryptoError("malformed token")
        try:
            return AESGCM(key.secret).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], associated_data)
        except InvalidTag as exc:
            raise CryptoError("the ciphertext does not belong here or was altered") from exc

    def reencrypt(self, token: str, *, key_id: str, associated_data: bytes) -> tuple[str, str]:
        """The same plaintext under the newest key (a rotation step)."""
        return self.encrypt(self.decrypt(token, key_id=key_id, associated_data=associated_data),
                            associated_data=associated_data)  # fmt: skip


def row_associated_data(purpose: str, *ids: object) -> bytes:
    """The associated data that binds a ciphertext to one row: a purpose label and the row's ids."""
    return ":".join(["ikkan", VERSION, purpose, *(str(i) for i in ids)]).encode("utf-8")
