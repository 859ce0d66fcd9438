"""The Salesforce client and provider against the fake org, in-process (research note §3, §5)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from integrations.canonical import CanonicalActivity, CanonicalContact, CanonicalDeal
from integrations.providers.base import (
    AuthFailed,
    DailyLimitReached,
    ObjectType,
    Page,
    PermanentError,
    Resume,
    Window,
)
from integrations.providers.salesforce.oauth import authorize_url, pkce_challenge, pkce_pair
from integrations.providers.windows import plan_windows
from tests.integrations.providers.conftest import NOW, SALESFORCE_APP, SalesforceWorld


def _records(pages: list[Page]) -> list:
    return [record for page in pages for record in page.records]


def _soql(request) -> str:
    return request.arg("q")


def test_incremental_reads_use_query_all_on_the_closed_window_in_stamp_then_id_order(
    sf: SalesforceWorld, at
) -> None:
    start, end = at(minutes=-30), at(minutes=-2)
    on_start = sf.fake.add("Account", Name="start", SystemModstamp=start)
    on_end = sf.fake.add("Account", Name="end", SystemModstamp=end)
    sf.fake.add("Account", Name="before", SystemModstamp=start - dt.timedelta(seconds=1))
    sf.fake.add("Account", Name="after", SystemModstamp=end + dt.timedelta(seconds=1))

    pages = list(sf.provider().read(ObjectType.COMPANIES, Window(start, end)))

    assert [r.external_id for r in _records(pages)] == [on_start["Id"], on_end["Id"]]
    (request,) = sf.fake.requests_to("/services/data/v61.0/queryAll")
    assert _soql(request).endswith(
        "FROM Account WHERE SystemModstamp >= 2026-06-01T08:30:00Z AND SystemModstamp <= 2026-06-01T08:58:00Z "
        "ORDER BY SystemModstamp ASC, Id ASC"
    )
    assert "IsDeleted" in _soql(request) and "MasterRecordId" in _soql(request)


def test_a_bulk_update_on_one_stamp_across_pages_and_a_crash_loses_nothing(sf: SalesforceWorld, at) -> None:
    stamp = at(minutes=-10)
    rows = sf.fake.add_many("Contact", 4500, stamp=stamp, LastName="bulk")
    sf.fake.page_sizes = [2000, 1700]  # pages smaller than asked, and not multiples of 2,000
    window = Window(at(minutes=-20), at())
    first = next(sf.provider().read(ObjectType.CONTACTS, window, Resume("Contact", {})))
    assert len(first.records) == 2000
    assert first.resume == Resume("Contact", {"ts": "2026-06-01T08:50:00.000+0000", "id": rows[1999]["Id"]})

    rest = list(sf.provider().read(ObjectType.CONTACTS, window, Resume.from_json(first.resume.to_json())))

    ids = [r.external_id for r in (*first.records, *_records(rest))]
    assert ids == [row["Id"] for row in rows]
    keyset = _soql(sf.fake.requests_to("/services/data/v61.0/queryAll")[-1])
    assert (
        f"(SystemModstamp > 2026-06-01T08:50:00Z OR (SystemModstamp = 2026-06-01T08:50:00Z AND Id > '{rows[1999]['Id']}'))"
        in keyset
    )


def test_next_records_url_is_followed_until_done(sf: SalesforceWorld, at) -> None:
    for n in range(25):
        sf.fake.add("Account", Name=f"a{n}", SystemModstamp=at(minutes=-10, seconds=n))
    sf.fake.page_sizes = [10, 7]
    pages = list(sf.provider().read(ObjectType.COMPANIES, Window(at(minutes=-20), at())))
    assert [len(p.records) for p in pages] == [10, 7, 8]
    assert [p.resume is None for p in pages] == [False, False, True]
    assert len(sf.fake.requests_to("/services/data/v61.0/query/")) == 2


def test_deleted_and_merged_rows_come_back_archived_with_their_master(sf: SalesforceWorld, at) -> None:
    master = sf.fake.add("Lead", LastName="master", SystemModstamp=at(days=-1))
    loser = sf.fake.add("Lead", LastName="loser", SystemModstamp=at(days=-1))
    gone = sf.fake.add("Lead", LastName="gone", SystemModstamp=at(days=-1))
    sf.clock.advance(minutes=-5)
    sf.fake.merge("Lead", loser["Id"], master["Id"])
    sf.fake.delete("Lead", gone["Id"])
    sf.clock.advance(minutes=5)

    pages = list(sf.provider().read(ObjectType.CONTACTS, Window(at(minutes=-20), at())))

    found = {r.external_id: r for r in _records(pages)}
    assert {k: v.archived for k, v in found.items()} == {
        master["Id"]: False,
        loser["Id"]: True,
        gone["Id"]: True,
    }
    merges = [(m.loser_external_id, m.survivor_external_id) for p in pages for m in p.merges]
    assert merges == [(loser["Id"], master["Id"])]


def test_a_restored_row_comes_back_live(sf: SalesforceWorld, at) -> None:
    row = sf.fake.add("Account", Name="back", SystemModstamp=at(days=-3))
    sf.fake.delete("Account", row["Id"], at=at(days=-2))
    sf.fake.undelete("Account", row["Id"], at=at(minutes=-5))
    (found,) = _records(list(sf.provider().read(ObjectType.COMPANIES, Window(at(minutes=-20), at()))))
    assert (found.archived, found.modstamp) == (False, at(minutes=-5))


def test_archived_activities_are_kept_not_deleted(sf: SalesforceWorld, at) -> None:
    task = sf.fake.add("Task", Subject="old call", TaskSubtype="Call", SystemModstamp=at(minutes=-5),
                       ActivityDate="2025-03-01", IsClosed=True)  # fmt: skip
    sf.fake.archive_activity("Task", task["Id"])
    (found,) = _records(list(sf.provider().read(ObjectType.ACTIVITIES, Window(at(minutes=-20), at()))))
    assert isinstance(found, CanonicalActivity)
    assert (found.archived, found.activity_type, found.completed) == (False, "Call", True)
    assert found.occurred_at == dt.datetime(2025, 3, 1, tzinfo=dt.UTC)  # ActivityDate stays on its day


def test_the_delete_log_gives_id_only_deletions_even_after_a_purge(sf: SalesforceWorld, at) -> None:
    row = sf.fake.add("Opportunity", Name="gone", StageName="Prospecting", SystemModstamp=at(days=-2))
    sf.fake.delete("Opportunity", row["Id"], at=at(hours=-3))
    sf.fake.purge("Opportunity", row["Id"])

    pages = list(sf.provider().read_archived(ObjectType.DEALS, since=at(hours=-6)))

    assert [(d.external_id, d.deleted_at) for p in pages for d in p.deletions] == [(row["Id"], at(hours=-3))]
    assert pages[-1].resume is None and pages[0].delete_log_starts_at == at(days=-15)
    assert _records(list(sf.provider().read(ObjectType.DEALS, Window(at(days=-3), at())))) == []


def test_the_delete_log_request_is_clamped_to_the_fifteen_days_it_keeps(sf: SalesforceWorld, at) -> None:
    list(sf.provider().read_archived(ObjectType.COMPANIES, since=at(days=-40)))
    (request,) = sf.fake.requests_to("/services/data/v61.0/sobjects/Account/deleted")
    assert request.arg("start") == "2026-05-17T09:01:00Z"


def test_a_late_commit_is_caught_by_the_next_runs_lookback(sf: SalesforceWorld) -> None:
    late = sf.fake.add("Account", Name="late", SystemModstamp=NOW - dt.timedelta(minutes=6),
                       visible_from=NOW + dt.timedelta(minutes=1))  # fmt: skip
    timing = sf.provider().timing
    windows = plan_windows(cursor=NOW - dt.timedelta(minutes=5), now=NOW, lookback=timing.lookback,
                           safety_lag=timing.safety_lag, max_span=timing.max_span)  # fmt: skip
    assert _records([p for w in windows for p in sf.provider().read(ObjectType.COMPANIES, w)]) == []

    sf.clock.advance(minutes=15)
    windows = plan_windows(cursor=windows[-1].end, now=sf.clock(), lookback=timing.lookback,
                           safety_lag=timing.safety_lag, max_span=timing.max_span)  # fmt: skip
    found = _records([p for w in windows for p in sf.provider().read(ObjectType.COMPANIES, w)])
    assert [r.external_id for r in found] == [late["Id"]]


def test_an_expired_session_mid_pagination_refreshes_once_and_saves_the_rotated_refresh_token(
    sf: SalesforceWorld, at
) -> None:
    sf.fake.rotate_refresh_tokens = True
    sf.fake.add_many("Account", 30, stamp=at(minutes=-10))
    sf.fake.page_sizes = [10]
    old = sf.store.credentials
    pages = sf.provider().read(ObjectType.COMPANIES, Window(at(minutes=-20), at()))
    first = next(pages)
    sf.fake.expire_sessions()
    sf.fake.instance_url = "https://moved.my.salesforce.com"

    rest = list(pages)

    assert len(first.records) + len(_records(rest)) == 30
    (saved,) = sf.store.saved
    assert saved.refresh_token != old.refresh_token and saved.refresh_token in sf.fake.refresh_tokens
    assert old.refresh_token not in sf.fake.refresh_tokens  # rotation killed the old one
    assert saved.instance_url == "https://moved.my.salesforce.com"
    assert len(sf.fake.requests_to("/services/oauth2/token")) == 1


def test_a_refused_refresh_is_a_permanent_auth_failure(sf: SalesforceWorld) -> None:
    sf.fake.refresh_tokens.clear()
    sf.fake.expire_sessions()
    with pytest.raises(AuthFailed) as failed:
        sf.client().limits()
    assert failed.value.params == {"reason": "refresh_refused"}


def test_request_limit_exceeded_stops_at_once(sf: SalesforceWorld, at) -> None:
    sf.fake.api_limit = sf.fake.api_used = 5  # another integration spent the org's allocation
    with pytest.raises(DailyLimitReached):
        sf.provider().read(ObjectType.COMPANIES, Window(at(minutes=-20), at())).__next__()
    assert len(sf.fake.requests) == 1 and sf.slept == []


def test_the_limit_header_is_read_and_the_run_stops_before_the_wall(sf: SalesforceWorld) -> None:
    sf.fake.api_limit = 10
    sf.fake.api_used = 7
    client = sf.client(stop_at_usage=0.8)
    client.limits()
    assert client.api_usage == (8, 10)
    with pytest.raises(DailyLimitReached) as stopped:
        client.limits()
    assert stopped.value.params == {"provider": "salesforce", "used": 8, "limit": 10}
    assert len(sf.fake.requests) == 1


def test_a_run_cap_stops_one_tenant_from_draining_the_org(sf: SalesforceWorld) -> None:
    client = sf.client(max_requests_per_run=2)
    client.limits()
    client.limits()
    with pytest.raises(DailyLimitReached):
        client.limits()


def test_query_timeout_halves_the_window_and_reads_everything(sf: SalesforceWorld, at) -> None:
    made = [sf.fake.add("Account", Name=f"a{n}", SystemModstamp=at(hours=-10 + n)) for n in range(8)]
    sf.fake.query_timeout_rows = 3
    pages = list(sf.provider().read(ObjectType.COMPANIES, Window(at(hours=-12), at())))
    assert [r.external_id for r in _records(pages)] == [row["Id"] for row in made]
    assert pages[-1].resume is None and all(p.resume is not None for p in pages[:-1])


def test_an_expired_locator_restarts_from_the_last_row_read(sf: SalesforceWorld, at) -> None:
    made = sf.fake.add_many("Account", 25, stamp=at(minutes=-10))
    sf.fake.page_sizes = [10]
    pages = sf.provider().read(ObjectType.COMPANIES, Window(at(minutes=-20), at()))
    first = next(pages)
    sf.fake.expire_locators()
    ids = [r.external_id for r in (*first.records, *_records(list(pages)))]
    assert ids == [row["Id"] for row in made]


def test_a_non_filterable_field_is_a_permanent_error(sf: SalesforceWorld, at) -> None:
    sf.fake.non_filterable["Account"] = {"SystemModstamp"}
    with pytest.raises(PermanentError) as refused:
        list(sf.provider().read(ObjectType.COMPANIES, Window(at(minutes=-20), at())))
    assert refused.value.code == "integrations.provider.invalid_field"


def test_server_errors_are_retried(sf: SalesforceWorld) -> None:
    sf.fake.inject(503, [{"errorCode": "SERVER_UNAVAILABLE", "message": "busy"}], count=2)
    sf.client().limits()
    assert len(sf.slept) == 2


def test_deactivated_users_are_inactive_owners(sf: SalesforceWorld, at) -> None:
    active = sf.fake.add("User", Email="a@example.com", FirstName="A", LastName="One", IsActive=True,
                         SystemModstamp=at(days=-1))  # fmt: skip
    left = sf.fake.add("User", Email="b@example.com", FirstName="B", LastName="Two", IsActive=True,
                       SystemModstamp=at(days=-1))  # fmt: skip
    sf.fake.deactivate_user(left["Id"])
    owners = _records(list(sf.provider().read(ObjectType.OWNERS, Window(None, at()))))
    assert {(o.external_id, o.active) for o in owners} == {(active["Id"], True), (left["Id"], False)}
    assert "IsDeleted" not in _soql(sf.fake.requests_to("/services/data/v61.0/queryAll")[0])


def test_opportunities_carry_their_stage_history(sf: SalesforceWorld, at) -> None:
    sf.clock.advance(days=-3)
    account = sf.fake.add("Account", Name="Acme")
    opp = sf.fake.add("Opportunity", Name="Big", StageName="Prospecting", Amount=1200000.0, CloseDate="2026-06-30",
                      AccountId=account["Id"], IsClosed=False, IsWon=False)  # fmt: skip
    sf.clock.advance(days=1)
    sf.fake.update("Opportunity", opp["Id"], StageName="Proposal/Price Quote")
    sf.clock.advance(days=2)
    sf.fake.update("Opportunity", opp["Id"], StageName="Closed Won", IsClosed=True, IsWon=True)

    (deal,) = _records(list(sf.provider().read(ObjectType.DEALS, Window(at(minutes=-20), at()))))

    assert isinstance(deal, CanonicalDeal)
    assert deal.stage_entered_at == {
        "Prospecting": at(days=-3),
        "Proposal/Price Quote": at(days=-2),
        "Closed Won": at(),
    }
    assert (deal.amount, deal.close_date, deal.is_won, deal.company_external_id) == (
        1200000, dt.date(2026, 6, 30), True, account["Id"])  # fmt: skip
    assert sf.fake.requests_to("/services/data/v61.0/query/")  # the history query


def test_contacts_are_leads_then_contacts(sf: SalesforceWorld, at) -> None:
    lead = sf.fake.add("Lead", LastName="L", Status="Open - Not Contacted", SystemModstamp=at(minutes=-5),
                       CreatedDate=at(days=-1))  # fmt: skip
    contact = sf.fake.add("Contact", LastName="C", SystemModstamp=at(minutes=-5))
    pages = list(sf.provider().read(ObjectType.CONTACTS, Window(at(minutes=-20), at())))
    people = _records(pages)
    assert all(isinstance(p, CanonicalContact) for p in people)
    assert [(p.external_id, p.lifecycle_stage, p.became_lead_at) for p in people] == [
        (lead["Id"], "Open - Not Contacted", at(days=-1)),
        (contact["Id"], "contact", None),
    ]
    assert [p.resume for p in pages] == [Resume("Contact", {}), None]


def test_the_pkce_web_server_flow_end_to_end(sf: SalesforceWorld) -> None:
    pair = pkce_pair()
    assert pkce_challenge(pair.verifier) == pair.challenge and 43 <= len(pair.verifier) <= 128
    url = authorize_url(SALESFORCE_APP, state="signed-state", code_challenge=pair.challenge,
                        login_url="https://login.fake")  # fmt: skip
    query = parse_qs(urlsplit(url).query)
    assert query["code_challenge_method"] == ["S256"] and query["response_type"] == ["code"]

    browser = httpx.Client(transport=httpx.WSGITransport(app=sf.fake), base_url="https://login.fake")
    redirect = browser.get(url.removeprefix("https://login.fake"))
    assert redirect.status_code == 302
    callback = parse_qs(urlsplit(redirect.headers["Location"]).query)
    assert callback["state"] == ["signed-state"]

    oauth = sf.oauth()
    with pytest.raises(AuthFailed):
        oauth.exchange_code(callback["code"][0], code_verifier="x" * 64)  # the code is spent even on failure
    second = parse_qs(urlsplit(browser.get(url.removeprefix("https://login.fake")).headers["Location"]).query)
    credentials = oauth.exchange_code(second["code"][0], code_verifier=pair.verifier)
    assert credentials.refresh_token and credentials.instance_url == sf.fake.instance_url
    assert credentials.expires_at == NOW + dt.timedelta(hours=1)


def test_stages_are_read_from_opportunity_stage(sf: SalesforceWorld) -> None:
    sf.fake.add("OpportunityStage", ApiName="Closed Won", MasterLabel="Closed Won", IsActive=True, IsClosed=True,
                IsWon=True, DefaultProbability=100, SortOrder=9)  # fmt: skip
    (stage,) = sf.provider().read_stages()
    assert (stage.stage, stage.is_won, stage.probability) == ("Closed Won", True, 1)


def test_two_workers_refreshing_a_rotating_token_at_once_refresh_only_once(sf: SalesforceWorld) -> None:
    import threading

    from integrations.providers.base import TokenManager

    sf.fake.rotate_refresh_tokens = True
    oauth = sf.oauth()
    calls: list[str] = []
    entered = threading.Barrier(2)

    def slow_refresh(credentials):
        calls.append(credentials.refresh_token or "")
        return oauth.refresh(credentials)

    stale = sf.store.credentials.access_token
    results: list = []

    def worker() -> None:
        manager = TokenManager(sf.store, slow_refresh, clock=sf.clock)
        entered.wait()
        results.append(manager.force_refresh(stale))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(calls) == 1  # the second worker found the fresh token under the lock
    assert results[0] == results[1] == sf.store.credentials
    assert sf.store.credentials.refresh_token in sf.fake.refresh_tokens


def test_a_session_refused_right_after_a_refresh_is_an_auth_failure(sf: SalesforceWorld) -> None:
    sf.fake.inject(401, [{"errorCode": "INVALID_SESSION_ID", "message": "Session expired or invalid"}],
                   path="/services/data", count=2)  # fmt: skip
    with pytest.raises(AuthFailed) as failed:
        sf.client().limits()
    assert failed.value.params == {"reason": "token_rejected"}
    assert len(sf.fake.requests_to("/services/oauth2/token")) == 1
