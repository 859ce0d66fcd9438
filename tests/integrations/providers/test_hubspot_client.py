"""The HubSpot client and provider against the fake HubSpot, in-process (research note §2, §5)."""

from __future__ import annotations

import datetime as dt

import pytest

from integrations.canonical import CanonicalActivity, CanonicalContact, CanonicalDeal, CanonicalOwner
from integrations.providers.base import (
    AuthFailed,
    Credentials,
    DailyLimitReached,
    InMemoryTokenStore,
    ObjectType,
    Page,
    PermanentError,
    RateLimited,
    Resume,
    TokenManager,
    TransientError,
    Window,
)
from integrations.providers.budget import InMemoryBudget, Rate
from integrations.providers.http import RetryPolicy
from integrations.providers.hubspot.client import HubSpotProvider
from integrations.providers.windows import full_load_window, plan_windows
from tests.integrations.providers.conftest import NOW, HubSpotWorld


def _records(pages: list[Page]) -> list:
    return [record for page in pages for record in page.records]


def _window(start: dt.datetime, end: dt.datetime) -> Window:
    return Window(start, end)


def test_the_first_load_pages_the_list_endpoint_to_the_end(hs: HubSpotWorld) -> None:
    for n in range(250):
        hs.fake.add("contacts", {"email": f"c{n}@example.com"}, created=NOW - dt.timedelta(days=1))

    pages = list(
        hs.provider().read(ObjectType.CONTACTS, full_load_window(now=NOW, safety_lag=dt.timedelta(minutes=2)))
    )

    assert [len(p.records) for p in pages] == [100, 100, 50]
    assert [p.resume is None for p in pages] == [False, False, True]
    assert len({r.external_id for r in _records(pages)}) == 250
    listed = hs.fake.requests_to("/crm/v3/objects/contacts")
    assert all(
        r.method == "GET" and r.arg("limit") == "100" and "email" in r.arg("properties") for r in listed
    )


def test_search_reads_the_closed_window_both_edges_included(hs: HubSpotWorld, at) -> None:
    start, end = at(minutes=-30), at(minutes=-2)
    on_start = hs.fake.add("deals", {"dealname": "start"}, created=start, updated=start)
    on_end = hs.fake.add("deals", {"dealname": "end"}, created=end, updated=end)
    hs.fake.add("deals", {"dealname": "before"}, updated=start - dt.timedelta(milliseconds=1))
    hs.fake.add("deals", {"dealname": "after"}, updated=end + dt.timedelta(milliseconds=1))

    pages = list(hs.provider().read(ObjectType.DEALS, _window(start, end)))

    assert {r.external_id for r in _records(pages)} == {str(on_start.id), str(on_end.id)}
    body = hs.fake.requests_to("/crm/v3/objects/deals/search")[0].json()
    filters = body["filterGroups"][0]["filters"]
    assert [(f["propertyName"], f["operator"]) for f in filters] == [
        ("hs_lastmodifieddate", "GTE"),
        ("hs_lastmodifieddate", "LTE"),
        ("hs_object_id", "GT"),
    ]
    assert filters[0]["value"] == str(int(start.timestamp() * 1000))
    assert body["sorts"] == [{"propertyName": "hs_object_id", "direction": "ASCENDING"}]
    assert body["limit"] == 200 and "after" not in body


def test_contacts_search_on_lastmodifieddate(hs: HubSpotWorld, at) -> None:
    hs.fake.add("contacts", {"email": "a@example.com"}, updated=at(minutes=-10))
    list(hs.provider().read(ObjectType.CONTACTS, _window(at(minutes=-20), at())))
    body = hs.fake.requests_to("/crm/v3/objects/contacts/search")[0].json()
    assert body["filterGroups"][0]["filters"][0]["propertyName"] == "lastmodifieddate"


def test_more_than_ten_thousand_records_on_one_timestamp_complete_without_looping(
    hs: HubSpotWorld, at
) -> None:
    stamp = at(hours=-1)
    hs.fake.add_many("companies", 10_250, updated=stamp, properties={"name": "bulk"})

    pages = list(hs.provider().read(ObjectType.COMPANIES, _window(stamp, stamp)))

    ids = [r.external_id for r in _records(pages)]
    assert len(ids) == len(set(ids)) == 10_250
    searches = hs.fake.requests_to("/crm/v3/objects/companies/search")
    assert len(searches) == 52  # 51 full pages of 200 and one of 50: each a fresh keyset query
    assert all(int(r.json().get("after") or 0) == 0 for r in searches)


