"""Credentials at rest: AES-256-GCM bound to (workspace, connection), keys named by id, rotation."""

from __future__ import annotations

import base64
from io import StringIO
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.test import override_settings

from core.errors import ServiceError
from integrations.crypto import CryptoError, KeyConfigError, Keyring, key_generate, key_id_derive, key_parse
from integrations.models import Connection
from integrations.selectors import connection_credentials_get
from integrations.services import connection_create
from tenants.context import workspace_context
from tenants.services import Actor
from tests.conftest import World

OLD = "0Xwz-VVgeY8sMMq0O3xRHzYR2IbfuUSsv9ihyV7Ng2A="  # the test settings' key
NEW = Fernet.generate_key().decode()
AD = b"ikkan:v1:test:ws:row"


# --- The pure module ---------------------------------------------------------------------------------


def test_round_trip_and_a_fresh_nonce_each_time() -> None:
    ring = Keyring.from_strings([key_generate()])
    key_id, token = ring.encrypt(b"secret", associated_data=AD)
    _, again = ring.encrypt(b"secret", associated_data=AD)
    assert token != again and token.startswith("v1.") and b"secret" not in base64.urlsafe_b64decode(token[3:])
    assert ring.decrypt(token, key_id=key_id, associated_data=AD) == b"secret"


def test_other_associated_data_is_refused() -> None:
    ring = Keyring.from_strings([key_generate()])
    key_id, token = ring.encrypt(b"secret", associated_data=AD)
    with pytest.raises(CryptoError):
        ring.decrypt(token, key_id=key_id, associated_data=AD + b"x")


def test_a_tampered_or_malformed_token_is_refused() -> None:
    ring = Keyring.from_strings([key_generate()])
    key_id, token = ring.encrypt(b"secret", associated_data=AD)
    raw = bytearray(base64.urlsafe_b64decode(token[3:]))
    raw[-1] ^= 1
    for bad in (f"v1.{base64.urlsafe_b64encode(bytes(raw)).decode()}", "v2" + token[2:], "v1.!!", "v1.AAAA"):
        with pytest.raises(CryptoError):
            ring.decrypt(bad, key_id=key_id, associated_data=AD)
    with pytest.raises(CryptoError):
        ring.decrypt(token, key_id="unknown", associated_data=AD)


def test_fernet_keys_are_usable_and_ids_are_derived_or_named() -> None:
    fernet = Fernet.generate_key().decode()
    key = key_parse(fernet)
    assert len(key.secret) == 32 and key.id == key_id_derive(key.secret) and len(key.id) == 16
    assert fernet not in repr(key)
    named = key_parse(f"2026-12:{fernet}")
    assert named.id == "2026-12" and named.secret == key.secret


@pytest.mark.parametrize("bad", ["", "not base64!", "c2hvcnQta2V5LTE2Ynl0ZQ==",
                                 f"bad id!:{OLD}"])  # fmt: skip
def test_malformed_keys_are_refused(bad: str) -> None:
    with pytest.raises(KeyConfigError):
        Keyring.from_strings([bad]) if bad else Keyring.from_strings([])


def test_two_keys_with_one_id_are_refused() -> None:
    with pytest.raises(KeyConfigError):
        Keyring.from_strings([OLD, OLD])


def test_newest_first_encrypts_and_old_keys_still_decrypt() -> None:
    old_ring = Keyring.from_strings([OLD])
    key_id, token = old_ring.encrypt(b"secret", associated_data=AD)
    ring = Keyring.from_strings([NEW, OLD])
    assert ring.decrypt(token, key_id=key_id, associated_data=AD) == b"secret"
    new_id, new_token = ring.reencrypt(token, key_id=key_id, associated_data=AD)
    assert new_id == ring.current.id != key_id and ring.is_current(new_id)
    assert ring.decrypt(new_token, key_id=new_id, associated_data=AD) == b"secret"


# --- On connections ----------------------------------------------------------------------------------


