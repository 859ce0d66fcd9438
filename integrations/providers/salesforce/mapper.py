"""Raw Salesforce REST records -> canonical records. Pure functions over ``query``/``queryAll`` rows.

A row is ``{"attributes": {"type": "Opportunity", ...}, "Id": ..., <fields>}``; datetimes look like
``2026-05-07T16:30:00.000+0000``; dates (``CloseDate``, ``ActivityDate``) like ``2026-05-07``.
Opportunity rows may carry ``OpportunityHistories: {"records": [{"StageName", "CreatedDate"}]}`` (the
client attaches it), from which the stage dates come.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from integrations.canonical import (
    CanonicalActivity,
    CanonicalCompany,
    CanonicalContact,
    CanonicalDeal,
    CanonicalOwner,
    CanonicalStage,
)
from integrations.providers.values import parse_amount, parse_bool, parse_date, parse_timestamp, text

# Key prefixes of the standard objects an activity links to (the first three characters of an Id).
LEAD_PREFIX, CONTACT_PREFIX, ACCOUNT_PREFIX, OPPORTUNITY_PREFIX = "00Q", "003", "001", "006"
# A Salesforce Contact is a person who is no (longer a) lead: its lifecycle stage says so.
CONTACT_LIFECYCLE = "contact"


def _optional(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def _deleted(raw: Mapping[str, Any]) -> bool:
    return bool(raw.get("IsDeleted"))


def owner_from_salesforce(raw: Mapping[str, Any]) -> CanonicalOwner:
    return CanonicalOwner(
        external_id=str(raw["Id"]),
        email=text(raw.get("Email")),
        first_name=text(raw.get("FirstName")),
        last_name=text(raw.get("LastName")),
        active=parse_bool(raw.get("IsActive", True)),
        modstamp=parse_timestamp(raw.get("SystemModstamp")),
    )


def _domain(website: Any) -> str:
    """``https://www.example.co.jp/about`` -> ``example.co.jp``."""
    value = text(website).strip()
    if not value:
        return ""
    host = urlsplit(value if "//" in value else f"//{value}").hostname or ""
    return host.removeprefix("www.")


def company_from_salesforce(raw: Mapping[str, Any]) -> CanonicalCompany:
    return CanonicalCompany(
        external_id=str(raw["Id"]),
        name=text(raw.get("Name")),
        domain=_domain(raw.get("Website")),
        modstamp=parse_timestamp(raw.get("SystemModstamp")),
        archived=_deleted(raw),
    )


def lead_from_salesforce(raw: Mapping[str, Any]) -> CanonicalContact:
    """A Lead is a person who became a lead when it was created; ``Status`` is its lifecycle stage."""
    return CanonicalContact(
        external_id=str(raw["Id"]),
        email=text(raw.get("Email")),
        first_name=text(raw.get("FirstName")),
        last_name=text(raw.get("LastName")),
        company_external_id=_optional(raw.get("ConvertedAccountId")),
        lifecycle_stage=text(raw.get("Status")),
        became_lead_at=parse_timestamp(raw.get("CreatedDate")),
        owner_external_id=_optional(raw.get("OwnerId")),
        created_at=parse_timestamp(raw.get("CreatedDate")),
        modstamp=parse_timestamp(raw.get("SystemModstamp")),
        archived=_deleted(raw),
    )


def contact_from_salesforce(raw: Mapping[str, Any]) -> CanonicalContact:
    return CanonicalContact(
        external_id=str(raw["Id"]),
        email=text(raw.get("Email")),
        first_name=text(raw.get("FirstName")),
        last_name=text(raw.get("LastName")),
        company_external_id=_optional(raw.get("AccountId")),
        lifecycle_stage=CONTACT_LIFECYCLE,
        # Leads are counted from Lead rows; a converted lead's contact must not count a second time.
        became_lead_at=None,
        owner_external_id=_optional(raw.get("OwnerId")),
        created_at=parse_timestamp(raw.get("CreatedDate")),
        modstamp=parse_timestamp(raw.get("SystemModstamp")),
        archived=_deleted(raw),
    )


def stage_dates(raw: Mapping[str, Any]) -> dict[str, dt.datetime]:
    """The first time the opportunity entered each stage, from its OpportunityHistory rows."""
    history = (raw.get("OpportunityHistories") or {}).get("records") or []
    entered: dict[str, dt.datetime] = {}
    for row in history:
        stage, stamp = row.get("StageName"), parse_timestamp(row.get("CreatedDate"))
        if stage and stamp is not None and (stage not in entered or stamp < entered[stage]):
            entered[str(stage)] = stamp
    return entered