def test_the_fake_refuses_to_page_past_ten_thousand_like_hubspot(hs: HubSpotWorld) -> None:
    client = hs.client()
    with pytest.raises(PermanentError) as refused:
        client.search("deals", {"limit": 200, "after": "9900"})
    assert refused.value.params["status"] == 400


def test_resume_continues_after_the_last_id_of_the_saved_page(hs: HubSpotWorld, at) -> None:
    stamp = at(minutes=-10)
    made = hs.fake.add_many("deals", 450, updated=stamp)
    provider = hs.provider()
    first = next(provider.read(ObjectType.DEALS, _window(stamp, stamp)))
    assert first.resume == Resume("deals", {"last_id": str(made[199].id)})

    # The worker dies; the next one starts from the saved resume point.
    rest = list(
        hs.provider().read(ObjectType.DEALS, _window(stamp, stamp), Resume.from_json(first.resume.to_json()))
    )

    ids = [r.external_id for r in (*first.records, *_records(rest))]
    assert ids == [str(r.id) for r in made]


def test_a_late_visible_record_is_caught_by_the_next_runs_lookback(hs: HubSpotWorld) -> None:
    hs.fake.index_lag = dt.timedelta(minutes=5)
    record = hs.fake.add("deals", {"dealname": "late"}, updated=NOW - dt.timedelta(minutes=3))
    timing = hs.provider().timing
    cursor = NOW - dt.timedelta(minutes=5)

    windows = plan_windows(cursor=cursor, now=NOW, lookback=timing.lookback, safety_lag=timing.safety_lag,
                           max_span=timing.max_span)  # fmt: skip
    first_run = _records([p for w in windows for p in hs.provider().read(ObjectType.DEALS, w)])
    assert first_run == []  # in the window, but not searchable yet
    assert hs.fake.searchable_at("deals", record.id) > NOW

    hs.clock.advance(minutes=15)
    windows = plan_windows(cursor=windows[-1].end, now=hs.clock(), lookback=timing.lookback,
                           safety_lag=timing.safety_lag, max_span=timing.max_span)  # fmt: skip
    second_run = _records([p for w in windows for p in hs.provider().read(ObjectType.DEALS, w)])
    assert [r.external_id for r in second_run] == [str(record.id)]


def test_archived_records_never_come_from_search_but_from_the_archived_pass(hs: HubSpotWorld, at) -> None:
    kept = hs.fake.add("deals", {"dealname": "kept"}, updated=at(minutes=-20))
    gone = hs.fake.add("deals", {"dealname": "gone"}, updated=at(minutes=-20))
    old = hs.fake.add("deals", {"dealname": "long gone"}, updated=at(days=-30))
    hs.fake.archive("deals", old.id, at=at(days=-20))
    hs.fake.archive("deals", gone.id, at=at(minutes=-10))
    provider = hs.provider()

    changed = _records(list(provider.read(ObjectType.DEALS, _window(at(minutes=-30), at()))))
    archived = list(provider.read_archived(ObjectType.DEALS, since=at(hours=-1)))

    assert [r.external_id for r in changed] == [str(kept.id)]
    assert [(r.external_id, r.archived) for r in _records(archived)] == [(str(gone.id), True)]
    assert archived[-1].resume is None
    assert hs.fake.requests_to("/crm/v3/objects/deals")[-1].arg("archived") == "true"


def test_a_restored_record_comes_back_unarchived_with_a_newer_modstamp(hs: HubSpotWorld, at) -> None:
    record = hs.fake.add("contacts", {"email": "back@example.com"}, updated=at(days=-2))
    hs.fake.archive("contacts", record.id, at=at(days=-1))
    hs.fake.restore("contacts", record.id, at=at(minutes=-5))

    found = _records(list(hs.provider().read(ObjectType.CONTACTS, _window(at(minutes=-15), at()))))

    assert [(r.external_id, r.archived, r.modstamp) for r in found] == [
        (str(record.id), False, at(minutes=-5))
    ]


