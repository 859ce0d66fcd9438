"""From a provider's canonical records to the columns of the canonical tables, through the connection's mappings.

Pure once the :class:`MappingContext` is loaded (three small queries per connection): the stage, activity and
lead mappings the user confirmed, and the workspace's time zone, which turns CRM instants into the calendar
days metrics count by. Both ingest paths (PostgreSQL's COPY + merge and the batched upsert elsewhere) and the
re-mapping after a mapping change write exactly these values.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from integrations.canonical import (
    CanonicalActivity,
    CanonicalCompany,
    CanonicalContact,
    CanonicalDeal,
    CanonicalOwner,
    CanonicalRecord,
)
from integrations.funnel import STAGES, funnel_dates_fill
from integrations.models import (
    ActivityTypeMapping,
    Connection,
    LeadDefinition,
    StageMapping,
)
from integrations.providers.base import ObjectType
from integrations.rollups.rules import local_date
from tenants.clock import workspace_zone

IGNORED = "ignore"


@dataclass(frozen=True)
class MappingContext:
    zone: ZoneInfo
    # (pipeline, stage id) -> funnel stage; Salesforce stages have the pipeline "" and match any record type.
    stages: Mapping[tuple[str, str], str]
    activity_types: Mapping[str, str]
    lead_source: str
    lead_stages: frozenset[str]

    def funnel_stage(self, pipeline: str, stage: str) -> str:
        return self.stages.get((pipeline, stage)) or self.stages.get(("", stage)) or ""

    def activity_type(self, raw_type: str) -> str:
        return self.activity_types.get(raw_type, "")

    def is_lead(self, contact: CanonicalContact) -> bool:
        if self.lead_source == LeadDefinition.Source.ALL_CONTACTS:
            return True
        if self.lead_source == LeadDefinition.Source.LEADS_OBJECT:
            # The Leads object's records are the ones the CRM dates as leads (a Salesforce Contact has no date).
            return contact.became_lead_at is not None and (
                not self.lead_stages or contact.lifecycle_stage in self.lead_stages
            )
        return contact.lifecycle_stage in self.lead_stages


def mapping_context_load(connection: Connection) -> MappingContext:
    stages = {
        (row.pipeline, row.stage): row.funnel_stage
        for row in StageMapping.objects.filter(connection=connection).only(
            "pipeline", "stage", "funnel_stage"
        )
    }
    activity_types = dict(
        ActivityTypeMapping.objects.filter(connection=connection).values_list("raw_type", "activity_type")
    )
    lead = LeadDefinition.objects.filter(connection=connection).first()
    return MappingContext(
        zone=workspace_zone(connection.workspace),
        stages=stages,
        activity_types=activity_types,
        lead_source=lead.source if lead else LeadDefinition.Source.ALL_CONTACTS,
        lead_stages=frozenset(lead.lead_stages if lead else ()),
    )


def _day(instant: dt.datetime | None, zone: ZoneInfo) -> dt.date | None:
    return None if instant is None else local_date(instant, zone)


def deal_funnel_dates(deal: CanonicalDeal, ctx: MappingContext) -> dict[str, dt.date | None]:
    """The day (workspace time zone) the deal first reached each funnel stage, filled cumulatively.

    A won deal has reached ``won`` by its close date at the latest; a closed lost one is lost on its close
    date. The current stage counts as reached when the history has no date for it: on the day the deal was
    created, the only day the CRM vouches for when it sends no stage history (CSV files, some Salesforce orgs).
    """
    close_date = deal_close_date(deal, ctx)
    reached: dict[str, dt.date | None] = {}
    for stage, entered in deal.stage_entered_at.items():
        funnel = ctx.funnel_stage(deal.pipeline, stage)
        day = _day(entered, ctx.zone)
        if funnel in STAGES and day is not None and (reached.get(funnel) is None or day < reached[funnel]):
            reached[funnel] = day
    current = ctx.funnel_stage(deal.pipeline, deal.stage)
    if current in STAGES and reached.get(current) is None and current not in ("won", "lost"):
        reached[current] = _day(deal.created_at, ctx.zone)
    if deal.is_closed and close_date is not None:
        closing = "won" if deal.is_won else "lost"
        known = reached.get(closing)
        reached[closing] = close_date if known is None else min(known, close_date)
    return funnel_dates_fill(reached)


def deal_close_date(deal: CanonicalDeal, ctx: MappingContext) -> dt.date | None:
    return _day(deal.closed_at, ctx.zone) if deal.closed_at is not None else deal.close_date


def _stage_history(entered: Mapping[str, dt.datetime]) -> dict[str, str]:
    return {stage: instant.isoformat() for stage, instant in sorted(entered.items())}


def _amount(value: Decimal | None) -> Decimal | None:
    # The column keeps two decimals; JPY has none, other currencies round half-even like the DB would.
    return None if value is None else value.quantize(Decimal("0.01"))


def record_values(record: CanonicalRecord, ctx: MappingContext) -> dict[str, Any]:
    """The columns of one record (foreign keys as the CRM's ids: the ingest resolves them)."""
    if isinstance(record, CanonicalOwner):
        return {
            "email": record.email.strip().lower(),
            "first_name": record.first_name,
            "last_name": record.last_name,
            "active": record.active,
        }
    if isinstance(record, CanonicalCompany):
        return {"name": record.name[:300], "domain": record.domain[:253]}
    if isinstance(record, CanonicalContact):
        is_lead = ctx.is_lead(record)
        became_lead_at = record.became_lead_at or (record.created_at if is_lead else None)
        return {
            "email": record.email.strip().lower(),
            "first_name": record.first_name,
            "last_name": record.last_name,
            "company_external_id": record.company_external_id or "",
            "lifecycle_stage": record.lifecycle_stage,
            "is_lead": is_lead,
            "became_lead_at": became_lead_at,
            "became_lead_on": _day(became_lead_at, ctx.zone) if is_lead else None,
            "owner_external_id": record.owner_external_id or "",
            "created_at_crm": record.created_at,
        }
    if isinstance(record, CanonicalDeal):
        dates = deal_funnel_dates(record, ctx)
        return {
            "name": record.name[:300],
            "pipeline": record.pipeline,
            "stage": record.stage,
            "funnel_stage": ctx.funnel_stage(record.pipeline, record.stage),
            "amount": None if record.amount_invalid else _amount(record.amount),
            "amount_invalid": record.amount_invalid,
            "currency": record.currency[:3],
            "created_at_crm": record.created_at,
            "close_date": deal_close_date(record, ctx),
            "is_closed": record.is_closed or record.is_won,
            "is_won": record.is_won,
            "owner_external_id": record.owner_external_id or "",
            "company_external_id": record.company_external_id or "",
            "stage_entered_at": _stage_history(record.stage_entered_at),
            "appointment_date": dates["appointment"],
            "meeting_date": dates["meeting"],
            "proposal_date": dates["proposal"],
            "won_date": dates["won"],
            "lost_date": dates["lost"],
        }
    if isinstance(record, CanonicalActivity):
        return {
            "raw_type": record.activity_type,
            "activity_type": ctx.activity_type(record.activity_type),
            "occurred_at": record.occurred_at,
            "occurred_on": _day(record.occurred_at, ctx.zone),
            "owner_external_id": record.owner_external_id or "",
            "outcome": record.outcome[:100],
            # A meeting the CRM gives no status for (a Salesforce Event) counts as held once it has happened.
            "completed": record.completed if record.completed is not None else record.occurred_at is not None,
            "deal_external_ids": list(record.deal_external_ids),
            "contact_external_ids": list(record.contact_external_ids),
            "company_external_ids": list(record.company_external_ids),
        }
    raise TypeError(f"not a canonical record: {type(record).__name__}")


def _json_default(value: Any) -> str:
    if isinstance(value, dt.datetime | dt.date | Decimal):
        return value.isoformat() if not isinstance(value, Decimal) else str(value)
    raise TypeError(type(value).__name__)


def content_hash(values: Mapping[str, Any], *, modstamp: dt.datetime | None, archived: bool) -> str:
    """What "unchanged" means: the same CRM version mapped to the same columns (raw payload aside)."""
    payload = json.dumps(
        [values, modstamp.isoformat() if modstamp else None, archived],
        default=_json_default,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.md5(payload.encode(), usedforsecurity=False).hexdigest()


def record_archived(record: CanonicalRecord) -> bool:
    return bool(getattr(record, "archived", False))


OBJECT_TYPE_OF: dict[type, ObjectType] = {
    CanonicalOwner: ObjectType.OWNERS,
    CanonicalCompany: ObjectType.COMPANIES,
    CanonicalContact: ObjectType.CONTACTS,
    CanonicalDeal: ObjectType.DEALS,
    CanonicalActivity: ObjectType.ACTIVITIES,
}
