"""Renderers for the documents the API exports (Markdown and CSV), so content negotiation accepts them."""

from __future__ import annotations

from typing import Any

from rest_framework.renderers import BaseRenderer, JSONRenderer


class TextDocumentRenderer(BaseRenderer):
    """A document the view builds itself (str or bytes); an error body is answered as JSON instead."""

    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        if isinstance(data, bytes):
            return data
        if isinstance(data, str):
            return data.encode(self.charset)
        # Not the document but an error body: answer in the API's JSON error format, labelled as JSON.
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return JSONRenderer().render(data)


class MarkdownRenderer(TextDocumentRenderer):
    media_type = "text/markdown"
    format = "md"


class CsvRenderer(TextDocumentRenderer):
    media_type = "text/csv"
    format = "csv"
