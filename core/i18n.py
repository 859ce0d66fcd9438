"""The pure modules carry Japanese and English texts side by side; pick the one for the active language."""

from django.utils import translation


def current_language() -> str:
    return "en" if (translation.get_language() or "ja").startswith("en") else "ja"


def localized(ja: str, en: str) -> str:
    return en if current_language() == "en" else ja
