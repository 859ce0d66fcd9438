"""Raw HubSpot v3 objects -> canonical records. Pure functions over the JSON the API returns.

A raw object is ``{"id", "properties": {...}, "createdAt", "updatedAt", "archived", "archivedAt"?,
"associations"?: {"companies": {"results": [{"id", "type"}]}}}``; every property value is a string or null.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from integrations.canonical import (
    CanonicalActivity,
    CanonicalCompany,
    CanonicalContact,
    CanonicalDeal,
    CanonicalOwner,
    CanonicalStage,
)
from integrations.providers.values import (
    parse_amount,
    parse_bool,
    parse_date,
    parse_instant_of_date,
    parse_timestamp,
    split_ids,
    text,
)

STAGE_ENTERED_PREFIX = "hs_date_entered_"

# Per activity object: the property holding when it happened, and the one holding its outcome/status.
ACTIVITY_TIME_PROPERTY = {
    "calls": "hs_timestamp",
    "emails": "hs_timestamp",
    "meetings": "hs_meeting_start_time",
    "tasks": "hs_timestamp",
}
ACTIVITY_OUTCOME_PROPERTY = {
    "calls": "hs_call_disposition",
    "emails": "hs_email_status",
    "meetings": "hs_meeting_outcome",
    "tasks": "hs_task_status",
}
ACTIVITY_STATUS_PROPERTY = {
    "calls": "hs_call_status",
    "emails": "hs_email_status",
    "meetings": "hs_meeting_outcome",
    "tasks": "hs_task_status",
}
# The status values that mean "it happened / it is done".
COMPLETED_STATUSES = {"COMPLETED", "SENT"}


def _props(raw: Mapping[str, Any]) -> Mapping[str, Any]:
    return raw.get("properties") or {}


def _modstamp(raw: Mapping[str, Any], cursor_property: str) -> dt.datetime | None:
    return parse_timestamp(_props(raw).get(cursor_property)) or parse_timestamp(raw.get("updatedAt"))


def _archived(raw: Mapping[str, Any]) -> bool:
    return bool(raw.get("archived"))


def _associated(raw: Mapping[str, Any], to_type: str) -> tuple[str, ...]:
    association = (raw.get("associations") or {}).get(to_type) or {}
    ids = [str(item["id"]) for item in association.get("results", []) if item.get("id") is not None]
    return tuple(dict.fromkeys(ids))  # the list endpoint repeats an id per association type


def _optional(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def owner_from_hubspot(raw: Mapping[str, Any]) -> CanonicalOwner:
    # Owners are not CRM objects: flat fields, and archived means the user was deactivated.
    return CanonicalOwner(
        external_id=str(raw["id"]),
        email=text(raw.get("email")),
        first_name=text(raw.get("firstName")),
        last_name=text(raw.get("lastName")),
        active=not _archived(raw),
        modstamp=parse_timestamp(raw.get("updatedAt")),
    )


def company_from_hubspot(raw: Mapping[str, Any]) -> CanonicalCompany:
    props = _props(raw)
    return CanonicalCompany(
        external_id=str(raw["id"]),
        name=text(props.get("name")),
        domain=text(props.get("domain")),
        modstamp=_modstamp(raw, "hs_lastmodifieddate"),
        merged_ids=split_ids(props.get("hs_merged_object_ids")),
        archived=_archived(raw),
    )


def contact_from_hubspot(raw: Mapping[str, Any]) -> CanonicalContact:
    props = _props(raw)
    companies = _associated(raw, "companies")
    return CanonicalContact(
        external_id=str(raw["id"]),
        email=text(props.get("email")),
        first_name=text(props.get("firstname")),
        last_name=text(props.get("lastname")),
        company_external_id=_optional(props.get("associatedcompanyid"))
        or (companies[0] if companies else None),
        lifecycle_stage=text(props.get("lifecyclestage")),
        became_lead_at=parse_timestamp(props.get("hs_lifecyclestage_lead_date")),
        owner_external_id=_optional(props.get("hubspot_owner_id")),
        created_at=parse_timestamp(props.get("createdate")) or parse_timestamp(raw.get("createdAt")),
        modstamp=_modstamp(raw, "lastmodifieddate"),
        merged_ids=split_ids(props.get("hs_merged_object_ids")),
        archived=_archived(raw),
    )


def deal_from_hubspot(
    raw: Mapping[str, Any],
    *,
    stages: Mapping[str, CanonicalStage] | None = None,
    default_currency: str = "",
) -> CanonicalDeal:
    """``stages`` (stage id -> stage) decides closed/won when the deal lacks ``hs_is_closed*``."""
    props = _props(raw)
    amount, amount_invalid = parse_amount(props.get("amount"))
    stage_id = text(props.get("dealstage"))
    stage = (stages or {}).get(stage_id)
    is_closed = (
        parse_bool(props["hs_is_closed"])
        if props.get("hs_is_closed") not in (None, "")
        else bool(stage and stage.is_closed)
    )
    is_won = (
        parse_bool(props["hs_is_closed_won"])
        if props.get("hs_is_closed_won") not in (None, "")
        else bool(stage and stage.is_won)
    )
    entered: dict[str, dt.datetime] = {}
    for name, value in props.items():
        if name.startswith(STAGE_ENTERED_PREFIX):
            stamp = parse_timestamp(value)
            if stamp is not None:
                entered[name.removeprefix(STAGE_ENTERED_PREFIX)] = stamp
    companies = _associated(raw, "companies")
    return CanonicalDeal(
        external_id=str(raw["id"]),
        name=text(props.get("dealname")),
        pipeline=text(props.get("pipeline")),
        stage=stage_id,
        amount=amount,
        amount_invalid=amount_invalid,
        currency=text(props.get("deal_currency_code")) or default_currency,
        created_at=parse_timestamp(props.get("createdate")) or parse_timestamp(raw.get("createdAt")),
        # A date property: HubSpot sends midnight UTC (or a UI-shifted instant); keep its UTC date.
        close_date=parse_date(props.get("closedate")),
        closed_at=parse_instant_of_date(props.get("closedate")),
        is_closed=is_closed or is_won,
        is_won=is_won,
        owner_external_id=_optional(props.get("hubspot_owner_id")),
        company_external_id=companies[0] if companies else None,
        stage_entered_at=entered,
        modstamp=_modstamp(raw, "hs_lastmodifieddate"),
        merged_ids=split_ids(props.get("hs_merged_object_ids")),
        archived=_archived(raw),
    )


def activity_from_hubspot(raw: Mapping[str, Any], *, object_type: str) -> CanonicalActivity:
    """``object_type`` is the HubSpot object the raw came from: calls, emails, meetings or tasks."""
    props = _props(raw)
    occurred = parse_timestamp(props.get(ACTIVITY_TIME_PROPERTY[object_type])) or parse_timestamp(
        props.get("hs_timestamp")
    )
    status = text(props.get(ACTIVITY_STATUS_PROPERTY[object_type])).upper()
    return CanonicalActivity(
        external_id=str(raw["id"]),
        activity_type=object_type,
        occurred_at=occurred,
        owner_external_id=_optional(props.get("hubspot_owner_id")),
        outcome=text(props.get(ACTIVITY_OUTCOME_PROPERTY[object_type])),
        completed=(status in COMPLETED_STATUSES) if status else None,
        deal_external_ids=_associated(raw, "deals"),
        contact_external_ids=_associated(raw, "contacts"),
        company_external_ids=_associated(raw, "companies"),
        modstamp=_modstamp(raw, "hs_lastmodifieddate"),
        archived=_archived(raw),
    )


def stages_from_hubspot(pipelines: list[Mapping[str, Any]]) -> list[CanonicalStage]:
    """``GET /crm/v3/pipelines/deals`` results -> stages. Won = closed with probability 1.0."""
    found: list[CanonicalStage] = []
    for pipeline in pipelines:
        for stage in pipeline.get("stages", []):
            metadata = stage.get("metadata") or {}
            try:
                probability = (
                    Decimal(str(metadata["probability"])) if metadata.get("probability") is not None else None
                )
            except InvalidOperation:
                probability = None
            is_closed = parse_bool(metadata.get("isClosed", False))
            found.append(
                CanonicalStage(
                    pipeline=str(pipeline["id"]),
                    pipeline_label=text(pipeline.get("label")),
                    stage=str(stage["id"]),
                    label=text(stage.get("label")),
                    display_order=int(stage.get("displayOrder") or 0),
                    is_closed=is_closed,
                    is_won=is_closed and probability is not None and probability >= 1,
                    probability=probability,
                    archived=bool(stage.get("archived")),
                )
            )
    return found
