"""The engagement delivery's answer to control-plane signals."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from checklist.checklists.catalog import ItemStatus
from checklist.checklists.models import ChecklistItem
from checklist.reviews.models import ActionPlan, CalendarFeedToken, ReviewCadenceAttendee
from tenants.signals import membership_deactivated


@receiver(membership_deactivated, dispatch_uid="checklist_release_member")
def checklist_member_release(sender: Any, membership: Any, **kwargs: Any) -> None:
    """A removed member no longer owns open items or action plans, attends meetings or keeps the calendar
    secret they issued; done items, closed plans and recorded decisions keep their name."""
    ChecklistItem.objects.filter(owner=membership).exclude(status=ItemStatus.DONE).update(owner=None)
    ActionPlan.objects.filter(owner=membership, status__in=ActionPlan.OPEN_STATUSES).update(owner=None)
    ReviewCadenceAttendee.objects.filter(membership=membership).delete()
    CalendarFeedToken.objects.filter(issued_by=membership).delete()
