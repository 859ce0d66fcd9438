from __future__ import annotations

from decimal import Decimal

import pytest

from kpi.units import value_display, value_format, value_is_ratio


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        ("100000000.0000", "jpy", "100000000"),
        ("1388888.8889", "jpy", "1388889"),  # whole yen, half up
        ("14.0000", "count", "14"),
        ("2.5000", "count", "2.5"),
        ("33.333333", "percent", "33.33"),
        ("25", "percent", "25"),
        ("0", "jpy", "0"),
    ],
)
def test_values_are_shown_for_their_unit(value: str, unit: str, shown: str) -> None:
    assert value_format(Decimal(value), unit) == shown


def test_undefined_stays_undefined() -> None:
    assert value_format(None, "percent") is None
    assert value_display(None, "jpy", "ja") == "—"


def test_display_for_people() -> None:
    assert value_display(Decimal(5_000_000), "jpy", "ja") == "5,000,000円"
    assert value_display(Decimal(5_000_000), "jpy", "en") == "JPY 5,000,000"
    assert value_display(Decimal("33.3333"), "percent", "en") == "33.33%"
    assert value_display(Decimal(1234), "count", "ja") == "1,234件"


def test_ratios_are_rates_and_per_unit_amounts() -> None:
    assert value_is_ratio("percent", "wins / meetings * 100")
    assert value_is_ratio("jpy", "won_amount / wins")
    assert not value_is_ratio("jpy", "won_amount")
    assert not value_is_ratio("count", "appointments + calls")
