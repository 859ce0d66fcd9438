"""HubSpot webhooks: verified at the edge (integrations.web), dispatched here to the connections of the portal.

Webhooks are a latency hint, never the source of truth (crm-sync.md §2.7): an event only makes the portal's
connections re-read the object types it touched, sooner than the schedule would. Hence:

- **Deduplication by event id in the cache** (Redis in production: ``SET NX`` with a TTL, keyed by the
  workspace), not in a table. A duplicate that slips through (Redis flushed) costs one redundant incremental
  read, which the engine makes idempotent; a lost event costs nothing the next scheduled sync does not
  repair. A table would add a write per event on the path HubSpot wants answered within 5 seconds, and
  rows to prune.
- **Dispatch in a task** (``integrations.hubspot_webhook_dispatch``), so the receiver answers 204 at once.
  The task is a cross-tenant dispatcher: it finds the connections whose ``external_account_id`` is the
  event's ``portalId`` in every workspace with one read-only query (``workspaces_readable``: the named
  multi-workspace read scope, which row-level security allows for SELECT only), then enters each workspace's
  context to deduplicate and queue that connection's sync.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache

from integrations import sync
from integrations.models import Connection, SyncRun
from integrations.providers.base import ObjectType
from tenants.context import workspace_context, workspaces_readable
from tenants.models import Workspace
from tenants.tasks import workspace_cache_key

logger = logging.getLogger(__name__)

# HubSpot retries a failed delivery for up to a day; a seen event id is remembered a little longer.
DEDUP_TTL = dt.timedelta(hours=36)
# HubSpot sends at most 100 events per call; more is not HubSpot.
MAX_EVENTS = 1000
# subscriptionType "<object>.<event>" -> the canonical type to re-read.
OBJECT_TYPES = {"contact": ObjectType.CONTACTS, "company": ObjectType.COMPANIES, "deal": ObjectType.DEALS}


class WebhookBodyInvalid(ValueError):
    """The body is not a list of HubSpot events."""


@dataclass(frozen=True, slots=True)
class HubSpotEvent:
    event_id: str
    portal_id: str
    object_type: ObjectType | None  # None: an object we do not sync (tickets, custom objects)
    object_id: str
    subscription_type: str
    occurred_at: int | None

    def as_json(self) -> dict[str, Any]:
        return {"eventId": self.event_id, "portalId": self.portal_id, "objectId": self.object_id,
                "subscriptionType": self.subscription_type, "occurredAt": self.occurred_at}  # fmt: skip


def _digits(value: Any) -> str:
    text = str(value) if isinstance(value, int | str) and not isinstance(value, bool) else ""
    return text if text.isdigit() else ""


def hubspot_events_parse(body: Any) -> list[HubSpotEvent]:
    """The events of a webhook body (already JSON-decoded); :class:`WebhookBodyInvalid` if it is not a list of
    events with a numeric ``eventId`` and ``portalId`` and a ``subscriptionType``."""
    if not isinstance(body, list) or len(body) > MAX_EVENTS:
        raise WebhookBodyInvalid
    events = []
    for raw in body:
        if not isinstance(raw, dict):
            raise WebhookBodyInvalid
        event_id, portal_id = _digits(raw.get("eventId")), _digits(raw.get("portalId"))
        subscription = raw.get("subscriptionType")
        if not event_id or not portal_id or not isinstance(subscription, str):
            raise WebhookBodyInvalid
        occurred = raw.get("occurredAt")
        events.append(HubSpotEvent(
            event_id=event_id, portal_id=portal_id, object_type=OBJECT_TYPES.get(subscription.split(".", 1)[0]),
            object_id=_digits(raw.get("objectId")), subscription_type=subscription[:100],
            occurred_at=occurred if isinstance(occurred, int) and not isinstance(occurred, bool) else None,
        ))  # fmt: skip
    return events


def _event_first_seen(workspace_id: Any, event: HubSpotEvent) -> bool:
    key = workspace_cache_key(workspace_id, "hubspot", "webhook", event.portal_id, event.event_id)
    return bool(cache.add(key, 1, timeout=int(DEDUP_TTL.total_seconds())))


def hubspot_webhook_dispatch(*, events: list[dict[str, Any]]) -> list[tuple[str, tuple[ObjectType, ...]]]:
    """Queue a sync of the touched object types for every live HubSpot connection of each event's portal, once
    per event id and workspace. Answers what was queued: ``(connection id, object types)``."""
    parsed = [e for e in hubspot_events_parse(events) if e.object_type is not None]
    portals = {e.portal_id for e in parsed}
    if not portals:
        return []
    with workspaces_readable(Workspace.objects.values_list("id", flat=True)):
        targets = list(
            Connection.objects.filter(provider=Connection.Provider.HUBSPOT, external_account_id__in=portals)
            .exclude(status=Connection.Status.DISCONNECTED)
            .exclude(credentials_ciphertext="")
            .values_list("workspace_id", "id", "external_account_id")
        )
    by_portal: dict[str, list[HubSpotEvent]] = defaultdict(list)
    for event in parsed:
        by_portal[event.portal_id].append(event)
    queued = []
    for workspace_id, connection_id, portal in targets:
        with workspace_context(workspace_id):
            connection = Connection.objects.filter(id=connection_id).first()
            if connection is None:
                continue
            fresh = [e for e in by_portal[portal] if _event_first_seen(workspace_id, e)]
            types = tuple(t for t in ObjectType if any(e.object_type is t for e in fresh))
            if types:
                sync.sync_enqueue(connection=connection, trigger=SyncRun.Trigger.WEBHOOK, object_types=types)
                queued.append((str(connection.id), types))
    logger.info("hubspot webhook: %s events, %s syncs queued", len(parsed), len(queued))
    return queued
