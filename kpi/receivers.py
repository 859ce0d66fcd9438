"""The KPI engine's answer to control-plane signals."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from kpi.models import KpiNode
from tenants.signals import membership_deactivated


@receiver(membership_deactivated, dispatch_uid="kpi_release_owner")
def kpi_owner_release(sender: Any, membership: Any, **kwargs: Any) -> None:
    """A removed member owns no KPI any more (the plan check then asks for a new owner); the actuals they
    recorded keep their name."""
    KpiNode.objects.filter(owner=membership).update(owner=None)