def test_two_step_merges_list_every_loser_on_the_survivor(hs: HubSpotWorld, at) -> None:
    a = hs.fake.add("contacts", {"email": "a@example.com"}, updated=at(days=-3))
    b = hs.fake.add("contacts", {"email": "b@example.com"}, updated=at(days=-3))
    c = hs.fake.add("contacts", {"email": "c@example.com"}, updated=at(days=-3))
    hs.clock.advance(seconds=-120)
    hs.fake.merge("contacts", a.id, b.id)  # a into b
    hs.fake.merge("contacts", b.id, c.id)  # then b into c
    hs.clock.advance(seconds=120)

    pages = list(hs.provider().read(ObjectType.CONTACTS, _window(at(minutes=-15), at())))

    (survivor,) = _records(pages)
    assert isinstance(survivor, CanonicalContact)
    assert survivor.external_id == str(c.id)
    assert set(survivor.merged_ids) == {str(a.id), str(b.id)}
    merges = {(m.loser_external_id, m.survivor_external_id) for p in pages for m in p.merges}
    assert merges == {(str(a.id), str(c.id)), (str(b.id), str(c.id))}


def test_the_token_expiring_mid_pagination_is_refreshed_once_and_the_same_page_is_asked_again(
    hs: HubSpotWorld, at
) -> None:
    stamp = at(minutes=-10)
    hs.fake.add_many("deals", 300, updated=stamp)
    old_token = hs.store.credentials.access_token
    pages = hs.provider().read(ObjectType.DEALS, _window(stamp, stamp))
    first = next(pages)

    hs.fake.expire_access_tokens()
    rest = list(pages)

    assert len(first.records) + len(_records(rest)) == 300
    assert len(hs.store.saved) == 1 and hs.store.credentials.access_token != old_token
    assert len(hs.fake.requests_to("/oauth/v3/token")) == 1
    expired = [r for r in hs.fake.requests_to("/crm/v3/objects/deals/search") if r.bearer() == old_token]
    assert len(expired) == 2  # page one, and the refused first try of page two


def test_a_token_near_expiry_is_refreshed_before_the_request(hs: HubSpotWorld) -> None:
    hs.store.credentials = Credentials(
        access_token=hs.store.credentials.access_token,
        refresh_token=hs.store.credentials.refresh_token,
        expires_at=NOW + dt.timedelta(minutes=3),
    )
    list(hs.provider().read(ObjectType.OWNERS, full_load_window(now=NOW, safety_lag=dt.timedelta(0))))
    assert len(hs.fake.requests_to("/oauth/v3/token")) == 1
    assert hs.store.credentials.expires_at == NOW + dt.timedelta(minutes=30)


def test_one_refresh_serves_every_worker_of_the_account(hs: HubSpotWorld) -> None:
    oauth = hs.oauth()
    first = TokenManager(hs.store, oauth.refresh, clock=hs.clock)
    second = TokenManager(hs.store, oauth.refresh, clock=hs.clock)
    stale = hs.store.credentials.access_token

    fresh = first.force_refresh(stale)
    # The second worker got a 401 with the same stale token: it finds the new one instead of refreshing.
    assert second.force_refresh(stale) == fresh
    assert len(hs.fake.requests_to("/oauth/v3/token")) == 1


def test_a_revoked_refresh_token_is_a_permanent_auth_failure(hs: HubSpotWorld) -> None:
    hs.fake.revoke_refresh_token(hs.store.credentials.refresh_token or "")
    hs.fake.expire_access_tokens()
    with pytest.raises(AuthFailed) as failed:
        list(hs.provider().read(ObjectType.OWNERS, full_load_window(now=NOW, safety_lag=dt.timedelta(0))))
    assert failed.value.code == "integrations.provider.auth_failed"
    assert failed.value.params == {"reason": "refresh_refused"}


