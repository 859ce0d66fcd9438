"""Renderers for the documents the API exports (Markdown and CSV), so content negotiation accepts them."""

from __future__ import annotations

from typing import Any

from rest_framework.renderers import BaseRenderer


class _TextRenderer(BaseRenderer):
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        return data.encode(self.charset) if isinstance(data, str) else str(data).encode(self.charset)


class MarkdownRenderer(_TextRenderer):
    media_type = "text/markdown"
    format = "md"


class CsvRenderer(_TextRenderer):
    media_type = "text/csv"
    format = "csv"
