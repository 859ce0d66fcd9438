"""Message codes of the shared plumbing (request input and the API's own errors)."""

from django.utils.translation import gettext_lazy as _

from core.messages import messages_register

MESSAGES = {
    "input.forbidden_character": _("Contains a forbidden character."),
    "input.invalid_id": _("Not a valid id."),
    "input.unknown_choice": _("Unknown value. (%(allowed)s)"),
}

messages_register(MESSAGES)
