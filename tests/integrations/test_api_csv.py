"""CSV import through the API: the dry run, the all-or-nothing import, the saved column mapping, and a
100,000-row file streamed page by page."""

from __future__ import annotations

import datetime as dt
import json
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from integrations import csv_services
from integrations.models import (
    Connection,
    CrmActivity,
    CrmContact,
    CrmDeal,
    CrmOwner,
    CsvColumnMapping,
    StageMapping,
    SyncRun,
)
from kpi.models import MetricActual
from tenants.context import workspace_context
from tenants.services import Actor
from tests.conftest import World
from tests.integrations.test_api import u

pytestmark = pytest.mark.django_db


def _csv_url(world: World, action: str, connection: Any = None) -> str:
    connection = connection or world.a.extra["csv_connection"]
    return u(world, f"connections/{connection.id}/csv/{action}/")


def _post(client: Any, url: str, data: bytes, object_type: str = "deals", columns: Any = None,
          name: str = "export.csv", **extra: Any) -> Any:  # fmt: skip
    body: dict[str, Any] = {
        "file": SimpleUploadedFile(name, data, content_type="text/csv"),
        "object_type": object_type,
    }
    if columns is not None:
        body["columns"] = json.dumps(columns, ensure_ascii=False)
    return client.post(url, body, format="multipart", **extra)


def _count(world: World, model: Any, **filters: Any) -> int:
    with workspace_context(world.a.workspace.id):
        return model.objects.filter(connection=world.a.extra["csv_connection"], **filters).count()


def _actuals(world: World, metric: str, owner: Any = "all") -> dict[dt.date, Decimal]:
    """The CRM's actuals of a metric per day: of one member (None: records of no member), or of everyone."""
    with workspace_context(world.a.workspace.id):
        rows = MetricActual.objects.filter(metric__key=metric, source="crm")
        if owner != "all":
            rows = rows.filter(owner=owner)
        totals: dict[dt.date, Decimal] = {}
        for row in rows:
            totals[row.date] = totals.get(row.date, Decimal(0)) + row.value
        return totals


@pytest.fixture
def fresh(world: World) -> World:
    """The world without the mapping it saved for A's CSV deals (so the headers' suggestion is offered)."""
    with workspace_context(world.a.workspace.id):
        CsvColumnMapping.objects.all().delete()
    return world


def _excel_deals(world: World) -> bytes:
    """Deals as Excel on Japanese Windows saves them: Shift_JIS (CP932), CRLF, Japanese headers, yen amounts
    written with the full-width yen sign or the backslash Shift_JIS shows as one."""
    manager = world.a.memberships["manager"].user.email
    text = (
        "案件ID,案件名,フェーズ,金額,作成日,受注日,結果,担当者メール,会社名\r\n"
        f'D-1,基幹システム刷新,契約,"￥1,200,000",2026/4/3,2026/5/7,受注,{manager.upper()},株式会社サンプル\r\n'
        f"D-2,保守契約,契約,300000円,2026/4/10,2026/5/7,受注,{manager},株式会社サンプル\r\n"
        "D-3,追加開発,提案,N/A,2026/04/11,,進行中,,\r\n"
        "D-4,別案件,失注,500000,2026/04/12,2026/5/8,失注,,株式会社ほか\r\n"
    )
    return text.encode("cp932").replace("300000円".encode("cp932"), b'"\\300,000"')


# --- dry run and import of an Excel file ---------------------------------------------------------------


