"""Which base metrics another app writes automatically (a CRM sync), without the KPI engine importing it.

An app registers a function answering the fed metric keys of the workspace in context; typed and partner-API
actuals on those metrics are refused by :func:`kpi.services.actual_record`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

_providers: list[Callable[[], Collection[str]]] = []


def fed_metrics_provider_register(provider: Callable[[], Collection[str]]) -> None:
    if provider not in _providers:
        _providers.append(provider)


def metrics_fed() -> set[str]:
    """The metric keys of the workspace in context that some feed writes."""
    return {key for provider in _providers for key in provider()}
