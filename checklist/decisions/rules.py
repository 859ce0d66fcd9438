"""Rule evaluators over the decision matrix (checklist items A11-A13).

* ``decision_matrix_scored`` (A11): some matrix (not archived) has at least two options, every option scored
  on every criterion, and all six "package falls short" signals answered -- that answer sheet is the list of
  needs a package cannot cover.
* ``decision_recorded`` (A12): a final decision is recorded with who, when and why.
* ``scratch_requirements_when_needed`` (A13): when the latest decision chose a full-scratch or hybrid option,
  its requirements and development plan are recorded; not applicable when a package alone was chosen.
"""

from __future__ import annotations

from django.utils import timezone

from checklist.checklists.params import legacy_text
from checklist.checklists.verification import RuleContext, RuleOutcome, rule_evaluator
from checklist.decisions import scoring
from checklist.decisions.models import DecisionMatrix
from checklist.decisions.selectors import matrix_evaluate, matrix_latest_decided, matrix_list

MIN_OPTIONS = 2


def _matrices(context: RuleContext) -> list[DecisionMatrix]:
    return context.memo("decision_matrices", lambda: list(matrix_list(include_archived=False)))


@rule_evaluator("decision_matrix_scored")
def decision_matrix_scored(context: RuleContext) -> RuleOutcome:
    matrices = _matrices(context)
    if not matrices:
        return RuleOutcome(
            False,
            legacy_text(
                "判断マトリクスがまだ作成されていません。", "No decision matrix has been created yet."
            ),
            {"matrices": 0},
        )
    evaluations = [matrix_evaluate(m) for m in matrices]  # newest first
    for evaluation in evaluations:
        if evaluation.complete:
            matrix = evaluation.matrix
            n = len(evaluation.inputs.options)
            yes = evaluation.signals.yes_count
            return RuleOutcome(
                True,
                legacy_text(
                    f"判断マトリクス「{matrix.name}」で{n}つのオプションが全{len(scoring.CRITERIA)}評価基準について"
                    f"採点され、6つのシグナルすべてに回答済みです(「はい」{yes}件)。",
                    f"Decision matrix '{matrix.name}' scores {n} options on all {len(scoring.CRITERIA)} criteria "
                    f"and answers all six signals ({yes} yes).",
                ),
                {"matrix": str(matrix.id), "options": n, "signals_yes": yes},
            )
    latest = evaluations[0]
    matrix, n = latest.matrix, len(latest.inputs.options)
    gaps_ja: list[str] = []
    gaps_en: list[str] = []
    if n < MIN_OPTIONS:
        gaps_ja.append(f"比較するオプションが{n}つしかありません(2つ以上必要)")
        gaps_en.append(f"it has {n} option(s) to compare (two or more needed)")
    if latest.missing:
        options = len({o.id for o, _ in latest.missing})
        gaps_ja.append(f"{options}つのオプションに未採点の評価基準が計{len(latest.missing)}件あります")
        gaps_en.append(f"{len(latest.missing)} score(s) are missing across {options} option(s)")
    elif latest.error is not None and n:
        gaps_ja.append(latest.error.message_ja)
        gaps_en.append(latest.error.message_en)
    if latest.signals.unanswered:
        gaps_ja.append(f"シグナルの未回答が{len(latest.signals.unanswered)}件あります")
        gaps_en.append(f"{len(latest.signals.unanswered)} signal question(s) are unanswered")
    return RuleOutcome(
        False,
        legacy_text(
            f"判断マトリクス「{matrix.name}」は未完成です: " + "、".join(gaps_ja) + "。",
            f"Decision matrix '{matrix.name}' is not complete: " + "; ".join(gaps_en) + ".",
        ),
        {
            "matrix": str(matrix.id),
            "options": n,
            "missing_scores": len(latest.missing),
            "unanswered_signals": len(latest.signals.unanswered),
        },
    )


def _when(matrix: DecisionMatrix) -> str:
    assert matrix.decided_at is not None
    return timezone.localtime(matrix.decided_at).strftime("%Y-%m-%d %H:%M")


@rule_evaluator("decision_recorded")
def decision_recorded(context: RuleContext) -> RuleOutcome:
    matrix = context.memo("decision_latest", matrix_latest_decided)
    if matrix is None or matrix.decided_option is None or not matrix.decision_reason.strip():
        return RuleOutcome(
            False,
            legacy_text(
                "パッケージかフルスクラッチかの最終判断はまだ記録されていません。",
                "No final package-versus-scratch decision has been recorded yet.",
            ),
        )
    option = matrix.decided_option
    return RuleOutcome(
        True,
        legacy_text(
            f"判断マトリクス「{matrix.name}」で「{option.name}」を選択: {matrix.decided_by_label}が"
            f"{_when(matrix)}に記録(理由: {matrix.decision_reason})。",
            f"Matrix '{matrix.name}' chose '{option.name}', recorded by {matrix.decided_by_label} on "
            f"{_when(matrix)} (reason: {matrix.decision_reason}).",
        ),
        {
            "matrix": str(matrix.id),
            "option": str(option.id),
            "kind": option.kind,
            "decided_by": matrix.decided_by_label,
            "decided_at": matrix.decided_at.isoformat() if matrix.decided_at else None,
        },
    )


@rule_evaluator("scratch_requirements_when_needed")
def scratch_requirements_when_needed(context: RuleContext) -> RuleOutcome:
    matrix = context.memo("decision_latest", matrix_latest_decided)
    if matrix is None or matrix.decided_option is None:
        return RuleOutcome(
            False,
            legacy_text(
                "最終判断が未記録のため、フルスクラッチ/ハイブリッドの要件定義・開発計画の要否は未定です。",
                "No decision is recorded yet, so whether a scratch or hybrid build needs requirements and a "
                "development plan is still open.",
            ),
        )
    option = matrix.decided_option
    facts = {"matrix": str(matrix.id), "option": str(option.id), "kind": option.kind}
    if option.kind == scoring.OptionKind.PACKAGE:
        return RuleOutcome(
            False,
            legacy_text(
                f"最終判断はパッケージ「{option.name}」のため対象外です。",
                f"The decision is the package '{option.name}', so this does not apply.",
            ),
            facts,
            not_applicable=True,
        )
    has_requirements = bool(matrix.requirements.strip())
    has_plan = bool(matrix.development_plan.strip())
    facts |= {"requirements": has_requirements, "development_plan": has_plan}
    if has_requirements and has_plan:
        return RuleOutcome(
            True,
            legacy_text(
                f"「{option.name}」の要件定義と開発計画が判断に登録されています。",
                f"Requirements and a development plan for '{option.name}' are recorded with the decision.",
            ),
            facts,
        )
    missing_ja = "・".join(t for t, ok in (("要件定義", has_requirements), ("開発計画", has_plan)) if not ok)
    missing_en = " and ".join(
        t for t, ok in (("requirements", has_requirements), ("a development plan", has_plan)) if not ok
    )
    return RuleOutcome(
        False,
        legacy_text(
            f"「{option.name}」が選ばれましたが、{missing_ja}が未登録です。",
            f"'{option.name}' was chosen, but {missing_en} are not recorded yet.",
        ),
        facts,
    )