def test_a_shift_jis_excel_file_dry_runs_then_imports_with_its_actuals(
    world: World, fresh: World, client_as: Any
) -> None:
    client = client_as("admin")
    data = _excel_deals(world)
    dry = _post(client, _csv_url(world, "dry-run"), data)
    assert dry.status_code == 200, dry.content
    report = dry.json()
    assert report["ok"] is True and report["encoding"] == "cp932"
    assert report["header"][:4] == ["案件ID", "案件名", "フェーズ", "金額"]
    plan = {c["field"]: c["column"] for c in report["columns"]}
    assert (
        plan["amount"] == "金額" and plan["close_date"] == "受注日" and plan["owner_email"] == "担当者メール"
    )
    assert report["mapping_source"] == "suggested" and plan["pipeline"] is None
    assert (report["rows"], report["valid_rows"], report["invalid_rows"]) == (4, 4, 0)
    assert report["counts"] == {"create": 4, "update": 0, "unchanged": 0}
    assert report["problems"] == [] and report["sync_run"] is None
    assert _count(world, CrmDeal) == 0  # a dry run writes nothing

    # The user confirms the suggestion as it is.
    imported = _post(client, _csv_url(world, "import"), data, columns={k: v for k, v in plan.items() if v})
    assert imported.status_code == 200, imported.content
    body = imported.json()
    assert body["report"]["counts"] == {"create": 4, "update": 0, "unchanged": 0}
    run = body["sync_run"]
    assert run["trigger"] == "csv" and run["status"] == "succeeded"
    assert (run["fetched_count"], run["created_count"]) == (4, 4)
    with workspace_context(world.a.workspace.id):
        deals = {d.external_id: d for d in CrmDeal.objects.filter(connection=world.a.extra["csv_connection"])}
        assert deals["D-1"].amount == Decimal(1_200_000) and deals["D-2"].amount == Decimal(300_000)
        assert deals["D-3"].amount is None and not deals["D-3"].is_closed
        assert deals["D-1"].is_won and deals["D-1"].close_date == dt.date(2026, 5, 7)
        assert deals["D-4"].is_closed and not deals["D-4"].is_won
        # Owners are named by e-mail (the address as written, lower-cased) and matched to the member.
        owner = CrmOwner.objects.get(connection=world.a.extra["csv_connection"])
        assert owner.member_id == world.a.memberships["manager"].id
        assert deals["D-1"].owner_id == owner.id == deals["D-2"].owner_id
        assert deals["D-1"].company.name == "株式会社サンプル"
        # The file's stages are listed for the user to map (not counted until they are).
        assert set(StageMapping.objects.filter(connection=world.a.extra["csv_connection"]).values_list(
            "stage", flat=True)) == {"契約", "提案", "失注"}  # fmt: skip
        connection = Connection.objects.get(id=world.a.extra["csv_connection"].id)
        assert connection.last_success_at is not None and connection.next_sync_at is None
        assert connection.status == "connected" and connection.lease_owner == ""
    # The rollup ran with the pages: wins and their amount on the close date, per owner and in all.
    manager = world.a.memberships["manager"]
    assert _actuals(world, "wins")[dt.date(2026, 5, 7)] == 2  # (the world's HubSpot deal is won on the 8th)
    assert _actuals(world, "won_amount", manager)[dt.date(2026, 5, 7)] == 1_500_000
    assert _actuals(world, "lost_deals", None) == {dt.date(2026, 5, 8): Decimal(1)}


def test_the_same_file_again_changes_nothing(world: World, fresh: World, client_as: Any) -> None:
    client = client_as("admin")
    data = _excel_deals(world)
    assert _post(client, _csv_url(world, "import"), data).status_code == 200
    before = _actuals(world, "won_amount")
    with workspace_context(world.a.workspace.id):
        stamps = dict(CrmDeal.objects.values_list("external_id", "updated_at"))
    dry = _post(client, _csv_url(world, "dry-run"), data).json()
    assert dry["counts"] == {"create": 0, "update": 0, "unchanged": 4}
    again = _post(client, _csv_url(world, "import"), data).json()
    assert again["report"]["counts"] == {"create": 0, "update": 0, "unchanged": 4}
    assert (again["sync_run"]["created_count"], again["sync_run"]["unchanged_count"]) == (0, 4)
    with workspace_context(world.a.workspace.id):
        assert dict(CrmDeal.objects.values_list("external_id", "updated_at")) == stamps
        assert SyncRun.objects.filter(connection=world.a.extra["csv_connection"], trigger="csv").count() == 2
    assert _actuals(world, "won_amount") == before
    # One deal changes in the next export: only it is updated.
    changed = data.replace(b"N/A", b"100")
    third = _post(client, _csv_url(world, "import"), changed).json()
    assert third["report"]["counts"] == {"create": 0, "update": 1, "unchanged": 3}


