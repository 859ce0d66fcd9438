"""The decision matrix as a Markdown report for the client, in Japanese or English.

The report is the Django template ``checklist/decisions/matrix.md`` (autoescape off: it is Markdown, not
HTML), rendered in the requested language; its labels are gettext msgids there, its sentences the
catalogue's messages. This module computes what goes in it (no ORM) and escapes every table cell: a ``|``
or a line break in a name or a rationale must not break the table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from django.template.loader import render_to_string
from django.utils import translation

from checklist.decisions.criteria import CRITERIA_BY_KEY, Lang, OptionKind, criterion_name
from checklist.decisions.scoring.matrix import MatrixResult, share
from checklist.decisions.scoring.params import Listing, Number, OptionName, format_number
from checklist.decisions.scoring.recommendation import final_recommendation
from checklist.decisions.scoring.signals import SIGNALS, SignalsResult
from checklist.decisions.scoring.stability import stability, stability_sentence
from core.messages import Message

__all__ = ["TEMPLATE", "RecordedDecision", "matrix_markdown"]

TEMPLATE = "checklist/decisions/matrix.md"
_TOKYO = ZoneInfo("Asia/Tokyo")


@dataclass(frozen=True)
class RecordedDecision:
    """The final decision as recorded in the workspace (who, when, why)."""

    option: str
    decided_by: str
    decided_at: datetime
    reason: str


def cell(text: object) -> str:
    """A Markdown table cell: backslashes and pipes escaped, line breaks as <br>."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\r\n", "\n").replace("\n", "<br>")


def _cells(values: Iterable[object]) -> list[str]:
    return [cell(v) for v in values]


def _recommendation(result: MatrixResult, names: Mapping[str, str] | None) -> Message:
    if result.recommendation is None:
        tied = Listing(
            tuple(OptionName(o, names) for o in result.tied),
            join="checklist.decisions.join.comma",
            quoted=True,
        )
        return Message("checklist.decisions.export.tie", {"options": tied})
    leader = OptionName(result.recommendation, names)
    if result.margin is None:
        return Message("checklist.decisions.export.recommend_only", {"option": leader})
    return Message(
        "checklist.decisions.export.recommend",
        {
            "option": leader,
            "runner_up": OptionName(result.ranking[1], names),
            "margin": Number(result.margin),
            "margin_normalised": result.margin_normalised,
        },
    )


def _context(
    result: MatrixResult,
    *,
    lang: Lang,
    names: Mapping[str, str] | None,
    rationales: Mapping[str, Mapping[str, str]] | None,
    signals: SignalsResult | None,
    option_kinds: Mapping[str, OptionKind | str] | None,
    decision: RecordedDecision | None,
    tz: tzinfo,
) -> dict[str, Any]:
    """What the template shows, in the active language (``lang``); every table cell already escaped."""

    def name(key: str) -> str:
        return OptionName(key, names).display()

    options = list(result.scores)  # input order for the score columns
    by_key = {o.key: o for o in result.options}
    criteria = []
    for key in result.criteria:
        known = CRITERIA_BY_KEY.get(key)
        weight = result.weights[key]
        criteria.append(
            _cells(
                [
                    criterion_name(key, lang),
                    format_number(weight),
                    f"{share(weight, result.total_weight)}%",
                    known.guide(lang) if known else "",
                ]
            )
        )
    context: dict[str, Any] = {
        "criteria": criteria,
        "total_weight": cell(format_number(result.total_weight)),
        "options": _cells(name(o) for o in options),
        "scores": [
            _cells(
                [
                    criterion_name(c, lang),
                    format_number(result.weights[c]),
                    *(result.scores[o][c] for o in options),
                ]
            )
            for c in result.criteria
        ],
        "weighted_totals": _cells(format_number(by_key[o].weighted_total) for o in options),
        "normalised": _cells(by_key[o].normalised for o in options),
        "ranks": _cells(by_key[o].rank for o in options),
        "rationales_given": bool(rationales),
        "rationales": [
            {
                "name": name(o),
                "rows": [
                    _cells([criterion_name(c, lang), result.scores[o][c], texts.get(c, "")])
                    for c in result.criteria
                ],
            }
            for o in options
            if (texts := (rationales or {}).get(o))
        ],
        "results": [
            _cells([o.rank, name(o.key), format_number(o.weighted_total), o.normalised])
            for o in result.options
        ],
        "recommendation": _recommendation(result, names).render(),
    }

    stab = stability(result.weights, result.scores)
    context["stability"] = stability_sentence(stab, names).render()
    context["flips"] = [
        {
            "direction": f.direction.value,
            "cells": _cells(
                [
                    criterion_name(f.criterion, lang),
                    format_number(f.current_weight),
                    ("+" if f.delta > 0 else "-") + format_number(f.magnitude),
                    format_number(f.new_weight),
                    ", ".join(name(o) for o in f.challengers),
                ]
            ),
        }
        for f in stab.flips
    ]

    context["signals"] = None
    if signals is not None:
        answer = {key: "yes" for key in signals.yes} | {key: "no" for key in signals.no}
        final = final_recommendation(result, signals, option_kinds, option_names=names)
        context["signals"] = {
            "rows": [
                {"question": cell(s.question.render()), "answer": answer.get(s.key, "unanswered")}
                for s in SIGNALS
            ],
            "summary": signals.summary.render(),
            "final": final.explanation.render(),
        }

    context["decision"] = None
    if decision is not None:
        at = decision.decided_at.astimezone(tz) if decision.decided_at.tzinfo else decision.decided_at
        context["decision"] = _cells(
            [
                name(decision.option),
                decision.decided_by,
                at.strftime("%Y-%m-%d %H:%M %Z").strip(),
                decision.reason,
            ]
        )
    return context


def matrix_markdown(
    result: MatrixResult,
    *,
    lang: Lang = "ja",
    option_names: Mapping[str, str] | None = None,
    rationales: Mapping[str, Mapping[str, str]] | None = None,
    signals: SignalsResult | None = None,
    option_kinds: Mapping[str, OptionKind | str] | None = None,
    decision: RecordedDecision | None = None,
    tz: tzinfo = _TOKYO,
    matrix_name: str | None = None,
    requirements: str = "",
    development_plan: str = "",
) -> str:
    """The matrix as a Markdown report in Japanese or English.

    Sections: the matrix's name (when given); criteria and weights; scores (with totals, normalised scores
    and ranks); rationales (when given: option -> criterion -> text, shown as entered); results and
    recommendation with the margin; stability; signals and the combined reading (when ``signals`` is
    given); the recorded decision (when given; its time is shown in ``tz``, Asia/Tokyo by default) with
    its requirements and development plan (when given, as Markdown). ``option_names`` are the options'
    display names; the default options' names are used otherwise, then the keys.
    """
    if lang not in ("ja", "en"):
        raise ValueError(f"lang must be 'ja' or 'en', got {lang!r}")
    with translation.override(lang):
        context = _context(
            result,
            lang=lang,
            names=option_names,
            rationales=rationales,
            signals=signals,
            option_kinds=option_kinds,
            decision=decision,
            tz=tz,
        )
        context["matrix_name"] = matrix_name
        context["plans"] = {"requirements": None, "development_plan": None}
        if decision is not None:
            context["plans"] = {
                "requirements": requirements.strip() if requirements else None,
                "development_plan": development_plan.strip() if development_plan else None,
            }
        text = render_to_string(TEMPLATE, context)
    return text.rstrip("\n") + "\n"