def _connection(world: World, side: str = "a", **kwargs: Any) -> Connection:
    s = getattr(world, side)
    with workspace_context(s.workspace.id):
        return connection_create(actor=Actor.of(s.principal("admin")), provider="salesforce",
                                 display_name="SF", credentials={"refresh_token": "rt-1"}, **kwargs)  # fmt: skip


def test_stored_credentials_round_trip_and_are_not_in_the_row_in_clear(world: World) -> None:
    connection = _connection(world)
    assert "rt-1" not in connection.credentials_ciphertext
    with workspace_context(world.a.workspace.id):
        fresh = Connection.objects.get(id=connection.id)
        assert connection_credentials_get(connection=fresh) == {"refresh_token": "rt-1"}


def test_a_ciphertext_copied_to_another_row_does_not_decrypt(world: World) -> None:
    source = _connection(world)
    with workspace_context(world.a.workspace.id):
        other = connection_create(actor=Actor.system(), provider="csv", display_name="CSV")
        Connection.objects.filter(id=other.id).update(credentials_ciphertext=source.credentials_ciphertext,
                                                      credentials_key_id=source.credentials_key_id)  # fmt: skip
        with pytest.raises(ServiceError) as caught:
            connection_credentials_get(connection=Connection.objects.get(id=other.id))
    assert caught.value.code == "integrations.credentials.unreadable"
    # The same connection id in another workspace does not decrypt either (the workspace is bound too).
    moved = Connection(id=source.id, workspace_id=world.b.workspace.id, credentials_ciphertext=source.credentials_ciphertext,
                       credentials_key_id=source.credentials_key_id)  # fmt: skip
    with pytest.raises(ServiceError):
        connection_credentials_get(connection=moved)


def _key_ids(world: World) -> dict[Any, str]:
    ids = {}
    for side in (world.a, world.b):
        with workspace_context(side.workspace.id):
            ids.update(
                dict(
                    Connection.objects.exclude(credentials_key_id="").values_list("id", "credentials_key_id")
                )
            )
    return ids


def test_rotation_moves_every_row_onto_the_newest_key(world: World) -> None:
    connection = _connection(world)
    old_id = key_parse(OLD).id
    before = _key_ids(world)
    assert before and set(before.values()) == {old_id}  # the world's connections (A and B) and this one
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW, OLD]):
        out = StringIO()
        with pytest.raises(CommandError, match=f"{len(before)} row"):
            call_command("credentials_rotate", "--check", stdout=out)
        assert f"still on old key {old_id}: {len(before)}" in out.getvalue()
        assert _key_ids(world) == before  # --check changes nothing
        out = StringIO()
        call_command("credentials_rotate", stdout=out)
        assert (
            f"re-encrypted: {len(before)}" in out.getvalue()
            and "every row is on the newest key" in out.getvalue()
        )
        new_id = key_parse(NEW).id
        assert set(_key_ids(world).values()) == {new_id}
        with workspace_context(world.a.workspace.id):
            assert connection_credentials_get(connection=Connection.objects.get(id=connection.id)) == {
                "refresh_token": "rt-1"
            }
        call_command("credentials_rotate", "--check", stdout=StringIO())  # clean: exits 0
    with (
        override_settings(FIELD_ENCRYPTION_KEYS=[NEW]),
        workspace_context(world.a.workspace.id),
    ):  # old key gone
        assert connection_credentials_get(connection=Connection.objects.get(id=connection.id))


def test_rows_on_a_key_no_longer_configured_are_reported(world: World) -> None:
    connection = _connection(world)
    third = key_generate()
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW, third]):  # OLD is gone: nothing can decrypt those rows
        out = StringIO()
        with pytest.raises(CommandError, match="still on an old key"):
            call_command("credentials_rotate", stdout=out)
    assert f"unreadable with the configured keys: connection {connection.id}" in out.getvalue()
    assert "re-encrypted: 0" in out.getvalue()
