from rest_framework.pagination import CursorPagination


class CreatedCursorPagination(CursorPagination):
    """Stable pages over lists that grow: newest first, opaque cursors, no COUNT(*)."""

    ordering = ("-created_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = 200


class ApiKeyCursorPagination(CreatedCursorPagination):
    ordering = ("-created", "-id")


class PeriodCursorPagination(CreatedCursorPagination):
    """Periods read in calendar order."""

    ordering = ("period_start", "id")