def test_private_app_tokens_work_and_are_never_refreshed(hs: HubSpotWorld) -> None:
    token = hs.fake.issue_private_app_token()
    hs.fake.add_owner(id="7", email="owner@example.com", firstName="A", lastName="B")
    pages = list(hs.provider(private_token=token).read(ObjectType.OWNERS, Window(None, NOW)))
    assert [r.external_id for r in _records(pages)] == ["7"]

    with pytest.raises(AuthFailed) as failed:
        hs.client(private_token="pat-na1-unknown-token").owners()
    assert failed.value.params == {"reason": "token_rejected"}
    assert hs.fake.requests_to("/oauth") == []


def test_a_malformed_token_gets_530_and_is_a_credential_failure(hs: HubSpotWorld) -> None:
    with pytest.raises(AuthFailed) as failed:
        hs.client(private_token="bad token").owners()
    assert failed.value.params == {"reason": "malformed_token"}


def test_ten_secondly_429_without_retry_after_waits_ten_seconds_plus_jitter(hs: HubSpotWorld) -> None:
    hs.fake.inject(429, {"status": "error", "policyName": "TEN_SECONDLY_ROLLING", "category": "RATE_LIMITS",
                         "message": "You have reached your ten_secondly_rolling limit."}, path="/crm/v3/owners")  # fmt: skip
    hs.client().owners()
    assert len(hs.slept) == 1 and 10 <= hs.slept[0] <= 11


def test_ten_secondly_429_honours_retry_after(hs: HubSpotWorld) -> None:
    hs.fake.ten_secondly_limit = 3
    client = hs.client()
    for _ in range(5):
        client.owners()
    assert hs.slept == [10.0]  # the fake sends Retry-After: 10 once the rolling window is full
    assert len(hs.fake.requests_to("/crm/v3/owners")) == 6


def test_search_secondly_429_backs_off_one_second_per_attempt(hs: HubSpotWorld) -> None:
    body = {"status": "error", "message": "You have reached your secondly limit.", "category": "RATE_LIMITS"}
    hs.fake.inject(429, body, path="/crm/v3/objects/deals/search", count=2)
    hs.client().search("deals", {"limit": 10})
    assert hs.slept == [1.0, 2.0]


def test_the_daily_limit_stops_at_once(hs: HubSpotWorld) -> None:
    hs.fake.daily_limit = 1
    client = hs.client()
    client.owners()
    with pytest.raises(DailyLimitReached) as stopped:
        client.owners()
    assert stopped.value.code == "integrations.provider.daily_limit_reached"
    assert hs.slept == [] and len(hs.fake.requests_to("/crm/v3/owners")) == 2


def test_rate_limits_exhausted_surface_as_rate_limited(hs: HubSpotWorld) -> None:
    hs.fake.inject(429, {"policyName": "TEN_SECONDLY_ROLLING"}, path="/crm/v3/owners", count=10)
    with pytest.raises(RateLimited) as limited:
        hs.client(retry=RetryPolicy(max_attempts=3)).owners()
    assert limited.value.params["policy"] == "TEN_SECONDLY_ROLLING"
    assert len(hs.slept) == 2


def test_server_errors_timeouts_and_cut_bodies_are_retried(hs: HubSpotWorld) -> None:
    hs.fake.add_owner(id="1", email="x@example.com")
    hs.fake.inject(503, {}, path="/crm/v3/owners")
    hs.fake.inject(kind="timeout", path="/crm/v3/owners")
    hs.fake.inject(kind="truncate", path="/crm/v3/owners")
    body = hs.client().owners()
    assert [o["id"] for o in body["results"]] == ["1"]
    assert len(hs.fake.requests_to("/crm/v3/owners")) == 4 and len(hs.slept) == 3


def test_persistent_server_errors_end_as_transient(hs: HubSpotWorld) -> None:
    hs.fake.inject(502, {}, path="/crm/v3/owners", count=10)
    with pytest.raises(TransientError) as failed:
        hs.client().owners()
    assert failed.value.params["status"] == 502
    assert len(hs.fake.requests_to("/crm/v3/owners")) == 6


def test_a_missing_scope_is_permanent(hs: HubSpotWorld) -> None:
    hs.fake.inject(
        403, {"category": "MISSING_SCOPES", "context": {"requiredScopes": ["crm.objects.deals.read"]}}
    )
    with pytest.raises(PermanentError) as refused:
        hs.client().owners()
    assert refused.value.code == "integrations.provider.missing_scopes"
    assert refused.value.params == {"scopes": ["crm.objects.deals.read"]}


