"""Message codes of the shared plumbing (request input and the API's own errors)."""

from django.utils.translation import gettext_lazy as _

from core.messages import messages_register

MESSAGES = {
    "input.forbidden_character": _("Contains a forbidden character."),
    "input.invalid_id": _("Not a valid id."),
    "input.unknown_choice": _("Unknown value. (%(allowed)s)"),
    "input.too_deep": _("The body nests deeper than %(limit)s levels."),
    "input.body_too_large": _("The request body is too large."),
    "input.bad_path": _("The address contains a forbidden character."),
}

messages_register(MESSAGES)
