"""A sync feeds the daily actuals of exactly the days its pages touched, through the real engine and fake HubSpot."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from kpi.models import MetricActual
from tests.integrations.sync.conftest import HubSpotSync

pytestmark = pytest.mark.django_db


def _crm_cells(days: list[dt.date]) -> dict[tuple[str, dt.date, Any], Decimal]:
    rows = MetricActual.objects.filter(source="crm", date__in=days).select_related("metric")
    return {(a.metric.key, a.date, a.owner_id): a.value for a in rows}


def test_a_synced_page_feeds_the_days_it_touched(hubspot_sync: HubSpotSync) -> None:
    s = hubspot_sync
    rep, manager = s.side.memberships["sales_rep"], s.side.memberships["manager"]
    s.fake.add_owner(id="901", email=rep.user.email, firstName="Ichiro", lastName="Suzuki")
    deal = s.fake.add("deals", {"dealname": "C社", "dealstage": "closedwon", "pipeline": "default",
                                "amount": "1500000", "closedate": "2026-05-07T16:30:00Z",
                                "hubspot_owner_id": "901"})  # fmt: skip
    lead = s.fake.add(
        "contacts", {"email": "k@example.jp", "lifecyclestage": "lead", "hubspot_owner_id": "901"}
    )
    twin = s.fake.add(
        "contacts", {"email": "k2@example.jp", "lifecyclestage": "lead", "hubspot_owner_id": "901"}
    )
    s.fake.add("calls", {"hs_timestamp": "2026-05-31T23:00:00Z", "hubspot_owner_id": "901"})
    s.later(minutes=10)
    assert s.run().status == "succeeded"

    may8 = _crm_cells([dt.date(2026, 5, 8)])
    # 16:30Z on 7 May is 8 May in Tokyo; the world's own deal won that day for the manager counts beside it.
    assert may8[("wins", dt.date(2026, 5, 8), rep.id)] == 1
    assert may8[("won_amount", dt.date(2026, 5, 8), rep.id)] == Decimal(1_500_000)
    assert may8[("wins", dt.date(2026, 5, 8), manager.id)] == 1
    # Won with no stage history: every funnel stage was reached on the close date.
    assert may8[("appointments", dt.date(2026, 5, 8), rep.id)] == 1
    assert may8[("proposals", dt.date(2026, 5, 8), rep.id)] == 1
    june1 = _crm_cells([dt.date(2026, 6, 1)])
    assert june1[("calls", dt.date(2026, 6, 1), rep.id)] == 1  # 23:00Z on 31 May
    assert june1[("leads", dt.date(2026, 6, 1), rep.id)] == 2

    s.fake.update("deals", deal.id, amount="2000000")
    s.fake.merge("contacts", twin.id, lead.id)
    s.later(minutes=10)
    assert s.run().status == "succeeded"
    assert _crm_cells([dt.date(2026, 5, 8)])[("won_amount", dt.date(2026, 5, 8), rep.id)] == Decimal(
        2_000_000
    )
    assert _crm_cells([dt.date(2026, 6, 1)])[("leads", dt.date(2026, 6, 1), rep.id)] == 1  # each person once

    s.fake.archive("deals", deal.id)
    s.later(minutes=10)
    assert s.run().status == "succeeded"
    may8 = _crm_cells([dt.date(2026, 5, 8)])
    assert ("wins", dt.date(2026, 5, 8), rep.id) not in may8
    assert may8[("wins", dt.date(2026, 5, 8), manager.id)] == 1  # another connection's record is untouched