def test_a_too_long_url_is_refused_with_414(hs: HubSpotWorld) -> None:
    hs.fake.max_url_length = 200
    with pytest.raises(PermanentError) as refused:
        hs.client().list_objects("deals", properties=["p" * 300])
    assert refused.value.code == "integrations.provider.uri_too_long"


def test_deactivated_owners_are_read_as_inactive_owners(hs: HubSpotWorld) -> None:
    hs.fake.add_owner(id="1", email="active@example.com", firstName="A", lastName="One")
    hs.fake.add_owner(id="2", email="left@example.com", firstName="B", lastName="Two")
    hs.fake.deactivate_owner("2")

    owners = _records(list(hs.provider().read(ObjectType.OWNERS, Window(None, NOW))))

    assert all(isinstance(o, CanonicalOwner) for o in owners)
    assert {(o.external_id, o.active) for o in owners} == {("1", True), ("2", False)}


def test_deals_carry_stage_dates_associations_and_stage_derived_flags(hs: HubSpotWorld, at) -> None:
    company = hs.fake.add("companies", {"name": "Acme"}, updated=at(days=-5))
    deal = hs.fake.add("deals", {"dealname": "D", "dealstage": "appointmentscheduled", "amount": "N/A",
                                 "pipeline": "default"}, created=at(days=-4),
                       associations={"companies": [str(company.id)]})  # fmt: skip
    hs.fake.update("deals", deal.id, at=at(minutes=-5), dealstage="closedwon")
    provider = hs.provider()

    (searched,) = _records(list(provider.read(ObjectType.DEALS, _window(at(minutes=-15), at()))))
    (listed,) = _records(list(provider.read(ObjectType.DEALS, Window(None, NOW))))

    for found in (searched, listed):
        assert isinstance(found, CanonicalDeal)
        assert found.company_external_id == str(company.id)
        assert found.stage_entered_at == {"appointmentscheduled": at(days=-4), "closedwon": at(minutes=-5)}
        assert (found.is_closed, found.is_won) == (
            True,
            True,
        )  # from the stage: the fake sets no hs_is_closed
        assert (found.amount, found.amount_invalid, found.currency) == (None, True, "JPY")
    properties = hs.fake.requests_to("/crm/v3/objects/deals/search")[0].json()["properties"]
    assert "hs_date_entered_closedlost" in properties


def test_activities_read_every_engagement_object_with_their_links(hs: HubSpotWorld, at) -> None:
    deal = hs.fake.add("deals", {"dealname": "D"}, updated=at(days=-5))
    contact = hs.fake.add("contacts", {"email": "c@example.com"}, updated=at(days=-5))
    call = hs.fake.add("calls", {"hs_timestamp": "2026-06-01T08:00:00Z", "hs_call_status": "COMPLETED"},
                       updated=at(minutes=-5), associations={"deals": [str(deal.id)], "contacts": [str(contact.id)]})  # fmt: skip
    meeting = hs.fake.add("meetings", {"hs_meeting_start_time": "2026-06-01T07:00:00Z",
                                       "hs_meeting_outcome": "SCHEDULED"}, updated=at(minutes=-5))  # fmt: skip

    pages = list(hs.provider().read(ObjectType.ACTIVITIES, _window(at(minutes=-15), at())))

    assert [p.resume.stream if p.resume else None for p in pages] == ["emails", "meetings", "tasks", None]
    found = {r.external_id: r for r in _records(pages)}
    assert isinstance(found[str(call.id)], CanonicalActivity)
    assert found[str(call.id)].deal_external_ids == (str(deal.id),)
    assert found[str(call.id)].contact_external_ids == (str(contact.id),)
    assert (found[str(call.id)].activity_type, found[str(call.id)].completed) == ("calls", True)
    assert (found[str(meeting.id)].activity_type, found[str(meeting.id)].completed) == ("meetings", False)
    assert hs.fake.requests_to("/crm/v4/associations/calls/deals/batch/read")


