"""The single error type of the formula engine, with Japanese and English messages."""

import unicodedata
from collections.abc import Mapping
from typing import Any

# Message templates keyed by "code" or "code.detail". Placeholders are filled from the error's params;
# "{label}" is the localised name of an unsupported construct (see _CONSTRUCTS).
_MESSAGES: dict[str, dict[str, str]] = {
    "syntax": {
        "ja": "式の書き方が正しくありません",
        "en": "the formula is not written correctly",
    },
    "syntax.not_text": {
        "ja": "式は文字列で指定してください",
        "en": "the formula must be text",
    },
    "syntax.incomplete": {
        "ja": "式が途中で終わっています",
        "en": "the formula is incomplete",
    },
    "syntax.unclosed": {
        "ja": "括弧 '(' が閉じられていません",
        "en": "parenthesis '(' is never closed",
    },
    "syntax.unopened": {
        "ja": "対応する '(' のない ')' があります",
        "en": "')' has no matching '('",
    },
    "empty": {
        "ja": "式が空です",
        "en": "the formula is empty",
    },
    "too_long": {
        "ja": "式が長すぎます（{length}文字、上限は{limit}文字）",
        "en": "the formula is too long ({length} characters, the limit is {limit})",
    },
    "too_complex": {
        "ja": "式が複雑すぎます（数値・名前・演算の合計は{limit}個まで）",
        "en": "the formula is too complex (at most {limit} numbers, names and operations)",
    },
    "too_deep": {
        "ja": "括弧や関数の入れ子が深すぎます（{limit}段まで）",
        "en": "parentheses and function calls are nested too deeply (at most {limit} levels)",
    },
    "bad_character": {
        "ja": "使用できない文字 {char_display} です",
        "en": "character {char_display} is not allowed",
    },
    "bad_character.fullwidth": {
        "ja": "全角文字 {char_display} は使用できません。半角の '{suggestion}' を使ってください",
        "en": "full-width character {char_display} is not allowed; type '{suggestion}' instead",
    },
    "bad_character.newline": {
        "ja": "式の中で改行はできません",
        "en": "line breaks are not allowed in a formula",
    },
    "bad_character.comment": {
        "ja": "'#' (コメント) は使用できません",
        "en": "'#' (comments) is not allowed",
    },
    "bad_number": {
        "ja": "数値 '{text}' は使用できません"
        "（整数部{max_integer_digits}桁・小数部{max_fraction_digits}桁まで、指数表記や 0x 等は不可）",
        "en": "number '{text}' is not allowed (at most {max_integer_digits} integer and "
        "{max_fraction_digits} decimal digits, no exponents or 0x-style literals)",
    },
    "bad_name": {
        "ja": "名前 '{name}' は使用できません（英小文字で始まり、英小文字・数字・_ のみ、63文字以内）",
        "en": "name '{name}' is not allowed (a lowercase letter followed by lowercase letters, digits "
        "or _, at most 63 characters)",
    },
    "bad_name.function": {
        "ja": "'{name}' は関数です。{name}(…) の形で使ってください",
        "en": "'{name}' is a function; use it as {name}(...)",
    },
    "unknown_name": {
        "ja": "'{name}' という指標はありません",
        "en": "unknown metric '{name}'",
    },
    "unknown_name.in_formula": {
        "ja": "'{formula}' の式にある '{name}' という指標はありません",
        "en": "unknown metric '{name}' in the formula of '{formula}'",
    },
    "unknown_function": {
        "ja": "関数 '{name}' は使用できません（使用できる関数: {allowed}）",
        "en": "function '{name}' is not allowed (available: {allowed})",
    },
    "unsupported.operator": {
        "ja": "使用できない演算子 '{operator}' です",
        "en": "operator '{operator}' is not allowed",
    },
    "unsupported.construct": {
        "ja": "{label}は使用できません",
        "en": "{label} is not allowed",
    },
    "bad_arguments.exact": {
        "ja": "関数 '{function}' の引数は{expected}個です（{given}個指定されています）",
        "en": "function '{function}' takes {expected} argument(s) ({given} given)",
    },
    "bad_arguments.at_least": {
        "ja": "関数 '{function}' の引数は{expected}個以上必要です（{given}個指定されています）",
        "en": "function '{function}' takes at least {expected} arguments ({given} given)",
    },
    "bad_arguments.keyword": {
        "ja": "関数 '{function}' に名前付き引数は使えません",
        "en": "function '{function}' does not accept named arguments",
    },
    "bad_arguments.star": {
        "ja": "関数 '{function}' に * や ** による引数の展開は使えません",
        "en": "function '{function}' does not accept * or ** argument unpacking",
    },
    "bad_arguments.round_places": {
        "ja": "round の桁数は 0〜6 の整数で指定してください",
        "en": "the number of decimal places for round must be a whole number from 0 to 6",
    },
    "division_by_zero": {
        "ja": "0 で割ることはできません",
        "en": "division by zero",
    },
    "cycle": {
        "ja": "循環参照があります: {path}",
        "en": "circular reference: {path}",
    },
}