def test_a_utf8_bom_file_of_contacts_with_english_headers(world: World, fresh: World, client_as: Any) -> None:
    text = (
        "Contact ID,Email,Last Name,First Name,Company,Lead Date,Contact Owner\n"
        "C-1,yamada@example.jp,山田,花子,Acme,2026-05-07T16:30:00Z,\n"
        "C-2,suzuki@example.jp,鈴木,一郎,Acme,2026/05/08,\n"
    )
    data = b"\xef\xbb\xbf" + text.encode("utf-8")
    client = client_as("admin")
    dry = _post(client, _csv_url(world, "dry-run"), data, object_type="contacts").json()
    assert dry["encoding"] == "utf-8-sig" and dry["header"][0] == "Contact ID"  # the BOM is not in the header
    assert dry["mapping_source"] == "suggested" and dry["saved_mapping"] is None
    assert _post(client, _csv_url(world, "import"), data, object_type="contacts").status_code == 200
    assert _count(world, CrmContact) == 2
    # 16:30Z is the 8th in Tokyo: both leads on the same day.
    assert _actuals(world, "leads") == {dt.date(2026, 5, 8): Decimal(2)}


def test_activities_count_on_the_workspace_day(world: World, fresh: World, client_as: Any) -> None:
    manager = world.a.memberships["manager"].user.email
    text = (
        "活動ID,種別,日時,担当者メール,案件ID\n"
        f"A-1,架電,2026-05-07T16:30:00Z,{manager},D-1\n"
        f"A-2,電話,2026/05/07 09:00,{manager},\n"
        "A-3,訪問,2026/05/07 10:00,,\n"
    )
    client = client_as("admin")
    assert _post(client, _csv_url(world, "import"), _excel_deals(world)).status_code == 200
    response = _post(client, _csv_url(world, "import"), text.encode("cp932"), object_type="activities")
    assert response.status_code == 200, response.content
    member = world.a.memberships["manager"]
    assert _actuals(world, "calls", member) == {
        dt.date(2026, 5, 7): Decimal(1),
        dt.date(2026, 5, 8): Decimal(1),
    }
    assert _actuals(world, "meetings_held") == {dt.date(2026, 5, 7): Decimal(1)}
    with workspace_context(world.a.workspace.id):
        assert CrmActivity.objects.get(external_id="A-1").deal.external_id == "D-1"


# --- bad rows ------------------------------------------------------------------------------------------


BAD = (
    "案件ID,フェーズ,金額,受注日,結果\n"
    "D-1,提案,100,2026/05/07,受注\n"
    "D-2,提案,100,2026/13/01,受注\n"  # no 13th month
    "D-3,提案,-5000,,\n"
    "D-4,提案,たくさん,,\n"
    ",提案,100,,\n"  # no id
    "D-6,提案,200,2026/05/07,受注\n"
)


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_written(
    world: World, fresh: World, client_as: Any
) -> None:
    client = client_as("admin")
    data = BAD.encode("cp932")
    dry = _post(client, _csv_url(world, "dry-run"), data, HTTP_ACCEPT_LANGUAGE="ja")
    assert dry.status_code == 200
    report = dry.json()
    assert report["ok"] is False
    assert (report["rows"], report["valid_rows"], report["invalid_rows"], report["problems_total"]) == (
        6,
        2,
        4,
        4,
    )
    assert report["counts"]["create"] == 2  # what the valid rows would do
    found = [(p["line"], p["column"], p["code"]) for p in report["problems"]]
    assert found == [
        (3, "受注日", "integrations.csv.date_invalid"),
        (4, "金額", "integrations.csv.amount_negative"),
        (5, "金額", "integrations.csv.amount_invalid"),
        (6, "案件ID", "integrations.csv.required_empty"),
    ]
    assert report["problems"][0]["message"].startswith("3行目「受注日」:")
    assert "2026/13/01" in report["problems"][0]["message"]

    refused = _post(client, _csv_url(world, "import"), data, HTTP_ACCEPT_LANGUAGE="ja")
    assert refused.status_code == 400
    body = refused.json()
    assert body["error"]["code"] == "integrations.csv.import_refused" and body["error"]["params"] == {
        "problems": 4
    }
    assert "4 件の問題" in body["error"]["message"]
    assert [(p["line"], p["code"]) for p in body["report"]["problems"]] == [(f[0], f[2]) for f in found]
    # All or nothing: the two good rows are not in either, nor a run, nor a changed mapping.
    assert _count(world, CrmDeal) == _count(world, CrmOwner) == 0
    assert _count(world, SyncRun) == 0
    with workspace_context(world.a.workspace.id):
        assert not CsvColumnMapping.objects.filter(connection=world.a.extra["csv_connection"]).exists()


