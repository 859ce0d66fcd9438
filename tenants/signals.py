"""Signals of the control plane that the tenant-plane apps answer (the control plane imports none of them)."""

from django.dispatch import Signal

# Sent inside the workspace's context and the deactivating transaction, with ``membership``: each app
# releases what the member was responsible for from now on and keeps what records their history.
membership_deactivated = Signal()
