"""The demo's CRM: a workspace connected to the fake HubSpot of ``integrations/fakes/fixtures/hubspot_demo.json``
(served by ``manage.py fake_crm serve``, which ``make demo`` starts), its mappings confirmed, two of its owners
matched to the workspace's rep and manager, and a first sync run inline so the KPIs show CRM data at once.

Idempotent: a second run finds the connection and syncs it again (nothing changes when the CRM did not).
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from integrations import services, sync
from integrations.models import Connection, CrmOwner, SyncRun
from integrations.providers.registry import provider_for
from tenants.models import Membership, Workspace
from tenants.roles import WorkspaceRole
from tenants.services import Actor

FIXTURE = Path(__file__).resolve().parent / "fakes" / "fixtures" / "hubspot_demo.json"
# Which owner of the fixture stands for which demo person (the fixture's e-mails are not the demo logins').
OWNER_ROLES = {"101": WorkspaceRole.SALES_REP, "102": WorkspaceRole.MANAGER}


def demo_crm_seed(
    *, workspace: Workspace, actor: Actor, base_url: str, transport: httpx.BaseTransport | None = None
) -> SyncRun | None:
    """Connect (once) and sync. ``transport`` mounts the fake in-process (tests); otherwise the sync goes over
    HTTP to ``base_url``. Must run inside the workspace's context."""
    fixture = json.loads(FIXTURE.read_text(encoding="utf-8"))
    portal = str(fixture["portal_id"])
    connection = Connection.objects.filter(provider="hubspot", external_account_id=portal).first()
    if connection is None:
        connection = services.connection_create(
            actor=actor, provider="hubspot", display_name="HubSpot（デモ）", base_url=base_url,
            external_account_id=portal, credentials={"private_app_token": fixture["tokens"]["private_app_tokens"][0]},
        )  # fmt: skip
        services.connection_mappings_update(actor=actor, connection=connection, confirm_all=True)
    provider = None
    if transport is not None:
        provider = provider_for(sync.provider_settings(connection), tokens=sync.ConnectionTokenStore(connection),
                                transport=transport)  # fmt: skip
    run = sync.connection_sync(connection_id=connection.id, trigger=SyncRun.Trigger.MANUAL, lease_owner="demo",
                               provider=provider)  # fmt: skip
    members = {m.role: m for m in Membership.objects.filter(workspace=workspace)}
    for external_id, role in OWNER_ROLES.items():
        owner = CrmOwner.objects.filter(
            connection=connection, external_id=external_id, member__isnull=True
        ).first()
        if owner is not None and role in members:
            services.crm_owner_member_set(actor=actor, owner=owner, member=members[role])
    return run
