"""Rule evaluators A11-A13 over the decision matrix, and the demo matrix; computed on read, so they flip back."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from checklist.checklists.verification import RuleOutcome, rules_evaluate
from checklist.decisions import services
from checklist.decisions.demo import DEMO_MATRIX_NAME, demo_decisions_seed
from checklist.decisions.selectors import matrix_evaluate
from checklist.models import DecisionMatrix
from tenants.context import workspace_context
from tenants.models import Workspace
from tenants.services import Actor
from tests.factories.tenants import MembershipFactory, UserFactory, WorkspaceFactory

RULES = ("decision_matrix_scored", "decision_recorded", "scratch_requirements_when_needed")
ALL_NO = dict.fromkeys(
    ("multi_source_kpi", "custom_dashboard", "realtime_speed", "business_specific_kpis", "advanced_analysis",
     "long_term_cost_extensibility"),
    False,
)  # fmt: skip


@pytest.fixture
def workspace(db: Any) -> Workspace:
    return WorkspaceFactory()


@pytest.fixture
def actor(workspace: Workspace) -> Actor:
    user = UserFactory(full_name="山田 太郎")
    MembershipFactory(workspace=workspace, user=user, role=200)
    return Actor(label=user.email, user=user)


def evidence(outcome: RuleOutcome, language: str) -> str:
    with translation.override(language):
        return outcome.evidence.render()


def outcomes(workspace: Workspace) -> dict[str, RuleOutcome]:
    with workspace_context(workspace.id):
        found = rules_evaluate(RULES, workspace=workspace)
    assert all(o is not None for o in found.values())
    return found  # type: ignore[return-value]


def test_nothing_yet(workspace: Workspace) -> None:
    found = outcomes(workspace)
    assert not any(o.verified for o in found.values())
    assert evidence(found["decision_matrix_scored"], "en") == "No decision matrix has been created yet."
    assert not found["scratch_requirements_when_needed"].not_applicable


def test_matrix_scored_flips_when_a_score_is_removed(workspace: Workspace, actor: Actor) -> None:
    with workspace_context(workspace.id):
        matrix = services.matrix_create(actor=actor, name="M", templates=["hubspot", "full_scratch"])
    found = outcomes(workspace)["decision_matrix_scored"]
    assert not found.verified and "6" in evidence(found, "en") and "unanswered" in evidence(found, "en")
    with workspace_context(workspace.id):
        services.matrix_signals_answer(actor=actor, matrix=matrix, answers=ALL_NO)
    found = outcomes(workspace)["decision_matrix_scored"]
    assert found.verified and found.facts["options"] == 2
    assert "全9評価基準" in evidence(found, "ja")
    with workspace_context(workspace.id):
        option = matrix.options.get(template_key="full_scratch")
        services.option_update(actor=actor, option=option, scores={"fit": None})
    found = outcomes(workspace)["decision_matrix_scored"]
    assert not found.verified and found.facts["missing_scores"] == 1
    assert "1 score(s) are missing across 1 option(s)" in evidence(found, "en")


def test_decision_recorded_and_scratch_requirements(workspace: Workspace, actor: Actor) -> None:
    with workspace_context(workspace.id):
        matrix = services.matrix_create(actor=actor, name="M", templates=["kintone", "full_scratch"])
        kintone = matrix.options.get(template_key="kintone")
        scratch = matrix.options.get(template_key="full_scratch")
        services.decision_record(actor=actor, matrix=matrix, option=kintone, reason="標準機能で足りる")
    found = outcomes(workspace)
    assert found["decision_recorded"].verified
    assert "山田 太郎" in evidence(found["decision_recorded"], "ja") and "標準機能で足りる" in evidence(
        found["decision_recorded"], "ja"
    )
    assert found["scratch_requirements_when_needed"].not_applicable  # a package alone was chosen
    # Reopened: no decision any more.
    with workspace_context(workspace.id):
        matrix = services.decision_reopen(actor=actor, matrix=matrix)
    found = outcomes(workspace)
    assert (
        not found["decision_recorded"].verified
        and not found["scratch_requirements_when_needed"].not_applicable
    )
    # Full scratch without a plan: applies, not verified; with both: verified.
    with workspace_context(workspace.id):
        matrix = services.decision_record(
            actor=actor, matrix=matrix, option=scratch, reason="独自KPI", requirements="要件定義書 v1"
        )
    found = outcomes(workspace)["scratch_requirements_when_needed"]
    assert not found.verified and not found.not_applicable and "development plan" in evidence(found, "en")
    with workspace_context(workspace.id):
        services.decision_update(actor=actor, matrix=matrix, development_plan="Q3 MVP")
    assert outcomes(workspace)["scratch_requirements_when_needed"].verified


def test_demo_matrix_is_filled_decided_and_idempotent(workspace: Workspace, actor: Actor) -> None:
    with workspace_context(workspace.id):
        demo_decisions_seed(workspace=workspace, actor=actor)
        demo_decisions_seed(workspace=workspace, actor=actor)
        matrix = DecisionMatrix.objects.get(name=DEMO_MATRIX_NAME)
        evaluation = matrix_evaluate(matrix)
        assert DecisionMatrix.objects.count() == 1 and len(evaluation.inputs.options) == 5
        assert evaluation.complete and all(o.rationales for o in evaluation.inputs.options)
        assert evaluation.final is not None and evaluation.final.agreement == "consistent"
        assert matrix.decided_option is not None and matrix.decided_option.kind == "hybrid"
    assert all(o.verified for o in outcomes(workspace).values())
