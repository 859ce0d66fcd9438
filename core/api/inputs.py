"""Reading a request's input: bodies through serializers, list filters from the query string.

List filters belong in a view's ``filter_queryset``, which DRF applies to lists only (the scoped
``get_object`` never calls it), so a filter in the query string can never hide the object a detail route or
an action is working on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID

from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from core.messages import active_language, message_render


def validated(
    serializer_class: type[serializers.Serializer], view: Any, data: Any, **kwargs: Any
) -> dict[str, Any]:
    """``data`` checked by ``serializer_class`` with the view in context (WorkspaceRelatedField needs it)."""
    serializer = serializer_class(data=data, context={"view": view, "request": view.request}, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def query_filter(
    queryset: Any,
    request: Any,
    *,
    uuid: tuple[str, ...] = (),
    text: tuple[str, ...] = (),
    choices: Mapping[str, Iterable[str]] | None = None,
    lookups: Mapping[str, str] | None = None,
) -> Any:
    """Exact-match filters from the query string; a malformed id, an unknown choice or a NUL byte (which
    PostgreSQL refuses in text) is a 400, not a 500. ``lookups`` maps a parameter to another field
    (``{"metric": "metric__key"}``)."""
    choices = choices or {}
    lookups = lookups or {}
    for name in (*uuid, *text, *choices):
        value = request.query_params.get(name)
        if value is None:
            continue
        if "\x00" in value:
            raise ValidationError({name: [message_render("input.forbidden_character")]})
        if name in uuid:
            try:
                value = str(UUID(value))
            except ValueError as exc:
                raise ValidationError({name: [message_render("input.invalid_id")]}) from exc
            queryset = queryset.filter(**{f"{name}_id": value})
            continue
        allowed = list(choices.get(name, ()))
        if name in choices and value not in allowed:
            raise ValidationError({name: [message_render("input.unknown_choice", {"allowed": allowed})]})
        queryset = queryset.filter(**{lookups.get(name, name): value})
    return queryset


def query_flag(request: Any, name: str) -> bool:
    """A yes/no switch from the query string (``1``/``true``/``yes`` or ``0``/``false``/``no``; absent is
    no); anything else is a 400 naming the parameter."""
    value = request.query_params.get(name)
    if value is None:
        return False
    try:
        return serializers.BooleanField().to_internal_value(value)
    except ValidationError as exc:
        raise ValidationError({name: exc.detail}) from exc


class LanguageQuerySerializer(serializers.Serializer):
    lang = serializers.ChoiceField(choices=["ja", "en"], required=False, default=None, allow_null=True)


def document_language(view: Any) -> str:
    """The language of an exported document: ``?lang=ja|en`` (a 400 otherwise), else the request's."""
    return (
        validated(LanguageQuerySerializer, view, view.request.query_params.dict())["lang"]
        or active_language()
    )