def deal_from_salesforce(raw: Mapping[str, Any], *, default_currency: str = "") -> CanonicalDeal:
    amount, amount_invalid = parse_amount(raw.get("Amount"))
    # Only what the history says: Salesforce writes a history row when an opportunity is created.
    entered = stage_dates(raw)
    return CanonicalDeal(
        external_id=str(raw["Id"]),
        name=text(raw.get("Name")),
        # Salesforce has one opportunity pipeline per record type; the record type id stands for it.
        pipeline=text(raw.get("RecordTypeId")),
        stage=text(raw.get("StageName")),
        amount=amount,
        amount_invalid=amount_invalid,
        currency=text(raw.get("CurrencyIsoCode")) or default_currency,
        created_at=parse_timestamp(raw.get("CreatedDate")),
        close_date=parse_date(raw.get("CloseDate")),
        is_closed=parse_bool(raw.get("IsClosed", False)),
        is_won=parse_bool(raw.get("IsWon", False)),
        owner_external_id=_optional(raw.get("OwnerId")),
        company_external_id=_optional(raw.get("AccountId")),
        stage_entered_at=entered,
        modstamp=parse_timestamp(raw.get("SystemModstamp")),
        archived=_deleted(raw),
    )


def _links(raw: Mapping[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    deals: list[str] = []
    contacts: list[str] = []
    companies: list[str] = []
    who, what, account = (
        _optional(raw.get("WhoId")),
        _optional(raw.get("WhatId")),
        _optional(raw.get("AccountId")),
    )
    if who and who[:3] in (LEAD_PREFIX, CONTACT_PREFIX):
        contacts.append(who)
    if what and what.startswith(OPPORTUNITY_PREFIX):
        deals.append(what)
    elif what and what.startswith(ACCOUNT_PREFIX):
        companies.append(what)
    if account and account not in companies:
        companies.append(account)
    return tuple(deals), tuple(contacts), tuple(companies)


def activity_from_salesforce(raw: Mapping[str, Any]) -> CanonicalActivity:
    """Task (calls, e-mails, to-dos: ``TaskSubtype``) or Event (meetings). ``IsArchived`` (older than a year)
    is not a delete; only ``IsDeleted`` is."""
    object_type = (raw.get("attributes") or {}).get("type", "Task")
    deals, contacts, companies = _links(raw)
    if object_type == "Event":
        occurred = parse_timestamp(raw.get("StartDateTime")) or parse_timestamp(raw.get("ActivityDateTime"))
        activity_type, outcome, completed = text(raw.get("EventSubtype")) or "Event", "", None
    else:
        # ActivityDate is a date at midnight UTC ("don't alter it"): it stays on its own day.
        activity_date = parse_date(raw.get("ActivityDate"))
        occurred = (
            parse_timestamp(raw.get("CompletedDateTime"))
            or (dt.datetime.combine(activity_date, dt.time(), dt.UTC) if activity_date else None)
            or parse_timestamp(raw.get("CreatedDate"))
        )
        activity_type = text(raw.get("TaskSubtype")) or "Task"
        outcome = text(raw.get("CallDisposition")) or text(raw.get("Status"))
        completed = parse_bool(raw.get("IsClosed", False))
    return CanonicalActivity(
        external_id=str(raw["Id"]),
        activity_type=activity_type,
        occurred_at=occurred,
        owner_external_id=_optional(raw.get("OwnerId")),
        outcome=outcome,
        completed=completed,
        deal_external_ids=deals,
        contact_external_ids=contacts,
        company_external_ids=companies,
        modstamp=parse_timestamp(raw.get("SystemModstamp")),
        archived=_deleted(raw),
    )


def stages_from_salesforce(rows: list[Mapping[str, Any]]) -> list[CanonicalStage]:
    """``OpportunityStage`` rows -> stages; the stage id is its API name (what ``StageName`` holds)."""
    stages = []
    for row in rows:
        try:
            probability = (
                Decimal(str(row["DefaultProbability"])) / 100
                if row.get("DefaultProbability") is not None
                else None
            )
        except InvalidOperation:
            probability = None
        stages.append(
            CanonicalStage(
                pipeline="",
                pipeline_label="",
                stage=text(row.get("ApiName") or row.get("MasterLabel")),
                label=text(row.get("MasterLabel")),
                display_order=int(row.get("SortOrder") or 0),
                is_closed=parse_bool(row.get("IsClosed", False)),
                is_won=parse_bool(row.get("IsWon", False)),
                probability=probability,
                archived=not parse_bool(row.get("IsActive", True)),
            )
        )
    return stages
