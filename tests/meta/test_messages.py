"""Meta-tests of the one message layer (core.messages) and the translation catalogues.

System text is a code with parameters until the edge renders it; Japanese lives in the locale files. So,
outside models, migrations, the catalogues' data and the demo's seed content, the code holds no ``*_ja`` /
``*_en`` identifiers (but the user-content fields of models) and no Japanese string literals.

``MESSAGE_DEBT`` lists the modules not yet moved to the message layer, with how many offences each still has;
it may only shrink: a module not in it must be clean, and a listed one may not grow.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.conf import settings

from core.management.commands.compile_catalogues import catalogue_dirs
from core.messages import Message, message_codes, message_template

ROOT = Path(settings.BASE_DIR)
SOURCE_PACKAGES = ("core", "tenants", "kpi", "checklist", "integrations", "config")
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff01-\uff60]")
SUFFIXED = re.compile(r"\w+_(ja|en)$")

# Data, not code: the catalogues' content and the models' user-content fields.
EXEMPT = (
    re.compile(r"(^|/)migrations/"),
    re.compile(r"(^|/)models\.py$"),
    re.compile(r"^kpi/catalog\.py$"),
    re.compile(r"^checklist/checklists/catalog\.py$"),
    re.compile(r"^checklist/decisions/criteria\.py$"),
    re.compile(r"^integrations/csv_import/fields\.py$"),  # the headers and words people write in CSV files
    re.compile(r"(^|/)demo\.py$"),
    # The OpenAPI examples: sample requests and answers of a Japanese client (user content, not system text).
    re.compile(r"^kpi/api/examples\.py$"),
)

# Offences per module still to move (``_ja``/``_en`` identifiers + Japanese literals + localized() calls).
MESSAGE_DEBT: dict[str, int] = {}


def _user_content_fields() -> set[str]:
    return {
        field.name
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if SUFFIXED.match(field.name)
    }


def _docstring_nodes(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def module_offences(path: Path, allowed_names: set[str]) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = _docstring_nodes(tree)
    found: list[str] = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Name):
            names = [node.id]
        elif isinstance(node, ast.Attribute):
            names = [node.attr]
        elif isinstance(node, ast.arg) or (isinstance(node, ast.keyword) and node.arg):
            names = [node.arg]
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names = [node.name]
        for name in names:
            if SUFFIXED.match(name) and name not in allowed_names:
                found.append(f"{path}:{getattr(node, 'lineno', '?')}: identifier {name}")
            if name == "localized":
                found.append(f"{path}:{getattr(node, 'lineno', '?')}: localized()")
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            and JAPANESE.search(node.value)
        ):
            found.append(f"{path}:{node.lineno}: Japanese literal {node.value[:20]!r}")
    return found


def _source_modules() -> list[Path]:
    paths = []
    for package in SOURCE_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if not any(rule.search(relative) for rule in EXEMPT):
                paths.append(path)
    return paths


def test_system_text_goes_through_the_message_layer() -> None:
    allowed = _user_content_fields()
    counts: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for path in _source_modules():
        relative = path.relative_to(ROOT).as_posix()
        offences = module_offences(path, allowed)
        if offences:
            counts[relative] = len(offences)
            examples[relative] = offences[0]
    grown = {m: (n, examples[m]) for m, n in counts.items() if n > MESSAGE_DEBT.get(m, 0)}
    assert not grown, f"system text outside the message layer (module: count, first): {grown}"


def test_message_debt_only_shrinks() -> None:
    """A module paid off leaves the list, so the list always says what is left."""
    allowed = _user_content_fields()
    stale = {}
    for relative, recorded in MESSAGE_DEBT.items():
        path = ROOT / relative
        now = len(module_offences(path, allowed)) if path.exists() else 0
        if now < recorded:
            stale[relative] = (recorded, now)
    assert not stale, f"lower these MESSAGE_DEBT entries (recorded, now): {stale}"


def test_the_meta_test_catches_what_it_forbids(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        'def f(label_ja: str, name_ja: str) -> str:\n    """説明は許される。"""\n'
        '    return localized("受注", "won")\n',
        encoding="utf-8",
    )
    offences = [o.split(": ", 1)[1] for o in module_offences(sample, allowed_names={"name_ja"})]
    assert sorted(offences) == sorted(["identifier label_ja", "localized()", "Japanese literal '受注'"])


def test_every_registered_code_renders_in_both_languages() -> None:
    from django.utils import translation

    for code in sorted(message_codes()):
        for language in ("ja", "en"):
            with translation.override(language):
                text = str(message_template(code)) % _EveryPlaceholder()
            assert text.strip() and "%(" not in text, (code, language, text)


class _EveryPlaceholder(dict):
    """Fills any ``%(name)s``, so each template's placeholders are checked without knowing them."""

    def __missing__(self, key: str) -> str:
        return f"<{key}>"


def test_message_params_answer_as_json() -> None:
    import datetime as dt
    from decimal import Decimal

    message = Message("input.unknown_choice", {"allowed": ["a", "b"], "at": dt.date(2026, 4, 1),
                                               "value": Decimal("1.50")})  # fmt: skip
    body = message.as_json()
    assert body["code"] == "input.unknown_choice"
    assert body["params"] == {"allowed": ["a", "b"], "at": "2026-04-01", "value": "1.50"}
    assert "a, b" in body["message"]


@pytest.mark.parametrize("locale_dir", catalogue_dirs(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_compiled_catalogues_match_their_sources(locale_dir: Path) -> None:
    """A .po edited without ``make messages`` would ship stale translations."""
    for po_path in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        assert mo_path.exists(), f"{mo_path} missing: run make messages"
        source = {(e.msgctxt, e.msgid): e.msgstr for e in polib.pofile(str(po_path)) if e.translated()}
        compiled = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(mo_path)) if e.msgid}
        assert source == compiled, f"{mo_path} is stale: run make messages"
        if po_path.parts[-3] == "ja":  # Japanese first: nothing may fall back to the English source
            assert not polib.pofile(str(po_path)).untranslated_entries(), (
                f"{po_path} has untranslated entries"
            )


def test_every_template_text_has_its_japanese() -> None:
    """A ``{% translate %}`` whose text never reached a catalogue shows English on a Japanese page (found on the
    OAuth result page's heading): the catalogues' own check cannot see a string that was never extracted."""
    import re

    from django.utils import translation

    pattern = re.compile(
        r"""{%\s*translate\s+(["'])(.+?)\1(?:\s+context\s+(["'])(.+?)\3)?\s*(?:as\s+\w+\s*)?%}"""
    )
    missing = []
    for path in sorted(ROOT.glob("**/templates/**/*.html")):
        if ".venv" in path.parts:
            continue
        for match in pattern.finditer(path.read_text(encoding="utf-8")):
            text, context = match.group(2), match.group(4)
            with translation.override("ja"):
                shown = translation.pgettext(context, text) if context else translation.gettext(text)
            if shown == text and re.search(r"[A-Za-z]", text):
                missing.append(f"{path.relative_to(ROOT)}: {text}")
    assert not missing, missing