_CONSTRUCTS: dict[str, dict[str, str]] = {
    "attribute": {"ja": "属性参照 '.'", "en": "attribute access '.'"},
    "subscript": {"ja": "添字 '[...]'", "en": "subscripting '[...]'"},
    "lambda": {"ja": "lambda 式", "en": "a lambda"},
    "comprehension": {"ja": "内包表記", "en": "a comprehension"},
    "string": {"ja": "文字列", "en": "a string"},
    "bytes": {"ja": "バイト列", "en": "a bytes literal"},
    "fstring": {"ja": "f文字列", "en": "an f-string"},
    "constant": {"ja": "定数 '{token}'", "en": "the constant '{token}'"},
    "walrus": {"ja": "代入式 ':='", "en": "the assignment expression ':='"},
    "conditional": {"ja": "条件式 (if/else)", "en": "a conditional expression (if/else)"},
    "tuple": {"ja": "カンマ区切りの値の並び", "en": "a comma-separated list of values"},
    "list": {"ja": "リスト '[...]'", "en": "a list '[...]'"},
    "set_or_dict": {"ja": "集合・辞書 '{{...}}'", "en": "a set or dict '{{...}}'"},
    "await": {"ja": "await", "en": "await"},
    "call": {"ja": "関数以外の呼び出し", "en": "calling something that is not a function"},
    "other": {"ja": "構文 {token}", "en": "the syntax {token}"},
}

_LANGUAGES = ("ja", "en")
_FALLBACK_LANGUAGE = "en"


def _language(lang: str) -> str:
    base = lang.replace("_", "-").split("-", 1)[0].lower()
    return base if base in _LANGUAGES else _FALLBACK_LANGUAGE


class _Params(dict[str, Any]):
    """Template values; a placeholder without a value renders as "?" instead of failing the message."""

    def __missing__(self, key: str) -> str:
        return "?"


def _display_character(char: str, codepoint: str) -> str:
    # Control, format and separator characters (null bytes, bidi overrides, odd spaces) are shown only
    # by code point so that the message itself cannot be garbled by them.
    if len(char) == 1 and unicodedata.category(char)[0] not in "CZ":
        return f"'{char}' ({codepoint})"
    return codepoint


class FormulaError(Exception):
    """A formula was rejected (at parse, validation or dependency analysis time).

    ``code`` is a stable machine code for API clients and tests, ``column`` the 1-based character
    position in the formula text when one is known, ``params`` JSON-serialisable details used by the
    message, and ``detail`` selects a more specific wording of the same code.
    """

    def __init__(
        self,
        code: str,
        *,
        column: int | None = None,
        params: Mapping[str, Any] | None = None,
        detail: str | None = None,
    ) -> None:
        self.code = code
        self.column = column
        self.params: dict[str, Any] = dict(params or {})
        self.detail = detail
        super().__init__(code, column, self.params)

    def message(self, lang: str = "ja") -> str:
        lang = _language(lang)
        templates = _MESSAGES.get(f"{self.code}.{self.detail}") or _MESSAGES.get(self.code)
        body = self.code if templates is None else templates[lang].format_map(self._format_params(lang))
        if self.column is None:
            return body
        if lang == "ja":
            return f"{self.column}文字目: {body}"
        return f"column {self.column}: {body}"

    def to_dict(self, lang: str = "ja") -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message(lang),
            "column": self.column,
            "params": dict(self.params),
        }

    def __str__(self) -> str:
        return self.message("en")

    def __repr__(self) -> str:
        return f"FormulaError(code={self.code!r}, column={self.column!r}, params={self.params!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # The keyword-only constructor would defeat the default pickling of exceptions (Celery, xdist).
        return (self.__class__, (self.code,), self.__dict__)

    def _format_params(self, lang: str) -> "_Params":
        values = _Params()
        for key, value in self.params.items():
            if isinstance(value, list | tuple):
                separator = (" → " if lang == "ja" else " -> ") if key == "path" else ", "
                value = separator.join(str(item) for item in value)
            values[key] = value
        if "codepoint" in self.params:
            values["char_display"] = _display_character(self.params.get("char", ""), self.params["codepoint"])
        construct = self.params.get("construct")
        if construct is not None:
            label = _CONSTRUCTS.get(construct, _CONSTRUCTS["other"])[lang]
            values["label"] = label.format(token=self.params.get("token", construct))
        return values