def test_problems_are_all_counted_and_the_first_thousand_listed(
    world: World, fresh: World, client_as: Any
) -> None:
    data = ("案件ID,フェーズ,金額\n" + "".join(f"D-{i},提案,x{i}\n" for i in range(1_500))).encode()
    report = _post(client_as("admin"), _csv_url(world, "dry-run"), data).json()
    assert report["problems_total"] == 1_500 and len(report["problems"]) == 1_000
    assert report["problems_truncated"] is True and report["problems"][-1]["line"] == 1_001


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"\r\n\r\n", "integrations.csv.empty"),
        ("案件ID,フェーズ\nD-1,提案\n".encode("cp932") + b"D-2,\x81\x20\n", "integrations.csv.undecodable"),
        ("番号,名前\n1,a\n".encode(), "integrations.csv.required_unmapped"),
        ("案件ID,フェーズ\nD-1,提案\nD-2,\x00a\n".encode(), "integrations.csv.malformed"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole(
    world: World, fresh: World, client_as: Any, data: bytes, code: str
) -> None:
    client = client_as("admin")
    report = _post(client, _csv_url(world, "dry-run"), data).json()
    assert report["ok"] is False and [p["code"] for p in report["file_problems"]] == [code]
    refused = _post(client, _csv_url(world, "import"), data)
    assert refused.status_code == 400 and refused.json()["report"]["file_problems"][0]["code"] == code
    assert _count(world, CrmDeal) == 0


# --- the mapping a user confirmed ---------------------------------------------------------------------


def test_the_confirmed_mapping_is_offered_for_the_next_file(
    world: World, fresh: World, client_as: Any
) -> None:
    client = client_as("admin")
    # Headers no synonym knows: the user maps them once.
    first = "番号,段階,売上,締め\nX-1,提案,1000,2026/05/07\n".encode()
    suggested = _post(client, _csv_url(world, "dry-run"), first).json()
    assert suggested["mapping_source"] == "suggested" and suggested["ok"] is False
    assert suggested["file_problems"][0]["code"] == "integrations.csv.required_unmapped"
    columns = {"external_id": "番号", "stage": "段階", "amount": "売上", "close_date": "締め"}
    assert _post(client, _csv_url(world, "import"), first, columns=columns).status_code == 200
    with workspace_context(world.a.workspace.id):
        saved = CsvColumnMapping.objects.get(connection=world.a.extra["csv_connection"], object_type="deals")
        assert saved.columns == columns and saved.updated_by == world.a.users["admin"]
        assert saved.header_fingerprint == csv_services.header_fingerprint(["番号", "段階", "売上", "締め"])
    # The next month's export, rows in another order of columns: the saved choice comes back by itself.
    second = "段階,番号,締め,売上\n提案,X-2,2026/06/01,2000\n".encode()
    offered = _post(client, _csv_url(world, "dry-run"), second).json()
    assert offered["mapping_source"] == "saved" and offered["saved_mapping"] == columns and offered["ok"]
    assert {c["field"]: c["column"] for c in offered["columns"] if c["column"]} == columns
    assert _post(client, _csv_url(world, "import"), second).status_code == 200
    assert _count(world, CrmDeal) == 2
    # Another object type has its own mapping (none yet).
    assert (
        _post(client, _csv_url(world, "dry-run"), second, object_type="contacts").json()["saved_mapping"]
        is None
    )


# --- refusals of the request ----------------------------------------------------------------------------


def test_only_csv_connections_take_files(world: World, client_as: Any) -> None:
    hubspot = world.a.extra["connection"]
    for action in ("dry-run", "import"):
        response = _post(client_as("admin"), _csv_url(world, action, hubspot), _excel_deals(world))
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "integrations.csv.not_csv_connection"
    with workspace_context(world.a.workspace.id):
        assert not CrmDeal.objects.filter(connection=hubspot, external_id="D-1").exists()


@override_settings(INTEGRATIONS_CSV_MAX_BYTES=100)
def test_a_file_over_the_size_cap_is_refused(world: World, client_as: Any) -> None:
    response = _post(client_as("admin"), _csv_url(world, "import"), _excel_deals(world))
    assert response.status_code == 400 and response.json()["error"]["code"] == "integrations.csv.too_large"
    assert response.json()["error"]["fields"] == {"file": [response.json()["error"]["message"]]}


def test_bad_inputs_are_refused_with_codes(world: World, client_as: Any) -> None:
    client = client_as("admin")
    url = _csv_url(world, "dry-run")
    assert _post(client, url, b"a\n", object_type="owners").json()["error"]["fields"]["object_type"]
    bad_columns = _post(client, url, b"a\n", columns=["external_id"]).json()["error"]
    assert bad_columns["code"] == "integrations.csv.columns_invalid"
    assert client.post(url, {"object_type": "deals"}, format="multipart").json()["error"]["fields"]["file"]
    as_json = client.post(url, {"object_type": "deals"}, format="json")
    assert as_json.status_code == 415


@pytest.mark.parametrize("role", ["admin", "consultant", "manager", "sales_rep", "viewer", "firm_owner"])
def test_who_may_import(world: World, fresh: World, client_as: Any, role: str) -> None:
    statuses = {
        _post(client_as(role), _csv_url(world, action), _excel_deals(world)).status_code
        for action in ("dry-run", "import")
    }
    assert statuses == ({200} if role in ("admin", "consultant", "firm_owner") else {403})


def test_a_disconnected_csv_connection_takes_no_file(world: World, client_as: Any) -> None:
    client = client_as("admin")
    client.post(u(world, f"connections/{world.a.extra['csv_connection'].id}/disconnect/"))
    response = _post(client, _csv_url(world, "import"), _excel_deals(world))
    assert response.json()["error"]["code"] == "integrations.connection.disconnected"


# --- 100,000 rows, streamed -------------------------------------------------------------------------------


ROWS = 100_000


@pytest.fixture
def big_file(tmp_path: Path) -> Path:
    """100,000 deals as Excel writes them (CP932, CRLF), 20 reps and 500 companies; a quarter won."""
    path = tmp_path / "deals.csv"
    with path.open("w", encoding="cp932", newline="") as out:
        out.write("案件ID,案件名,フェーズ,金額,作成日,受注日,結果,担当者メール,会社名\r\n")
        for i in range(ROWS):
            won = i % 4 == 0
            out.write(
                f'D-{i:06d},案件{i},{"契約" if won else "提案"},"￥{(i % 97 + 1) * 10_000:,}",2026/4/{i % 28 + 1},'
                f"{f'2026/5/{i % 28 + 1}' if won else ''},{'受注' if won else '進行中'},"
                f"rep{i % 20}@example.jp,株式会社{i % 500}\r\n"
            )
    return path


def test_a_hundred_thousand_rows_stream_in_bounded_memory(world: World, fresh: World, big_file: Path) -> None:
    """The import's read path (detect, parse, page) over the whole file, traced by tracemalloc: what stays is
    the set of ids seen (to refuse a repeat) and one page, not the file. (The writes are the sync engine's,
    page by page; tracing them too would make the test minutes long.)"""
    size = big_file.stat().st_size
    pages: list[int] = []
    with workspace_context(world.a.workspace.id):
        connection = Connection.objects.get(id=world.a.extra["csv_connection"].id)
        ctx = csv_services.mapping_context_load(connection)
        tracemalloc.start()
        try:
            with big_file.open("rb") as handle:
                report = csv_services._scan(connection, File(handle), "deals", None, ctx,
                                            on_page=lambda rows, _: pages.append(len(rows)), stop_at_problem=True)  # fmt: skip
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert report.ok and report.rows == ROWS and report.encoding == "cp932"
    assert sum(pages) == ROWS and max(pages) == csv_services.PAGE_SIZE
    # Read whole, the rows as Python objects would take many times the file's size.
    assert peak < 2 * size, (peak, size)


def test_a_hundred_thousand_rows_import_in_one_run(world: World, fresh: World, big_file: Path) -> None:
    actor = Actor.of(world.a.principal("admin"))
    connection = world.a.extra["csv_connection"]
    started = time.monotonic()
    with big_file.open("rb") as handle, workspace_context(world.a.workspace.id):
        report = csv_services.csv_import_run(actor=actor, connection=connection, upload=File(handle),
                                             object_type="deals")  # fmt: skip
    elapsed = time.monotonic() - started
    assert report.ok and report.rows == ROWS and report.create == ROWS
    # Alone: about 17 s on PostgreSQL (COPY), 50 s on SQLite (batched upsert); the bound catches a quadratic
    # turn (a rollup per page over the growing table took minutes), not a slow machine.
    assert elapsed < 180, elapsed
    with workspace_context(world.a.workspace.id):
        assert CrmDeal.objects.filter(connection=connection).count() == ROWS
        assert CrmOwner.objects.filter(connection=connection).count() == 20
        run = SyncRun.objects.get(connection=connection, trigger="csv")
        assert (run.fetched_count, run.created_count, run.status) == (ROWS, ROWS, "succeeded")
    wins = _actuals(world, "wins")
    assert wins[dt.date(2026, 5, 1)] == len(range(0, ROWS, 28)) and min(wins) == dt.date(2026, 5, 1)


def test_a_file_without_an_outcome_column_is_read_by_its_stage_names(
    world: World, fresh: World, client_as: Any
) -> None:
    """受注 / 失注 in the stage column close the deal; アポ, 商談, 提案 are guessed for the user to confirm, so a
    spreadsheet's funnel counts from its first import."""
    text = (
        "案件ID,案件名,ステージ,金額,作成日,受注日\r\n"
        'E-1,新規導入,受注,"￥2,000,000",2026/7/1,2026/7/10\r\n'
        "E-2,追加提案,提案,500000,2026/7/2,\r\n"
        "E-3,初回訪問,アポ,,2026/7/3,\r\n"
        "E-4,見送り,失注,800000,2026/7/4,2026/7/11\r\n"
        "E-5,社内検討,検討中,,2026/7/5,\r\n"
    )
    imported = _post(client_as("admin"), _csv_url(world, "import"), text.encode("cp932"))
    assert imported.status_code == 200, imported.content
    with workspace_context(world.a.workspace.id):
        connection = world.a.extra["csv_connection"]
        mapped = dict(StageMapping.objects.filter(connection=connection).values_list("stage", "funnel_stage"))
        assert mapped == {
            "受注": "won",
            "提案": "proposal",
            "アポ": "appointment",
            "失注": "lost",
            "検討中": "ignore",
        }
        assert not StageMapping.objects.filter(connection=connection, confirmed_at__isnull=False).exists()
        deals = {d.external_id: d for d in CrmDeal.objects.filter(connection=connection)}
        assert (
            deals["E-1"].is_won
            and deals["E-1"].is_closed
            and not deals["E-4"].is_won
            and deals["E-4"].is_closed
        )
        assert not deals["E-2"].is_closed
    assert _actuals(world, "wins") == {dt.date(2026, 7, 10): Decimal(1)}
    assert _actuals(world, "lost_deals") == {dt.date(2026, 7, 11): Decimal(1)}
    # No stage history in a file: an open deal is at its stage since the day it was created, a won one reached
    # every stage by its close date, a lost one says nothing of the stages before.
    assert _actuals(world, "appointments") == {dt.date(2026, 7, d): Decimal(1) for d in (2, 3, 10)}
    assert _actuals(world, "proposals") == {dt.date(2026, 7, 2): Decimal(1), dt.date(2026, 7, 10): Decimal(1)}
