"""Mappers: raw CRM payloads -> canonical records, with hand-computed expectations."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from integrations.canonical import (
    CanonicalActivity,
    CanonicalCompany,
    CanonicalContact,
    CanonicalDeal,
    CanonicalOwner,
)
from integrations.providers.hubspot import mapper as hubspot
from integrations.providers.salesforce import mapper as salesforce
from integrations.providers.values import parse_amount, parse_date, parse_timestamp

UTC = dt.UTC


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-05-07T16:30:00Z", dt.datetime(2026, 5, 7, 16, 30, tzinfo=UTC)),
        ("2026-05-07T16:30:00.123Z", dt.datetime(2026, 5, 7, 16, 30, 0, 123000, tzinfo=UTC)),
        ("2026-05-08T01:30:00+09:00", dt.datetime(2026, 5, 7, 16, 30, tzinfo=UTC)),
        ("2026-05-07T16:30:00.000+0000", dt.datetime(2026, 5, 7, 16, 30, tzinfo=UTC)),
        ("1778171400000", dt.datetime(2026, 5, 7, 16, 30, tzinfo=UTC)),
        (1778171400000, dt.datetime(2026, 5, 7, 16, 30, tzinfo=UTC)),
        ("2026-05-07T16:30:00", dt.datetime(2026, 5, 7, 16, 30, tzinfo=UTC)),
        ("", None),
        (None, None),
        ("not a date", None),
    ],
)
def test_timestamps_in_every_format_the_crms_send(raw: object, expected: dt.datetime | None) -> None:
    assert parse_timestamp(raw) == expected


def test_dates_keep_their_utc_day() -> None:
    assert parse_date("2026-03-31") == dt.date(2026, 3, 31)
    assert parse_date("2026-03-31T00:00:00Z") == dt.date(2026, 3, 31)
    assert parse_date("") is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1200000", (Decimal("1200000"), False)), ("1,200,000.50", (Decimal("1200000.50"), False)),
     ("N/A", (None, True)), ("abc", (None, True)), ("NaN", (None, True)), ("", (None, False)), (None, (None, False)),
     (350000.0, (Decimal("350000.0"), False))],
)  # fmt: skip
def test_amounts(raw: object, expected: tuple) -> None:
    assert parse_amount(raw) == expected


def test_hubspot_owner() -> None:
    raw = {"id": "101", "email": "sato@example.com", "firstName": "Taro", "lastName": "Sato", "archived": True,
           "updatedAt": "2026-05-01T00:00:00.000Z", "userId": 5}  # fmt: skip
    assert hubspot.owner_from_hubspot(raw) == CanonicalOwner(
        "101", "sato@example.com", "Taro", "Sato", active=False, modstamp=dt.datetime(2026, 5, 1, tzinfo=UTC)
    )


def test_hubspot_company_with_merges() -> None:
    raw = {"id": "9", "properties": {"name": "Acme", "domain": "acme.example", "hs_merged_object_ids": "3;5",
                                     "hs_lastmodifieddate": "2026-05-02T03:04:05.006Z"}, "archived": False}  # fmt: skip
    assert hubspot.company_from_hubspot(raw) == CanonicalCompany(
        "9", "Acme", "acme.example", dt.datetime(2026, 5, 2, 3, 4, 5, 6000, tzinfo=UTC), ("3", "5"), False
    )


def test_hubspot_contact() -> None:
    raw = {
        "id": "51",
        "properties": {"email": "a@example.com", "firstname": "Hanako", "lastname": "Suzuki",
                       "associatedcompanyid": "9", "lifecyclestage": "marketingqualifiedlead",
                       "hs_lifecyclestage_lead_date": "2026-04-01T00:30:00Z", "hubspot_owner_id": "101",
                       "createdate": "2026-03-31T23:00:00Z", "lastmodifieddate": "2026-05-07T16:30:00Z"},
        "createdAt": "2026-03-31T23:00:00Z", "updatedAt": "2026-05-07T16:30:00Z", "archived": False,
    }  # fmt: skip
    assert hubspot.contact_from_hubspot(raw) == CanonicalContact(
        external_id="51", email="a@example.com", first_name="Hanako", last_name="Suzuki", company_external_id="9",
        lifecycle_stage="marketingqualifiedlead", became_lead_at=dt.datetime(2026, 4, 1, 0, 30, tzinfo=UTC),
        owner_external_id="101", created_at=dt.datetime(2026, 3, 31, 23, tzinfo=UTC),
        modstamp=dt.datetime(2026, 5, 7, 16, 30, tzinfo=UTC),
    )  # fmt: skip


def test_hubspot_deal() -> None:
    raw = {
        "id": "77",
        "properties": {"dealname": "Renewal", "pipeline": "default", "dealstage": "closedwon", "amount": "1500000",
                       "createdate": "2026-04-01T00:00:00Z", "closedate": "2026-04-30T15:00:00Z",
                       "hs_is_closed": "true", "hs_is_closed_won": "true", "hubspot_owner_id": "101",
                       "hs_date_entered_appointmentscheduled": "2026-04-01T00:00:00Z",
                       "hs_date_entered_closedwon": "2026-04-30T15:00:00Z", "hs_date_entered_closedlost": None,
                       "hs_lastmodifieddate": "2026-04-30T15:00:01Z", "deal_currency_code": "JPY"},
        "associations": {"companies": {"results": [{"id": "9", "type": "deal_to_company"},
                                                   {"id": "9", "type": "deal_to_company_unlabeled"}]}},
    }  # fmt: skip
    deal = hubspot.deal_from_hubspot(raw, default_currency="USD")
    assert deal == CanonicalDeal(
        external_id="77", name="Renewal", pipeline="default", stage="closedwon", amount=Decimal("1500000"),
        amount_invalid=False, currency="JPY", created_at=dt.datetime(2026, 4, 1, tzinfo=UTC),
        close_date=dt.date(2026, 4, 30), is_closed=True, is_won=True, owner_external_id="101",
        company_external_id="9",
        stage_entered_at={"appointmentscheduled": dt.datetime(2026, 4, 1, tzinfo=UTC),
                          "closedwon": dt.datetime(2026, 4, 30, 15, tzinfo=UTC)},
        modstamp=dt.datetime(2026, 4, 30, 15, 0, 1, tzinfo=UTC),
        # Midnight in Tokyo, the instant HubSpot stores for a close on 1 May there: kept, the ingest takes its
        # day in the workspace's time zone.
        closed_at=dt.datetime(2026, 4, 30, 15, tzinfo=UTC),
    )  # fmt: skip


def test_hubspot_close_date_picked_as_a_date_stays_that_date() -> None:
    from integrations.providers.values import parse_instant_of_date

    assert parse_instant_of_date("2026-05-01T00:00:00Z") is None
    assert parse_instant_of_date("2026-05-01") is None
    assert parse_instant_of_date("2026-05-07T16:30:00.000Z") == dt.datetime(2026, 5, 7, 16, 30, tzinfo=UTC)


def test_hubspot_deal_with_na_amount_and_flags_from_the_stage() -> None:
    pipelines = [{"id": "p", "label": "P", "stages": [
        {"id": "lost", "label": "Lost", "displayOrder": 4, "metadata": {"isClosed": "true", "probability": "0.0"}}]}]  # fmt: skip
    stages = {s.stage: s for s in hubspot.stages_from_hubspot(pipelines)}
    deal = hubspot.deal_from_hubspot({"id": "1", "properties": {"amount": "N/A", "dealstage": "lost"}},
                                     stages=stages, default_currency="JPY")  # fmt: skip
    assert (deal.amount, deal.amount_invalid, deal.currency, deal.is_closed, deal.is_won) == (
        None,
        True,
        "JPY",
        True,
        False,
    )
    assert deal.close_date is None and deal.owner_external_id is None


@pytest.mark.parametrize(
    ("object_type", "properties", "occurred", "outcome", "completed"),
    [
        ("calls", {"hs_timestamp": "2026-05-01T01:00:00Z", "hs_call_disposition": "f240bbac", "hs_call_status": "COMPLETED"},
         dt.datetime(2026, 5, 1, 1, tzinfo=UTC), "f240bbac", True),
        ("emails", {"hs_timestamp": "2026-05-01T02:00:00Z", "hs_email_status": "SENT"},
         dt.datetime(2026, 5, 1, 2, tzinfo=UTC), "SENT", True),
        ("meetings", {"hs_timestamp": "2026-05-01T00:00:00Z", "hs_meeting_start_time": "2026-05-01T03:00:00Z",
                      "hs_meeting_outcome": "NO_SHOW"}, dt.datetime(2026, 5, 1, 3, tzinfo=UTC), "NO_SHOW", False),
        ("tasks", {"hs_timestamp": "2026-05-01T04:00:00Z"}, dt.datetime(2026, 5, 1, 4, tzinfo=UTC), "", None),
    ],
)  # fmt: skip
def test_hubspot_activities(object_type: str, properties: dict, occurred: dt.datetime, outcome: str,
                            completed: bool | None) -> None:  # fmt: skip
    raw = {"id": "5", "properties": {**properties, "hubspot_owner_id": "101"},
           "associations": {"deals": {"results": [{"id": "77"}]}, "contacts": {"results": [{"id": "51"}, {"id": "52"}]}}}  # fmt: skip
    activity = hubspot.activity_from_hubspot(raw, object_type=object_type)
    assert activity == CanonicalActivity(
        external_id="5", activity_type=object_type, occurred_at=occurred, owner_external_id="101", outcome=outcome,
        completed=completed, deal_external_ids=("77",), contact_external_ids=("51", "52"),
    )  # fmt: skip


def test_salesforce_owner_account_lead_contact() -> None:
    assert salesforce.owner_from_salesforce({"Id": "005A", "Email": "e@example.com", "FirstName": "A",
        "LastName": "B", "IsActive": False, "SystemModstamp": "2026-05-01T00:00:00.000+0000"}) == CanonicalOwner(
        "005A", "e@example.com", "A", "B", False, dt.datetime(2026, 5, 1, tzinfo=UTC))  # fmt: skip
    account = salesforce.company_from_salesforce({"Id": "001A", "Name": "Acme", "Website": "https://www.acme.co.jp/about",
                                                  "IsDeleted": True})  # fmt: skip
    assert (account.domain, account.archived) == ("acme.co.jp", True)
    lead = salesforce.lead_from_salesforce({"Id": "00QA", "Status": "Working - Contacted", "CreatedDate":
        "2026-05-01T09:00:00.000+0000", "OwnerId": "005A", "ConvertedAccountId": None})  # fmt: skip
    assert (lead.lifecycle_stage, lead.became_lead_at, lead.company_external_id) == (
        "Working - Contacted", dt.datetime(2026, 5, 1, 9, tzinfo=UTC), None)  # fmt: skip
    contact = salesforce.contact_from_salesforce({"Id": "003A", "AccountId": "001A"})
    assert (contact.lifecycle_stage, contact.became_lead_at, contact.company_external_id) == (
        "contact",
        None,
        "001A",
    )


def test_salesforce_opportunity_stage_dates_are_the_first_entry_into_each_stage() -> None:
    raw = {"Id": "006A", "Name": "Big", "StageName": "Prospecting", "Amount": 1200000.0, "CloseDate": "2026-06-30",
           "IsClosed": False, "IsWon": False, "OwnerId": "005A", "AccountId": "001A",
           "CreatedDate": "2026-05-01T00:00:00.000+0000", "SystemModstamp": "2026-05-20T00:00:00.000+0000",
           "OpportunityHistories": {"records": [
               {"StageName": "Prospecting", "CreatedDate": "2026-05-01T00:00:00.000+0000"},
               {"StageName": "Qualification", "CreatedDate": "2026-05-10T00:00:00.000+0000"},
               {"StageName": "Prospecting", "CreatedDate": "2026-05-20T00:00:00.000+0000"}]}}  # fmt: skip
    deal = salesforce.deal_from_salesforce(raw, default_currency="JPY")
    assert deal.stage_entered_at == {"Prospecting": dt.datetime(2026, 5, 1, tzinfo=UTC),
                                     "Qualification": dt.datetime(2026, 5, 10, tzinfo=UTC)}  # fmt: skip
    assert (deal.amount, deal.currency, deal.close_date, deal.stage) == (
        Decimal("1200000.0"), "JPY", dt.date(2026, 6, 30), "Prospecting")  # fmt: skip
    assert salesforce.deal_from_salesforce({"Id": "006B", "Amount": "N/A"}).amount_invalid


def test_salesforce_task_and_event_links() -> None:
    task = salesforce.activity_from_salesforce({"attributes": {"type": "Task"}, "Id": "00TA", "TaskSubtype": "Email",
        "CompletedDateTime": "2026-05-02T05:00:00.000+0000", "ActivityDate": "2026-05-01", "Status": "Completed",
        "IsClosed": True, "WhoId": "00QA", "WhatId": "006A", "AccountId": "001A"})  # fmt: skip
    assert (task.activity_type, task.occurred_at, task.outcome, task.completed) == (
        "Email", dt.datetime(2026, 5, 2, 5, tzinfo=UTC), "Completed", True)  # fmt: skip
    assert (task.contact_external_ids, task.deal_external_ids, task.company_external_ids) == (
        ("00QA",),
        ("006A",),
        ("001A",),
    )
    event = salesforce.activity_from_salesforce({"attributes": {"type": "Event"}, "Id": "00UA",
        "StartDateTime": "2026-05-03T01:00:00.000+0000", "WhoId": "003A", "WhatId": "001B"})  # fmt: skip
    assert (event.activity_type, event.occurred_at, event.completed, event.company_external_ids) == (
        "Event", dt.datetime(2026, 5, 3, 1, tzinfo=UTC), None, ("001B",))  # fmt: skip
