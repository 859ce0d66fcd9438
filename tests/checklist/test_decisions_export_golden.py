"""The Markdown export pinned byte for byte, in Japanese and English (tests/checklist/golden/).

The files were written from the export as it was before it became a Django template; the template must
reproduce them exactly. The demo matrix goes through the selector and the endpoint; the pure export is
pinned on the shapes the demo does not reach (a tie, no signals, a single option, a stable leader, a
flippable leader with escaped cells).

To rewrite the files after a deliberate change of the report: ``GOLDEN_UPDATE=1 pytest <this file>``, and
review the diff.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from checklist.decisions import scoring
from checklist.decisions.demo import DEMO_MATRIX_NAME, demo_decisions_seed
from checklist.decisions.selectors import matrix_markdown_render
from checklist.models import DecisionMatrix
from tenants.context import workspace_context
from tenants.models import Workspace
from tenants.services import Actor
from tests.conftest import World
from tests.factories.tenants import MembershipFactory, UserFactory, WorkspaceFactory

GOLDEN = Path(__file__).parent / "golden"
DECIDED_AT = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)  # 10:30 in Tokyo
D = Decimal


def assert_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("GOLDEN_UPDATE"):
        path.write_bytes(text.encode("utf-8"))
    expected = path.read_bytes().decode("utf-8")
    assert text == expected, f"{name} differs from the pinned export"


def _demo(workspace: Workspace, actor: Actor) -> DecisionMatrix:
    with workspace_context(workspace.id):
        demo_decisions_seed(workspace=workspace, actor=actor)
        DecisionMatrix.objects.filter(name=DEMO_MATRIX_NAME).update(decided_at=DECIDED_AT)
        return DecisionMatrix.objects.select_related("decided_option").get(name=DEMO_MATRIX_NAME)


@pytest.fixture
def demo_matrix(db: Any) -> tuple[Workspace, DecisionMatrix]:
    workspace = WorkspaceFactory()
    user = UserFactory(full_name="山田 太郎")
    MembershipFactory(workspace=workspace, user=user, role=200)
    return workspace, _demo(workspace, Actor(label=user.email, user=user))


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_demo_matrix_export_is_unchanged(demo_matrix: tuple[Workspace, DecisionMatrix], lang: str) -> None:
    workspace, matrix = demo_matrix
    with workspace_context(workspace.id):
        text = matrix_markdown_render(matrix, lang=lang)  # type: ignore[arg-type]
    assert_golden(f"demo_matrix.{lang}.md", text)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_endpoint_answers_the_selectors_export(world: World, client_as: Any, lang: str) -> None:
    side = world.a
    matrix = _demo(side.workspace, Actor.of(side.principal("consultant")))
    with workspace_context(side.workspace.id):
        expected = matrix_markdown_render(matrix, lang=lang)  # type: ignore[arg-type]
    url = (
        f"/api/v1/workspaces/{side.workspace.id}/checklist/matrices/{matrix.id}/export/markdown/?lang={lang}"
    )
    response = client_as("viewer").get(url)
    assert response.status_code == 200
    assert response.content.decode("utf-8") == expected
    assert f"{side.users['consultant'].full_name} | 2026-03-02 10:30 JST" in expected


# ---- the pure export on the shapes the demo does not reach -------------------------------------

STAB_WEIGHTS = {"initial_cost": D(1), "lead_time": D(5), "realtime": D(2)}
STAB_SCORES = {
    "P": {"initial_cost": 3, "lead_time": 5, "realtime": 2},
    "Q": {"initial_cost": 3, "lead_time": 3, "realtime": 1},
    "R": {"initial_cost": 5, "lead_time": 3, "realtime": 5},
}
SIGNAL_KEYS = [s.key for s in scoring.SIGNALS]


def _answers(yes_count: int, unanswered: int = 0) -> dict[str, bool]:
    keys = SIGNAL_KEYS[: len(SIGNAL_KEYS) - unanswered]
    return {key: i < yes_count for i, key in enumerate(keys)}


def _flippable(lang: str) -> str:
    return scoring.matrix_markdown(
        scoring.matrix_score(STAB_WEIGHTS, STAB_SCORES),
        lang=lang,  # type: ignore[arg-type]
        option_names={"P": "HubSpot", "Q": "kintone", "R": "Hybrid | custom"},
        rationales={"P": {"initial_cost": "monthly fee\nno build", "realtime": "back\\slash\r\nCRLF"}},
        signals=scoring.signals_assess(_answers(5)),
        option_kinds={"P": "package", "Q": "package", "R": "hybrid"},
        decision=scoring.RecordedDecision(
            option="R", decided_by="Sato | Hanako", decided_at=datetime(2026, 1, 9, 1, 30, tzinfo=UTC),
            reason="Board approved\nunanimously",
        ),
    )  # fmt: skip


def _tie(lang: str) -> str:
    result = scoring.matrix_score(
        {"initial_cost": D(1), "lead_time": D(1)},
        {
            "hubspot": {"initial_cost": 5, "lead_time": 1},
            "full_scratch": {"initial_cost": 1, "lead_time": 5},
            "hybrid": {"initial_cost": 3, "lead_time": 3},
        },
    )
    return scoring.matrix_markdown(result, lang=lang)  # type: ignore[arg-type]


def _tie_with_signals(lang: str) -> str:
    result = scoring.matrix_score(
        {"initial_cost": D(1), "lead_time": D(1)},
        {"hubspot": {"initial_cost": 5, "lead_time": 1}, "hybrid": {"initial_cost": 1, "lead_time": 5},
         "salesforce": {"initial_cost": 1, "lead_time": 5}},
    )  # fmt: skip
    return scoring.matrix_markdown(
        result,
        lang=lang,
        signals=scoring.signals_assess(_answers(2, unanswered=1)),  # type: ignore[arg-type]
    )


def _single(lang: str) -> str:
    result = scoring.matrix_score({"fit": D("2.5"), "realtime": D(0)}, {"kintone": {"fit": 4, "realtime": 1}})
    return scoring.matrix_markdown(
        result,
        lang=lang,
        signals=scoring.signals_assess(_answers(0)),  # type: ignore[arg-type]
    )


def _stable(lang: str) -> str:
    weights = {"initial_cost": D(1), "lead_time": D(1)}
    scores = {
        "hubspot": {"initial_cost": 5, "lead_time": 4},
        "full_scratch": {"initial_cost": 1, "lead_time": 2},
    }
    return scoring.matrix_markdown(
        scoring.matrix_score(weights, scores),
        lang=lang,  # type: ignore[arg-type]
        signals=scoring.signals_assess(_answers(3)),
    )


def _lighter(lang: str) -> str:
    """A hybrid leader while no signal says yes, with a criterion the catalogue does not know."""
    weights = {"initial_cost": D(2), "security": D("1.5")}
    scores = {"hybrid": {"initial_cost": 4, "security": 5}, "salesforce": {"initial_cost": 5, "security": 1}}
    return scoring.matrix_markdown(
        scoring.matrix_score(weights, scores),
        lang=lang,
        signals=scoring.signals_assess(_answers(0)),  # type: ignore[arg-type]
    )


def _tie_plural(lang: str) -> str:
    weights = {"initial_cost": D(1), "lead_time": D(1)}
    scores = {"hubspot": {"initial_cost": 5, "lead_time": 1}, "salesforce": {"initial_cost": 1, "lead_time": 5},
              "full_scratch": {"initial_cost": 1, "lead_time": 1}}  # fmt: skip
    return scoring.matrix_markdown(
        scoring.matrix_score(weights, scores),
        lang=lang,
        signals=scoring.signals_assess(_answers(1)),  # type: ignore[arg-type]
    )


def _defaults(lang: str) -> str:
    result = scoring.matrix_score(scoring.default_weights(), scoring.default_scores())
    return scoring.matrix_markdown(
        result,
        lang=lang,  # type: ignore[arg-type]
        rationales=scoring.default_rationales(lang),  # type: ignore[arg-type]
        signals=scoring.signals_assess(_answers(4)),
    )


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize(
    "case",
    [_flippable, _tie, _tie_with_signals, _tie_plural, _single, _stable, _lighter, _defaults],
    ids=lambda f: f.__name__[1:],
)
def test_pure_export_is_unchanged(case: Any, lang: str) -> None:
    assert_golden(f"{case.__name__[1:]}.{lang}.md", case(lang))
