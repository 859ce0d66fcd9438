"""The one error of the scoring modules: invalid matrix or signal input, as a code with parameters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from checklist.decisions.scoring.params import OptionName
from core.messages import Message

__all__ = ["ScoringError"]


class ScoringError(ValueError):
    """Invalid matrix or signal input. ``code`` (``checklist.decisions.*``) is stable; ``params`` fill its
    message, which names the option and criterion; ``option`` and ``criterion`` are the keys concerned."""

    def __init__(
        self,
        code: str,
        params: Mapping[str, Any] | None = None,
        *,
        option: str | None = None,
        criterion: str | None = None,
    ) -> None:
        super().__init__(code)
        self.code = code
        self.params = dict(params or {})
        self.option = option
        self.criterion = criterion

    @property
    def message(self) -> Message:
        return Message(self.code, self.params)

    def named(self, names: Mapping[str, str]) -> ScoringError:
        """The same error with its options shown by ``names`` (scoring knows options only by key)."""
        params = {
            key: replace(value, names=names) if isinstance(value, OptionName) else value
            for key, value in self.params.items()
        }
        return ScoringError(self.code, params, option=self.option, criterion=self.criterion)
