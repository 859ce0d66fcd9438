"""The integrations part of the two-workspace world: a HubSpot connection per workspace with stored
credentials, a finished sync run and sync state, and one canonical record of each kind (the owner matched
to the side's manager)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from integrations import services
from integrations.models import (
    CrmActivity,
    CrmCompany,
    CrmContact,
    CrmDeal,
    CrmOwner,
    CsvColumnMapping,
    MetricRuleOverride,
    SyncRun,
    SyncState,
)
from kpi.models import Metric
from tenants.context import workspace_context
from tenants.services import Actor

WHEN = dt.datetime(2026, 5, 7, 16, 30, tzinfo=dt.UTC)


def token_of(side: Any) -> str:
    """The side's stored access token: it must never appear in any answer."""
    return f"pat-secret-{side.workspace.name.replace(' ', '-')}"


def seed(side: Any) -> None:
    actor = Actor.of(side.principal("admin"))
    name = side.workspace.name
    with workspace_context(side.workspace.id):
        connection = services.connection_create(
            actor=actor, provider="hubspot", display_name=f"HubSpot {name}", external_account_id="4242",
            credentials={"private_app_token": token_of(side)},
        )  # fmt: skip
        SyncState.objects.create(connection=connection, object_type="deals", cursor_ts=WHEN)
        run = SyncRun.objects.create(connection=connection, trigger="schedule", started_at=WHEN,
                                     finished_at=WHEN + dt.timedelta(minutes=2), status="succeeded",
                                     fetched_count=4, created_count=4)  # fmt: skip
        manager = side.memberships["manager"]
        owner = CrmOwner.objects.create(connection=connection, external_id="101", email=manager.user.email,
                                        first_name="Taro", last_name=name, modstamp=WHEN)  # fmt: skip
        unmatched = CrmOwner.objects.create(connection=connection, external_id="102", email="nobody@example.jp",
                                            modstamp=WHEN)  # fmt: skip
        services.crm_owner_match_run(connection=connection)
        company = CrmCompany.objects.create(connection=connection, external_id="201", name=f"Client of {name}",
                                            modstamp=WHEN)  # fmt: skip
        contact = CrmContact.objects.create(connection=connection, external_id="301", company=company, owner=owner,
                                            lifecycle_stage="lead", is_lead=True, became_lead_at=WHEN,
                                            modstamp=WHEN)  # fmt: skip
        deal = CrmDeal.objects.create(connection=connection, external_id="401", name=f"Deal {name}", owner=owner,
                                      company=company, pipeline="default", stage="closedwon", funnel_stage="won",
                                      amount=Decimal(1_200_000), currency="JPY", is_closed=True, is_won=True,
                                      close_date=dt.date(2026, 5, 8), won_date=dt.date(2026, 5, 8),
                                      modstamp=WHEN)  # fmt: skip
        activity = CrmActivity.objects.create(connection=connection, external_id="501", raw_type="calls",
                                              activity_type="call", occurred_at=WHEN, owner=owner, deal=deal,
                                              contact=contact, modstamp=WHEN)  # fmt: skip
        # A metric of this workspace's own, fed by a rule of its own (the metric key carries the side's name).
        metric = Metric.objects.create(key="tasks_" + re.sub(r"\W", "_", name.lower()), name_ja="タスク完了数",
                                       name_en="Tasks done", unit="count")  # fmt: skip
        # Written directly: the service would recompute the world's actuals from its canonical records.
        MetricRuleOverride.objects.create(metric_key=metric.key, event="activity", activity_type="task",
                                          completed_only=True)  # fmt: skip
        # A CSV connection with the column mapping confirmed for its last file of deals.
        csv_connection = services.connection_create(actor=actor, provider="csv", display_name=f"CSV {name}")
        csv_mapping = CsvColumnMapping.objects.create(
            connection=csv_connection, object_type="deals", columns={"external_id": "案件ID", "stage": "フェーズ"},
            updated_by=side.memberships["admin"].user,
        )  # fmt: skip
    side.extra.update(csv_connection=csv_connection, csv_mapping=csv_mapping)
    side.extra.update(connection=connection, metric_rule_metric=metric, sync_run=run, crm_owner=owner, crm_owner_unmatched=unmatched,
                      crm_company=company, crm_contact=contact, crm_deal=deal, crm_activity=activity,
                      credential_token=token_of(side))  # fmt: skip
