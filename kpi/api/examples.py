"""The OpenAPI examples of the KPI API: sample requests and answers, data rather than code.

They show what a Japanese client's data looks like (names such as 「受注率」 are user content), so this module
is exempt from the message layer's meta-test (tests/meta/test_messages.py) as the catalogues' data is.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample

METRIC_CREATE = [
    OpenApiExample(
        "Ad spend",
        value={"key": "ad_spend", "name_ja": "広告費", "name_en": "Ad spend", "unit": "jpy"},
        request_only=True,
    )
]

PLAN_CREATE = [
    OpenApiExample("FY2026", value={"fiscal_year": 2026, "name": "FY2026 売上1億円計画"}, request_only=True)
]

PLAN_STATUS = [
    OpenApiExample(
        "Win rate behind",
        response_only=True,
        value={
            "as_of": "2026-05-20",
            "period_kind": "month",
            "owner": None,
            "thresholds": {"on_track_at": "0.90", "at_risk_at": "0.70"},
            "nodes": [
                {
                    "node": "0196f3a2-5c4e-7d1a-9b2f-3e8c1a7d4b60",
                    "key": "win_rate",
                    "kind": "kpi",
                    "name": "受注率",
                    "unit": "percent",
                    "direction": "higher_is_better",
                    "status": "behind",
                    "status_label": "遅れ",
                    "period_start": "2026-05-01",
                    "period_end": "2026-05-31",
                    "target": "25",
                    "expected": "25",
                    "actual": "12.5",
                    "attainment_pct": "50",
                    "message": "受注率: 実績 12.5 / 想定 25（遅れ）",
                }
            ],
        },
    )
]

NODE_CREATE = [
    OpenApiExample(
        "Win rate",
        request_only=True,
        value={
            "plan": "0196f3a2-5c4e-7d1a-9b2f-3e8c1a7d4b61",
            "parent": "0196f3a2-5c4e-7d1a-9b2f-3e8c1a7d4b62",
            "kind": "kpi",
            "key": "win_rate",
            "name_ja": "受注率",
            "formula": "wins / meetings * 100",
            "unit": "percent",
            "indicator": "lagging",
            "target_value": "25",
        },
    )
]

NODE_CASCADE = [
    OpenApiExample("By working days", value={"mode": "working_days"}, request_only=True),
    OpenApiExample(
        "By the consultant's weights",
        value={"mode": "weights", "weights": ["1", "1", "1", "1", "1", "2", "1", "1", "1", "1", "1", "2"]},
        request_only=True,
    ),
]

ACTUAL_CREATE = [
    OpenApiExample(
        "Meetings held today",
        value={"metric": "meetings", "date": "2026-05-07", "value": "4"},
        request_only=True,
    )
]

FORMULA_VALIDATE = [
    OpenApiExample("Win rate", value={"formula": "wins / meetings * 100"}, request_only=True),
    OpenApiExample("Valid", response_only=True, value={"valid": True, "references": ["meetings", "wins"]}),
    OpenApiExample(
        "Refused: incomplete",
        response_only=True,
        value={
            "valid": False,
            "error": {
                "code": "syntax",
                "message": "11文字目: 式が途中で終わっています",
                "column": 11,
                "params": {},
            },
        },
    ),
]

REVERSE_CALCULATE_SUMMARY = "Reverse-calculate the funnel from the KGI (逆算)"

REVERSE_CALCULATE = [
    OpenApiExample(
        "Seed 004",
        request_only=True,
        value={
            "kgi_target": "100000000",
            "avg_deal_size": "5000000",
            "stages": [
                {"from_key": "meetings", "rate_key": "win_rate", "rate": "25", "to_key": "wins"},
                {"from_key": "appointments", "rate_key": "meeting_rate", "rate": "50", "to_key": "meetings"},
            ],
        },
    )
]

SOLVE = [
    OpenApiExample(
        "Seed 000",
        request_only=True,
        value={"revenue": "100000000", "top_volume": "1200", "rates": ["30", "20"], "avg_deal_size": None},
    )
]
