"""From a parsed CSV row to the canonical records the sync engine ingests (pure, no database).

A file names people and companies by e-mail and name, not by a CRM id, so those are their external ids: the
owner ``sato@example.jp`` is the CRM owner whose id is that address (matched to a member by e-mail like any
CRM owner), the company ``株式会社サンプル`` the company of that name. A value longer than an external id may
be (64 characters) is replaced by a digest of it, so it still names one record.

A file carries no modification stamp: a record is written when its mapped columns differ from what is stored
(the ingest's content hash), so importing the same file again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from integrations.canonical import (
    CanonicalActivity,
    CanonicalCompany,
    CanonicalContact,
    CanonicalDeal,
    CanonicalOwner,
    CanonicalRecord,
    CanonicalStage,
)
from integrations.csv_import.fields import ObjectType as CsvObjectType
from integrations.csv_import.fields import funnel_stage_guess

EXTERNAL_ID_MAX = 64
CURRENCY = "JPY"


# The longest value each field's column holds (the canonical tables'), where that is under the file's own
# limit of 255 characters: a longer value is refused with its line rather than cut (two stages would merge).
LIMITS: dict[CsvObjectType, dict[str, int]] = {
    CsvObjectType.DEAL: {"external_id": 64, "pipeline": 64, "stage": 100, "owner_email": 254},
    CsvObjectType.CONTACT: {
        "external_id": 64, "email": 254, "first_name": 150, "last_name": 150, "lifecycle_stage": 100,
        "owner_email": 254,
    },
    CsvObjectType.ACTIVITY: {"external_id": 64, "deal_external_id": 64, "outcome": 100, "owner_email": 254},
}  # fmt: skip


def values_too_long(object_type: CsvObjectType, values: Mapping[str, Any]) -> list[tuple[str, int]]:
    """(field, limit) of every value longer than its column holds."""
    limits = LIMITS[object_type]
    return [
        (key, limits[key])
        for key, value in values.items()
        if key in limits and isinstance(value, str) and len(value) > limits[key]
    ]


def external_key(text: str) -> str:
    """``text`` as an external id: itself when it fits, else a digest that names it as uniquely."""
    if len(text) <= EXTERNAL_ID_MAX:
        return text
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[: EXTERNAL_ID_MAX - 7]


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    # Canonical instants are UTC; the parser gave them in the workspace's zone (or the file's offset).
    return None if value is None else value.astimezone(dt.UTC)


def _company_key(values: Mapping[str, Any]) -> str | None:
    name = values.get("company_name")
    return external_key(name) if name else None


def _owner_key(values: Mapping[str, Any]) -> str | None:
    email = values.get("owner_email")
    return external_key(email) if email else None


def record_from_values(object_type: CsvObjectType, values: Mapping[str, Any]) -> CanonicalRecord:
    """The canonical record of one valid row (``values`` as ``rows_parse`` made them)."""
    if object_type is CsvObjectType.DEAL:
        # Without an outcome column, a stage named 受注 / 失注 (won / lost) says it.
        guessed = funnel_stage_guess(values["stage"])
        outcome = values.get("outcome", guessed if guessed in ("won", "lost") else "open")
        return CanonicalDeal(
            external_id=values["external_id"], name=values.get("name", ""), pipeline=values.get("pipeline", ""),
            stage=values["stage"], amount=values.get("amount"), amount_invalid=False, currency=CURRENCY,
            created_at=_utc(values.get("created_at")), close_date=values.get("close_date"),
            is_closed=outcome in ("won", "lost"), is_won=outcome == "won", owner_external_id=_owner_key(values),
            company_external_id=_company_key(values),
        )  # fmt: skip
    if object_type is CsvObjectType.CONTACT:
        return CanonicalContact(
            external_id=values["external_id"], email=values.get("email", ""),
            first_name=values.get("first_name", ""), last_name=values.get("last_name", ""),
            company_external_id=_company_key(values), lifecycle_stage=values.get("lifecycle_stage", ""),
            became_lead_at=_utc(values.get("became_lead_at")), owner_external_id=_owner_key(values),
            created_at=_utc(values.get("created_at")), modstamp=None,
        )  # fmt: skip
    deal = values.get("deal_external_id")
    return CanonicalActivity(
        external_id=values["external_id"], activity_type=values["activity_type"],
        occurred_at=_utc(values["occurred_at"]), owner_external_id=_owner_key(values),
        outcome=values.get("outcome", ""), completed=None, deal_external_ids=(deal,) if deal else (),
    )  # fmt: skip


def raw_payload(values: Mapping[str, Any]) -> dict[str, str]:
    """The row as stored beside the record (``raw``): its values as text, JSON on every database."""
    return {
        key: value.isoformat() if isinstance(value, dt.date) else str(value) if isinstance(value, Decimal) else value
        for key, value in values.items()
        if value is not None
    }  # fmt: skip


def owners_of(rows: Iterable[Mapping[str, Any]]) -> list[CanonicalOwner]:
    """The CRM owners a page of rows names (one each), so the rows' owner references resolve."""
    emails = sorted({values["owner_email"] for values in rows if values.get("owner_email")})
    return [CanonicalOwner(external_key(e), e, "", "", active=True, modstamp=None) for e in emails]


def companies_of(rows: Iterable[Mapping[str, Any]]) -> list[CanonicalCompany]:
    names = sorted({values["company_name"] for values in rows if values.get("company_name")})
    return [CanonicalCompany(external_key(name), name[:300], "", modstamp=None) for name in names]


def stages_of(rows: Iterable[Mapping[str, Any]]) -> list[CanonicalStage]:
    """The deal stages a page of rows uses: new ones get a stage mapping row for the user to map."""
    seen = sorted({(values.get("pipeline", ""), values["stage"]) for values in rows if values.get("stage")})
    return [
        CanonicalStage(pipeline, pipeline, stage, stage[:200], position,
                       is_closed=funnel_stage_guess(stage) in ("won", "lost"),
                       is_won=funnel_stage_guess(stage) == "won", probability=None)
        for position, (pipeline, stage) in enumerate(seen)
    ]  # fmt: skip
