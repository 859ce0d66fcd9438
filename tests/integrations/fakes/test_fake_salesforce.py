"""The fake Salesforce: its SOQL subset and the behaviours the clients lean on (research note §4)."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from integrations.fakes.common import FakeClock
from integrations.fakes.salesforce import FakeSalesforce
from integrations.fakes.soql import SoqlError, parse

NOW = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def fake() -> FakeSalesforce:
    return FakeSalesforce(clock=FakeClock(NOW))


@pytest.fixture
def http(fake: FakeSalesforce) -> httpx.Client:
    return httpx.Client(
        transport=httpx.WSGITransport(app=fake),
        base_url=fake.instance_url,
        headers={"Authorization": f"Bearer {fake.issue_session()}"},
    )


def _ids(http: httpx.Client, soql: str, *, everything: bool = False) -> list[str]:
    path = "/services/data/v61.0/queryAll/" if everything else "/services/data/v61.0/query/"
    response = http.get(path, params={"q": soql})
    assert response.status_code == 200, response.text
    return [r["Id"] for r in response.json()["records"]]


def test_the_soql_subset() -> None:
    query = parse("SELECT Id, Name FROM Account WHERE (Name = 'a' OR Name IN ('b', 'c')) AND NOT Name = 'd' "
                  "AND SystemModstamp >= 2026-06-01T00:00:00Z ORDER BY Name DESC NULLS LAST, Id LIMIT 5")  # fmt: skip
    assert (query.fields, query.sobject, query.limit) == (["Id", "Name"], "Account", 5)
    assert query.order == [("Name", True), ("Id", False)]
    assert query.where_fields == {"Name", "SystemModstamp"}
    assert query.where is not None
    assert query.where({"Name": "b", "SystemModstamp": "2026-06-01T00:00:01.000+0000"})
    assert not query.where({"Name": "b", "SystemModstamp": "2026-05-31T23:59:59.000+0000"})
    assert not query.where({"Name": "z", "SystemModstamp": "2026-06-02T00:00:00.000+0000"})
    for broken in (
        "SELECT FROM Account",
        "SELECT Id FROM Account WHERE",
        "SELECT Id FROM Account LIMIT x",
        "DROP",
    ):
        with pytest.raises(SoqlError) as error:
            parse(broken)
        assert error.value.error_code == "MALFORMED_QUERY"


def test_query_hides_deleted_and_archived_rows_that_query_all_returns(
    fake: FakeSalesforce, http: httpx.Client
) -> None:
    live = fake.add("Task", Subject="live")
    deleted = fake.add("Task", Subject="deleted")
    archived = fake.add("Task", Subject="archived")
    purged = fake.add("Task", Subject="purged")
    fake.delete("Task", deleted["Id"])
    fake.archive_activity("Task", archived["Id"])
    fake.delete("Task", purged["Id"])
    fake.purge("Task", purged["Id"])
    soql = "SELECT Id FROM Task ORDER BY Id"
    assert _ids(http, soql) == [live["Id"]]
    assert _ids(http, soql, everything=True) == [live["Id"], deleted["Id"], archived["Id"]]


def test_order_by_and_limit(fake: FakeSalesforce, http: httpx.Client) -> None:
    rows = [fake.add("Account", Name=name, SystemModstamp=NOW - dt.timedelta(minutes=m))
            for name, m in (("b", 1), ("a", 1), ("c", 5))]  # fmt: skip
    soql = "SELECT Id FROM Account ORDER BY SystemModstamp ASC, Name DESC LIMIT 2"
    assert _ids(http, soql) == [rows[2]["Id"], rows[0]["Id"]]


def test_limit_info_header_and_limits_resource(fake: FakeSalesforce, http: httpx.Client) -> None:
    fake.api_limit = 50
    response = http.get("/services/data/v61.0/limits/")
    assert response.headers["Sforce-Limit-Info"] == "api-usage=1/50"
    assert response.json()["DailyApiRequests"] == {"Max": 50, "Remaining": 49}
    fake.api_used = 50
    exceeded = http.get("/services/data/v61.0/limits/")
    assert exceeded.status_code == 403 and exceeded.json()[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"


def test_the_updated_resource_holds_latest_date_covered_back_for_a_pending_commit(
    fake: FakeSalesforce, http: httpx.Client
) -> None:
    done = fake.add("Account", Name="done", SystemModstamp=NOW - dt.timedelta(minutes=10))
    fake.add(
        "Account",
        Name="pending",
        SystemModstamp=NOW - dt.timedelta(minutes=5),
        visible_from=NOW + dt.timedelta(minutes=1),
    )
    body = http.get("/services/data/v61.0/sobjects/Account/updated/",
                    params={"start": "2026-06-01T08:00:00Z", "end": "2026-06-01T09:00:00Z"}).json()  # fmt: skip
    assert body["ids"] == [done["Id"]]
    assert body["latestDateCovered"] == "2026-06-01T08:54:59.000+0000"
    too_old = http.get("/services/data/v61.0/sobjects/Account/updated/",
                       params={"start": "2026-04-01T00:00:00Z", "end": "2026-06-01T09:00:00Z"})  # fmt: skip
    assert too_old.json()[0]["errorCode"] == "INVALID_REPLICATION_DATE"


def test_describe_reports_filterable_fields(fake: FakeSalesforce, http: httpx.Client) -> None:
    fake.add("OpportunityHistory", OpportunityId="006000000000001AAA", StageName="Prospecting")
    fake.non_filterable["OpportunityHistory"] = {"SystemModstamp"}
    fields = {
        f["name"]: f["filterable"]
        for f in http.get("/services/data/v61.0/sobjects/OpportunityHistory/describe").json()["fields"]
    }
    assert fields["SystemModstamp"] is False and fields["StageName"] is True


def test_an_expired_session_answers_invalid_session_id(fake: FakeSalesforce, http: httpx.Client) -> None:
    fake.expire_sessions()
    response = http.get("/services/data/v61.0/limits/")
    assert response.status_code == 401
    assert response.json() == [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
