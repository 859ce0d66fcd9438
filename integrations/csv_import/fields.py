"""The fields a CSV file can fill, per object type, and the headers people give them (data, not code).

Headers are matched after normalisation (NFKC, lower case, spaces, underscores and hyphens removed), so
``Deal Name``, ``deal_name`` and ``ＤＥＡＬ　ＮＡＭＥ`` are one header. The first synonym is the one our
downloadable template uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

# What a header may differ by and still be the same header: spaces, underscores, hyphens, slashes, ・.
HEADER_NOISE = r"[\s_\-・/]+"


class ObjectType(StrEnum):
    DEAL = "deal"
    CONTACT = "contact"
    ACTIVITY = "activity"


class Kind(StrEnum):
    TEXT = "text"
    EMAIL = "email"
    DATE = "date"
    DATETIME = "datetime"
    AMOUNT = "amount"
    OUTCOME = "outcome"  # a deal's open / won / lost
    ACTIVITY_TYPE = "activity_type"


@dataclass(frozen=True)
class CsvField:
    key: str
    kind: Kind
    required: bool
    headers: tuple[str, ...]


FIELDS: dict[ObjectType, tuple[CsvField, ...]] = {
    ObjectType.DEAL: (
        CsvField(
            "external_id", Kind.TEXT, True, ("案件ID", "商談ID", "deal id", "id", "record id", "レコードID")
        ),
        CsvField("name", Kind.TEXT, False, ("案件名", "商談名", "deal name", "name", "opportunity name")),
        CsvField("pipeline", Kind.TEXT, False, ("パイプライン", "pipeline")),
        CsvField("stage", Kind.TEXT, True, ("フェーズ", "ステージ", "商談フェーズ", "deal stage", "stage")),
        CsvField("amount", Kind.AMOUNT, False, ("金額", "受注金額", "見込金額", "amount")),
        CsvField(
            "created_at",
            Kind.DATETIME,
            False,
            ("作成日", "作成日時", "create date", "created", "created date"),
        ),
        CsvField("close_date", Kind.DATE, False, ("完了予定日", "受注日", "クローズ日", "close date")),
        CsvField("outcome", Kind.OUTCOME, False, ("結果", "受注/失注", "outcome", "status", "won/lost")),
        CsvField(
            "owner_email", Kind.EMAIL, False, ("担当者メール", "担当者", "owner", "owner email", "deal owner")
        ),
        CsvField(
            "company_name",
            Kind.TEXT,
            False,
            ("会社名", "取引先", "取引先名", "company", "company name", "account name"),
        ),
    ),
    ObjectType.CONTACT: (
        CsvField(
            "external_id",
            Kind.TEXT,
            True,
            ("コンタクトID", "リードID", "contact id", "lead id", "id", "record id"),
        ),
        CsvField(
            "email", Kind.EMAIL, False, ("メールアドレス", "メール", "email", "e-mail", "email address")
        ),
        CsvField("last_name", Kind.TEXT, False, ("姓", "last name", "family name")),
        CsvField("first_name", Kind.TEXT, False, ("名", "first name", "given name")),
        CsvField(
            "company_name", Kind.TEXT, False, ("会社名", "取引先", "company", "company name", "account name")
        ),
        CsvField(
            "lifecycle_stage",
            Kind.TEXT,
            False,
            ("ライフサイクルステージ", "ステータス", "lifecycle stage", "lead status"),
        ),
        CsvField(
            "became_lead_at",
            Kind.DATETIME,
            False,
            ("リード獲得日", "リード化日", "became a lead date", "lead date"),
        ),
        CsvField(
            "owner_email",
            Kind.EMAIL,
            False,
            ("担当者メール", "担当者", "owner", "owner email", "contact owner"),
        ),
        CsvField(
            "created_at",
            Kind.DATETIME,
            False,
            ("作成日", "作成日時", "create date", "created", "created date"),
        ),
    ),
    ObjectType.ACTIVITY: (
        CsvField("external_id", Kind.TEXT, True, ("活動ID", "activity id", "id", "record id")),
        CsvField("activity_type", Kind.ACTIVITY_TYPE, True, ("種別", "活動種別", "activity type", "type")),
        CsvField(
            "occurred_at",
            Kind.DATETIME,
            True,
            ("日時", "実施日時", "活動日", "date", "activity date", "timestamp"),
        ),
        CsvField(
            "owner_email",
            Kind.EMAIL,
            False,
            ("担当者メール", "担当者", "owner", "owner email", "assigned to"),
        ),
        CsvField("outcome", Kind.TEXT, False, ("結果", "outcome", "call outcome", "meeting outcome")),
        CsvField("deal_external_id", Kind.TEXT, False, ("案件ID", "商談ID", "deal id", "related deal")),
    ),
}

# A deal's outcome as people write it; anything else is an open deal's stage text and is refused.
OUTCOMES: dict[str, str] = {
    "受注": "won", "成約": "won", "won": "won", "closed won": "won", "closedwon": "won",
    "失注": "lost", "lost": "lost", "closed lost": "lost", "closedlost": "lost",
    "進行中": "open", "商談中": "open", "open": "open", "": "open",
}  # fmt: skip

# Deal stages as people name them in a spreadsheet: a first guess at the funnel stage, which the user confirms
# on the mapping (anything else waits there as "not counted"). Won and lost also close the deal when the file
# has no outcome column.
FUNNEL_STAGE_NAMES: dict[str, str] = {
    "アポ": "appointment", "アポイント": "appointment", "アポ獲得": "appointment", "appointment": "appointment",
    "商談": "meeting", "商談中": "meeting", "面談": "meeting", "meeting": "meeting", "qualified": "meeting",
    "提案": "proposal", "提案中": "proposal", "見積": "proposal", "見積提出": "proposal", "proposal": "proposal",
    "受注": "won", "成約": "won", "won": "won", "closed won": "won", "closedwon": "won",
    "失注": "lost", "lost": "lost", "closed lost": "lost", "closedlost": "lost",
}  # fmt: skip


def funnel_stage_guess(stage: str) -> str | None:
    return FUNNEL_STAGE_NAMES.get(stage.strip().lower())


# Activity types as people write them, to the CRM vocabulary the activity-type mapping reads.
ACTIVITY_TYPES: dict[str, str] = {
    "電話": "call", "架電": "call", "コール": "call", "call": "call", "phone": "call",
    "メール": "email", "eメール": "email", "email": "email", "e-mail": "email",
    "商談": "meeting", "訪問": "meeting", "面談": "meeting", "打ち合わせ": "meeting", "meeting": "meeting",
    "タスク": "task", "task": "task", "todo": "task",
}  # fmt: skip

# Dates as Excel in Japan writes them (strptime accepts months and days without a leading zero).
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")

# A yen amount after NFKC and lower-casing: an optional yen sign (or the backslash Shift_JIS shows as one),
# digits with thousands separators, optional zero decimals, an optional 円 or "jpy".
YEN_PATTERN = r"^(?:¥|\\|jpy)?(?P<number>[+-]?[\d,]+(?:\.\d+)?)(?:円|jpy)?$"

# Written for "no amount" in the CRM exports we have seen: the deal imports with no amount, not an error.
NO_VALUE = frozenset({"", "-", "－", "n/a", "na", "none", "null", "なし", "未定"})
