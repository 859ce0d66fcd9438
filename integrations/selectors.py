"""Read paths of the CRM integrations, in the workspace in context.

Credentials leave the database only through :func:`connection_credentials_get` (decrypted for the
provider client of a sync); no serializer, admin page or log reads the ciphertext columns.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from core.errors import ServiceError
from integrations.crypto import CryptoError, Keyring, row_associated_data
from integrations.models import (
    ActivityTypeMapping,
    Connection,
    CrmOwner,
    LeadDefinition,
    MetricRuleOverride,
    StageMapping,
    SyncRun,
)
from integrations.rollups.rules import DEFAULT_RULES, MetricRule
from kpi.models import Metric

CREDENTIALS_PURPOSE = "integrations.connection.credentials"


def credentials_keyring() -> Keyring:
    """The configured keys (``FIELD_ENCRYPTION_KEYS``, newest first)."""
    return Keyring.from_strings(settings.FIELD_ENCRYPTION_KEYS)


def credentials_associated_data(connection: Connection) -> bytes:
    """Binds the ciphertext to this connection of this workspace: copied to another row, it fails."""
    return row_associated_data(CREDENTIALS_PURPOSE, connection.workspace_id, connection.id)


def connection_credentials_get(*, connection: Connection) -> dict[str, Any]:
    """The connection's credentials, decrypted; ``{}`` when none are stored."""
    if not connection.credentials_ciphertext:
        return {}
    try:
        plaintext = credentials_keyring().decrypt(
            connection.credentials_ciphertext,
            key_id=connection.credentials_key_id,
            associated_data=credentials_associated_data(connection),
        )
    except CryptoError as exc:
        raise ServiceError("integrations.credentials.unreadable") from exc
    return json.loads(plaintext.decode("utf-8"))


def connection_list() -> QuerySet[Connection]:
    return Connection.objects.select_related("created_by").order_by("created_at", "id")


def connection_is_syncing(connection: Connection, *, now: Any) -> bool:
    return bool(connection.lease_owner and connection.lease_expires_at and connection.lease_expires_at > now)


@dataclass(frozen=True)
class Mappings:
    stages: list[StageMapping]
    activity_types: list[ActivityTypeMapping]
    lead_definition: LeadDefinition | None


def connection_mappings_get(*, connection: Connection) -> Mappings:
    return Mappings(
        stages=list(
            StageMapping.objects.filter(connection=connection).order_by("pipeline", "position", "stage")
        ),
        activity_types=list(ActivityTypeMapping.objects.filter(connection=connection).order_by("raw_type")),
        lead_definition=LeadDefinition.objects.filter(connection=connection).first(),
    )


def sync_run_list(*, connection: Connection | None = None) -> QuerySet[SyncRun]:
    runs = SyncRun.objects.all()
    if connection is not None:
        runs = runs.filter(connection=connection)
    return runs.order_by("-started_at", "-id")


def crm_owner_list(
    *, connection: Connection | None = None, matched: bool | None = None
) -> QuerySet[CrmOwner]:
    owners = CrmOwner.objects.filter(deleted_at__isnull=True, merged_into__isnull=True).select_related(
        "member__user"
    )
    if connection is not None:
        owners = owners.filter(connection=connection)
    if matched is not None:
        owners = owners.filter(member__isnull=not matched)
    return owners.order_by("email", "external_id")


def crm_owner_unmatched_list(*, connection: Connection) -> QuerySet[CrmOwner]:
    """The CRM owners no member stands for yet (nor deliberately none): the list shown to the user."""
    return crm_owner_list(connection=connection, matched=False).exclude(
        match_source=CrmOwner.MatchSource.MANUAL
    )


def metric_rules_effective() -> list[MetricRule]:
    """The rule of every CRM-fed metric of the workspace in context: the defaults, each replaced by the
    workspace's own rule for that metric, and the workspace's rules for metrics of its own."""
    rules = {rule.metric: rule for rule in DEFAULT_RULES}
    rules.update({o.metric_key: o.as_rule() for o in MetricRuleOverride.objects.order_by("metric_key")})
    return list(rules.values())


@dataclass(frozen=True)
class MetricRuleRow:
    """One CRM-fed metric of the workspace, its rule and whether the rule is the default."""

    metric: Metric
    rule: MetricRule
    is_default: bool


def metric_rules_listing() -> list[MetricRuleRow]:
    """The effective rule of every base metric the workspace has, in the order of the defaults."""
    overridden = set(MetricRuleOverride.objects.values_list("metric_key", flat=True))
    rules = metric_rules_effective()
    metrics = {m.key: m for m in Metric.objects.filter(key__in=[rule.metric for rule in rules])}
    return [
        MetricRuleRow(metrics[rule.metric], rule, rule.metric not in overridden)
        for rule in rules
        if rule.metric in metrics
    ]
