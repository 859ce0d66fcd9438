"""CSV import, pure: encodings Excel writes, Japanese and English headers, every refusal with its line."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from integrations.csv_import.encoding import CP932, UTF8, csv_encoding_detect, csv_text_open
from integrations.csv_import.fields import ObjectType
from integrations.csv_import.rows import (
    ParsedRow,
    columns_resolve,
    columns_suggest,
    csv_file_read,
    rows_parse,
)
from integrations.csv_import.values import CellError

TOKYO = ZoneInfo("Asia/Tokyo")

DEALS_JA = (
    "案件ID,案件名,フェーズ,金額,作成日,受注日,結果,担当者メール,会社名\r\n"
    'D-1,基幹システム刷新,契約,"￥1,200,000",2026/4/3,2026/5/7,受注,Sato@Example.jp,株式会社サンプル\r\n'
    "D-2,保守契約,提案,１５０００００円,2026-04-10 09:30,,進行中,,\r\n"
    "D-3,追加開発,提案,N/A,2026/04/11,,,,\r\n"
)


def _parse(data: bytes, object_type: ObjectType = ObjectType.DEAL, mapping: dict[str, str] | None = None,
           ) -> tuple[list[ParsedRow], str]:  # fmt: skip
    text, encoding = csv_text_open(io.BytesIO(data))
    csv_file = csv_file_read(text)
    mapping = mapping if mapping is not None else columns_suggest(csv_file.header, object_type)
    plan, errors = columns_resolve(csv_file.header, object_type, mapping)
    assert plan is not None, errors
    return list(rows_parse(csv_file, plan, header=csv_file.header, zone=TOKYO)), encoding


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (DEALS_JA.encode("utf-8"), UTF8),
        (b"\xef\xbb\xbf" + DEALS_JA.encode("utf-8"), UTF8),
        (DEALS_JA.encode("cp932"), CP932),
        # ASCII for the first 64 KiB, Japanese after it: the whole file decides, not a sample.
        (b"id,stage\r\n" + b"1,a\r\n" * 20_000 + "2,提案\r\n".encode("cp932"), CP932),
    ],
)
def test_the_encoding_is_detected_not_asked(data: bytes, expected: str) -> None:
    stream = io.BytesIO(data)
    assert csv_encoding_detect(stream) == expected
    assert stream.tell() == 0


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_japanese_deals_parse_the_same_in_every_encoding(encoding: str) -> None:
    rows, _ = _parse(DEALS_JA.encode(encoding))
    assert [r.problems for r in rows] == [[], [], []]
    first, second, third = (r.values for r in rows)
    assert first == {
        "external_id": "D-1", "name": "基幹システム刷新", "stage": "契約", "amount": Decimal(1_200_000),
        "created_at": dt.datetime(2026, 4, 3, tzinfo=TOKYO), "close_date": dt.date(2026, 5, 7),
        "outcome": "won", "owner_email": "sato@example.jp", "company_name": "株式会社サンプル",
    }  # fmt: skip
    # Full-width digits and 円; a time of day in the workspace's zone; no owner.
    assert second["amount"] == Decimal(1_500_000)
    assert second["created_at"] == dt.datetime(2026, 4, 10, 9, 30, tzinfo=TOKYO)
    assert second["outcome"] == "open" and "owner_email" not in second
    # "N/A" is no amount, not an error.
    assert third["amount"] is None and third["stage"] == "提案"


def test_english_headers_are_recognised_however_written() -> None:
    header = [
        "Deal ID",
        "deal_name",
        "ＤＥＡＬ　ＳＴＡＧＥ",
        "Amount",
        "Close Date",
        "Deal Owner",
        "Unrelated",
    ]
    assert columns_suggest(header, ObjectType.DEAL) == {
        "external_id": "Deal ID", "name": "deal_name", "stage": "ＤＥＡＬ　ＳＴＡＧＥ", "amount": "Amount",
        "close_date": "Close Date", "owner_email": "Deal Owner",
    }  # fmt: skip


def test_the_confirmed_mapping_is_checked_against_the_header() -> None:
    header = ["案件ID", "名前", "名前"]
    plan, errors = columns_resolve(
        header, ObjectType.DEAL, {"external_id": "案件ID", "amount": "金額", "colour": "名前"}
    )
    assert plan is None
    assert [e.code for e in errors] == [
        "integrations.csv.header_duplicate", "integrations.csv.column_missing", "integrations.csv.field_unknown",
        "integrations.csv.required_unmapped",
    ]  # fmt: skip
    assert errors[-1].params == {"fields": ["stage"]}


def test_every_bad_row_is_reported_with_its_line_and_reason() -> None:
    data = (
        "案件ID,フェーズ,金額,受注日,結果,担当者メール\n"
        "D-1,提案,-5000,2026/13/01,たぶん,not-an-address\n"
        "\n"  # a blank line is skipped but still counted
        'D-2,,"1,000.5",,,\n'
        '"D-3","提案\n(改行入り)",100,,,\n'  # a quoted cell across two lines
        "D-1,提案,100,,,\n"
    ).encode("cp932")
    rows, _ = _parse(data)
    problems = {(p.line, p.column, p.message.code) for r in rows for p in r.problems}
    assert problems == {
        (2, "金額", "integrations.csv.amount_negative"),
        (2, "受注日", "integrations.csv.date_invalid"),
        (2, "結果", "integrations.csv.outcome_invalid"),
        (2, "担当者メール", "integrations.csv.email_invalid"),
        (4, "フェーズ", "integrations.csv.required_empty"),
        (4, "金額", "integrations.csv.amount_fraction"),
        (7, "案件ID", "integrations.csv.id_repeated"),
    }
    assert [r.line for r in rows] == [2, 4, 5, 7]
    assert rows[2].values["stage"] == "提案\n(改行入り)" and not rows[2].problems
    repeated = rows[3].problems[0].message
    assert repeated.params["first_line"] == 2
    with translation.override("ja"):
        assert repeated.render() == "7行目: レコードID D-1 は2行目にもあります。"
    with translation.override("en"):
        assert repeated.render() == "Line 7: the record id D-1 is already on line 2."


def test_activities_parse_types_and_times() -> None:
    data = (
        "活動ID,種別,日時,担当者\nA-1,架電,2026/05/07 16:30,sato@example.jp\nA-2,FAX,2026-05-07T07:30:00Z,\n"
    )
    rows, _ = _parse(data.encode("utf-8"), ObjectType.ACTIVITY)
    assert rows[0].values["activity_type"] == "call"
    assert rows[0].values["occurred_at"] == dt.datetime(2026, 5, 7, 16, 30, tzinfo=TOKYO)
    assert [p.message.code for p in rows[1].problems] == ["integrations.csv.activity_type_invalid"]
    # An instant with an offset keeps it: 07:30Z is 16:30 in Tokyo.
    assert rows[1].values["occurred_at"] == dt.datetime(2026, 5, 7, 16, 30, tzinfo=TOKYO)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "integrations.csv.empty"),
        (b"\r\n\r\n", "integrations.csv.empty"),
        ("案件ID,フェーズ\nD-1,提案\nD-2,\x00a\n".encode(), "integrations.csv.malformed"),
        ("案件ID,フェーズ\nD-1,提案\n".encode("cp932") + b"D-2,\x81\x20\n", "integrations.csv.undecodable"),
    ],
)
def test_a_broken_file_is_refused_with_a_code(data: bytes, code: str) -> None:
    with pytest.raises(CellError) as refused:
        _parse(data, mapping={"external_id": "案件ID", "stage": "フェーズ"})
    assert refused.value.code == code
    if data.strip():
        assert refused.value.params == {"line": 3}


def test_a_large_file_streams_row_by_row() -> None:
    """100,000 rows are parsed from a stream without a list of them being built (only the ids are kept)."""
    lines = ("案件ID,フェーズ,金額\n" + "".join(f"D-{i},提案,{i}\n" for i in range(100_000))).encode("utf-8")
    text, _ = csv_text_open(io.BytesIO(lines))
    csv_file = csv_file_read(text)
    plan, _ = columns_resolve(
        csv_file.header, ObjectType.DEAL, columns_suggest(csv_file.header, ObjectType.DEAL)
    )
    assert plan is not None
    parsed = rows_parse(csv_file, plan, header=csv_file.header, zone=TOKYO)
    first = next(parsed)
    assert first.line == 2 and first.values["amount"] == Decimal(0)
    count, last = 1, first
    for last in parsed:  # noqa: B007
        count += 1
    assert count == 100_000 and last.line == 100_001 and not last.problems
