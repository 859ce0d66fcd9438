"""Canonical CRM records: what every provider's mapper produces and the sync engine upserts.

Pure data, no Django. The integrations models mirror these names field for field. Conventions:

- every datetime is timezone-aware UTC; date-only CRM fields (a deal's close date) stay ``date``;
- ``external_id`` is the CRM's id as a string;
- ``modstamp`` is the CRM's last-modified stamp, used by the upsert ("only if incoming >= stored");
- ``merged_ids`` are the external ids merged INTO this record (the survivor lists its losers);
- ``archived`` is the CRM's soft delete (HubSpot ``archived``, Salesforce ``IsDeleted``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class CanonicalOwner:
    external_id: str
    email: str
    first_name: str
    last_name: str
    # False for a deactivated user; deals keep pointing at them, so they are still synced.
    active: bool
    modstamp: dt.datetime | None


@dataclass(frozen=True, slots=True)
class CanonicalCompany:
    external_id: str
    name: str
    domain: str
    modstamp: dt.datetime | None
    merged_ids: tuple[str, ...] = ()
    archived: bool = False


@dataclass(frozen=True, slots=True)
class CanonicalContact:
    external_id: str
    email: str
    first_name: str
    last_name: str
    company_external_id: str | None
    # Raw CRM value: HubSpot ``lifecyclestage`` ("lead", "marketingqualifiedlead"...), Salesforce Lead ``Status``
    # or "contact" for a Salesforce Contact. Mapping to MQL/SQL is a per-connection setting, not the mapper's.
    lifecycle_stage: str
    became_lead_at: dt.datetime | None
    owner_external_id: str | None
    created_at: dt.datetime | None
    modstamp: dt.datetime | None
    merged_ids: tuple[str, ...] = ()
    archived: bool = False


@dataclass(frozen=True, slots=True)
class CanonicalDeal:
    external_id: str
    name: str
    pipeline: str
    stage: str
    amount: Decimal | None
    # True when the CRM sent something that is not a number ("N/A"); the raw payload keeps the text.
    amount_invalid: bool
    currency: str
    created_at: dt.datetime | None
    close_date: dt.date | None
    is_closed: bool
    is_won: bool
    owner_external_id: str | None
    company_external_id: str | None
    # Raw stage id -> when the deal first entered it, as far as the CRM tells.
    stage_entered_at: dict[str, dt.datetime] = field(default_factory=dict)
    modstamp: dt.datetime | None = None
    merged_ids: tuple[str, ...] = ()
    archived: bool = False
    # The instant of the close when the CRM gives one (HubSpot's ``closedate`` set as a deal is closed): its day
    # in the workspace's time zone is the close date. A date-only close (midnight UTC, a picker) stays a date.
    closed_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class CanonicalActivity:
    external_id: str
    # As the CRM calls it, raw: HubSpot "calls"/"emails"/"meetings"/"tasks", Salesforce "Call", "Email", "Task",
    # "Event"... The per-connection activity mapping turns it into call/e-mail/meeting/task.
    activity_type: str
    occurred_at: dt.datetime | None
    owner_external_id: str | None
    outcome: str
    # None when the CRM does not say (a Salesforce Event has no status).
    completed: bool | None
    deal_external_ids: tuple[str, ...] = ()
    contact_external_ids: tuple[str, ...] = ()
    company_external_ids: tuple[str, ...] = ()
    modstamp: dt.datetime | None = None
    archived: bool = False


@dataclass(frozen=True, slots=True)
class CanonicalStage:
    """A pipeline stage, for the stage -> funnel-stage mapping. Not upserted per page: read in full each run."""

    pipeline: str
    pipeline_label: str
    stage: str
    label: str
    display_order: int
    is_closed: bool
    is_won: bool
    probability: Decimal | None
    archived: bool = False


CanonicalRecord = CanonicalOwner | CanonicalCompany | CanonicalContact | CanonicalDeal | CanonicalActivity