def test_an_activity_resume_skips_the_streams_already_read(hs: HubSpotWorld, at) -> None:
    hs.fake.add("calls", {}, updated=at(minutes=-5))
    task = hs.fake.add("tasks", {"hs_task_status": "COMPLETED"}, updated=at(minutes=-5))
    pages = list(
        hs.provider().read(ObjectType.ACTIVITIES, _window(at(minutes=-15), at()), Resume("tasks", {}))
    )
    assert [r.external_id for r in _records(pages)] == [str(task.id)]
    assert not hs.fake.requests_to("/crm/v3/objects/calls")


def test_every_read_ends_with_a_last_page_even_when_empty(hs: HubSpotWorld, at) -> None:
    provider = hs.provider()
    for pages in (
        list(provider.read(ObjectType.COMPANIES, _window(at(minutes=-15), at()))),
        list(provider.read_archived(ObjectType.COMPANIES, since=None)),
        list(provider.read_archived(ObjectType.OWNERS, since=None)),
    ):
        assert pages and pages[-1].resume is None and _records(pages) == []


def test_the_budget_paces_requests_per_account(hs: HubSpotWorld) -> None:
    budget = InMemoryBudget(clock=lambda: hs.clock().timestamp())
    client = hs.client(budget=budget, budget_key="ws1:hubspot:42", general_rate=Rate(2, 1))
    for _ in range(4):
        client.owners()
    assert hs.slept == [0.5, 0.5]
    assert hs.fake.requests_to("/crm/v3/owners")[0].bearer() == hs.store.credentials.access_token


def test_stages_come_from_the_pipelines(hs: HubSpotWorld) -> None:
    stages = {s.stage: s for s in hs.provider().read_stages()}
    assert (stages["closedwon"].is_closed, stages["closedwon"].is_won) == (True, True)
    assert (stages["closedlost"].is_closed, stages["closedlost"].is_won) == (True, False)
    assert stages["appointmentscheduled"].display_order == 0


def test_private_store_is_untouched_by_reads(hs: HubSpotWorld) -> None:
    store = InMemoryTokenStore(Credentials(hs.fake.issue_private_app_token()))
    TokenManager(store, None).current()
    assert store.saved == []


def test_an_expired_token_in_the_association_sub_call_is_refreshed_too(hs: HubSpotWorld, at) -> None:
    hs.fake.add("calls", {}, updated=at(minutes=-5))
    expired = {"status": "error", "category": "EXPIRED_AUTHENTICATION", "message": "expired 1 second(s) ago"}
    hs.fake.inject(401, expired, path="/crm/v4/associations/calls/contacts")
    pages = list(hs.provider().read(ObjectType.ACTIVITIES, _window(at(minutes=-15), at())))
    assert len(_records(pages)) == 1
    assert len(hs.fake.requests_to("/oauth/v3/token")) == 1


def test_search_is_paced_under_the_secondly_limit(hs: HubSpotWorld, at) -> None:
    hs.fake.secondly_search_limit = 4
    stamp = at(minutes=-5)
    hs.fake.add_many("deals", 2000, updated=stamp)
    budget = InMemoryBudget(clock=lambda: hs.clock().timestamp())
    provider = HubSpotProvider(hs.client(budget=budget, search_rate=Rate(4, 1, burst=1)))
    assert len(_records(list(provider.read(ObjectType.DEALS, _window(stamp, stamp))))) == 2000
    searches = hs.fake.requests_to("/crm/v3/objects/deals/search")
    assert len(searches) == 10  # paced: no 429 was needed
    assert sum(hs.slept) == pytest.approx(9 * 0.25)


def test_a_merge_that_mints_a_new_survivor_id_tombstones_both_old_ids(hs: HubSpotWorld, at) -> None:
    loser = hs.fake.add("companies", {"name": "old"}, updated=at(days=-2))
    survivor = hs.fake.add("companies", {"name": "kept"}, updated=at(days=-2))
    old_ids = {str(loser.id), str(survivor.id)}
    hs.fake.merge("companies", loser.id, survivor.id, new_id=7_000_000)
    pages = list(hs.provider().read(ObjectType.COMPANIES, _window(at(minutes=-15), at())))
    (record,) = _records(pages)
    assert record.external_id == "7000000" and set(record.merged_ids) == old_ids
    assert {m.loser_external_id for p in pages for m in p.merges} == old_ids
