"""``manage.py credentials_rotate [--check]``: move every connection's credentials onto the newest key.

Run it after putting a new key first in ``FIELD_ENCRYPTION_KEYS``; remove an old key only once
``--check`` reports no row on it. A dispatcher: it walks the workspaces and rotates each inside its own
tenant context (row-level security included), never reading across workspaces at once.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from integrations.crypto import KeyConfigError
from integrations.selectors import credentials_keyring
from integrations.services import RotationReport, connection_credentials_rotate
from tenants.context import workspace_context
from tenants.models import Workspace


class Command(BaseCommand):
    help = "Re-encrypt CRM credentials onto the newest FIELD_ENCRYPTION_KEYS key and report rows on old keys."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="Only report rows not on the newest key.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            keyring = credentials_keyring()
        except KeyConfigError as exc:
            raise CommandError(f"FIELD_ENCRYPTION_KEYS: {exc}") from exc
        report = RotationReport(current_key_id=keyring.current.id)
        for workspace_id in Workspace.objects.order_by("id").values_list("id", flat=True):
            with workspace_context(workspace_id):
                connection_credentials_rotate(check=options["check"], report=report)
        self.stdout.write(f"newest key: {report.current_key_id}")
        if not options["check"]:
            self.stdout.write(f"re-encrypted: {report.rotated}")
        for key_id, count in sorted(report.on_old_keys.items()):
            self.stdout.write(f"still on old key {key_id}: {count}")
        for connection_id in report.unreadable:
            self.stdout.write(f"unreadable with the configured keys: connection {connection_id}")
        if report.on_old_keys:  # a non-zero exit, so a deploy script stops before an old key is removed
            raise CommandError(f"{sum(report.on_old_keys.values())} row(s) still on an old key")
        self.stdout.write("every row is on the newest key")
