"""The OpenAPI schema's one error component and the refusals every operation documents.

Every 4xx the API answers has the body of :mod:`core.api.errors` (``{"error": {"code", "params", "message",
"fields"}}``). It is published once, as the ``Error`` component, and :class:`AutoSchema` (the project's
``DEFAULT_SCHEMA_CLASS``) attaches it to every operation for the refusals that operation can give, so no view
repeats them and a new view cannot forget them:

- 400, 401, 403, 404 and 429 on every operation (a NUL byte in any query is refused with 400 by
  ``core.middleware``; an invalid cursor, an unknown workspace or one that is not the caller's is a 404;
  every principal is throttled);
- 409 on every operation that writes: a uniqueness check can lose a race to a concurrent request, and some
  rules refuse a change as a conflict (``core.errors.ConflictError``). Views that take a body but change
  nothing (the calculators) say so with ``writes = False``.

A view may still document a refusal of its own with ``responses=``; that entry wins. Request bodies whose
serializer refuses unknown fields (``unknown_fields_refused``) are documented with ``additionalProperties:
false``, so a client generated from the schema never sends a field the API would refuse.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

ERROR_MEDIA_TYPES = ("application/json",)
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="A stable machine code (for example `invalid`, `not_found`).")
    params = serializers.DictField(help_text="The code's parameters, for clients that word it themselves.")
    message = serializers.CharField(help_text="The code's text in the request's language.")
    fields = serializers.DictField(
        help_text="Per input field (nested as the input is), the list of what is wrong with it; "
        "empty when the refusal is not about a field."
    )


class ErrorSerializer(serializers.Serializer):
    """The API's one error body."""

    error = ErrorDetailSerializer()


ERRORS: dict[int, str] = {
    400: "The request is invalid: `error.fields` says which input and why.",
    401: "No valid session or API key.",
    403: "The caller may not do this in this workspace (role or API key scope).",
    404: "Not found, or not yours: an unknown workspace and another's answer alike.",
    409: "Conflict: the data changed at the same time, or the current state refuses the change.",
    429: "Too many requests: slow down and retry later.",
}


def error_response(status_code: int) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=ERRORS[status_code])


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema with the refusals of :data:`ERRORS` added to every operation."""

    def _map_basic_serializer(self, serializer: Any, direction: Any) -> dict[str, Any]:
        """A request body whose serializer refuses unknown fields is documented as closed."""
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "request" and getattr(serializer, "unknown_fields_refused", False):
            schema["additionalProperties"] = False
        return schema

    def error_status_codes(self) -> list[int]:
        codes = [400, 401, 403, 404, 429]
        if self.method in UNSAFE_METHODS and getattr(self.view, "writes", True):
            codes.append(409)
        return sorted(codes)

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        for status_code in self.error_status_codes():
            key = str(status_code)
            if key not in responses:
                responses[key] = self._get_response_for_code(
                    error_response(status_code), key, ERROR_MEDIA_TYPES, direction
                )
        return dict(sorted(responses.items()))
