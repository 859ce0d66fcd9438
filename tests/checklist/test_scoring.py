"""checklist.decisions.scoring: the decision matrix, its stability, the signals and the Markdown export.

Every expected number below is worked out by hand in the comments. Sentences and errors are messages (a
code with parameters); the tests render them in Japanese and in English (``ja()``, ``en()``).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from checklist.decisions.scoring import (
    CRITERIA,
    DEFAULT_OPTIONS,
    DEFAULT_WEIGHTS,
    HYBRID_FROM,
    SCRATCH_FROM,
    SIGNALS,
    Agreement,
    Direction,
    OptionKind,
    RecordedDecision,
    ScoringError,
    StabilityStatus,
    default_rationales,
    default_scores,
    default_weights,
    final_recommendation,
    matrix_markdown,
    matrix_score,
    signals_assess,
    stability,
)
from core.messages import Message

D = Decimal


def ja(message: Message) -> str:
    with translation.override("ja"):
        return message.render()


def en(message: Message) -> str:
    with translation.override("en"):
        return message.render()


# ---- criteria and defaults ---------------------------------------------------------------------


def test_nine_criteria_with_stable_keys_and_integer_weights_summing_to_100() -> None:
    assert [c.key for c in CRITERIA] == [
        "initial_cost",
        "lead_time",
        "visualisation_flexibility",
        "data_integration_freedom",
        "realtime",
        "custom_kpi_calculation",
        "maintenance_cost",
        "extensibility",
        "fit",
    ]
    assert all(isinstance(w, int) for w in DEFAULT_WEIGHTS.values())
    assert sum(DEFAULT_WEIGHTS.values()) == 100
    for c in CRITERIA:
        assert c.name_ja and c.name_en and c.guide_ja.startswith("5 = ") and c.guide_en.startswith("5 = ")
    assert default_weights()["visualisation_flexibility"] == D(15)


def test_default_options_are_complete_editable_starting_points() -> None:
    assert [o.key for o in DEFAULT_OPTIONS] == ["hubspot", "salesforce", "kintone", "full_scratch", "hybrid"]
    assert {o.kind for o in DEFAULT_OPTIONS} == set(OptionKind)
    for option in DEFAULT_OPTIONS:
        assert set(option.scores) == set(DEFAULT_WEIGHTS)
        assert all(1 <= s <= 5 for s in option.scores.values())
        assert set(option.rationale_ja) == set(option.rationale_en) == set(DEFAULT_WEIGHTS)
        assert all(text.strip() for text in option.rationale_ja.values())
        assert option.note_ja and option.note_en
    # Cost criteria: 5 = best for the client, so the cheap package outscores the scratch build.
    assert DEFAULT_OPTIONS[0].scores["initial_cost"] > DEFAULT_OPTIONS[3].scores["initial_cost"]
    assert DEFAULT_OPTIONS[0].scores["maintenance_cost"] > DEFAULT_OPTIONS[3].scores["maintenance_cost"]
    # Copies are editable and independent of the templates.
    scores = default_scores(["hubspot"])
    scores["hubspot"]["fit"] = 5
    assert DEFAULT_OPTIONS[0].scores["fit"] == 3
    assert default_rationales("ja", ["full_scratch"])["full_scratch"]["initial_cost"] == "高(開発費が発生)"
    with pytest.raises(KeyError):
        default_scores(["pipedrive"])


def test_default_matrix() -> None:
    # Weights 10,10,15,15,10,10,10,10,10 (sum 100, max 500).
    # package: 4,4,2,3,3,2,5,2,3 -> 40+40+30+45+30+20+50+20+30 = 305 -> 61.00
    # scratch: 1,1,5,5,5,5,1,5,3 -> 10+10+75+75+50+50+10+50+30 = 360 -> 72.00
    # hybrid:  3,3,5,4,3,4,3,4,3 -> 30+30+75+60+30+40+30+40+30 = 365 -> 73.00
    result = matrix_score(default_weights(), default_scores())
    assert result.ranking == ("hybrid", "full_scratch", "hubspot", "salesforce", "kintone")
    assert [o.weighted_total for o in result.options] == [D(365), D(360), D(305), D(305), D(305)]
    assert [o.rank for o in result.options] == [1, 2, 3, 3, 3]
    assert result.recommendation == "hybrid"
    assert result.margin == D(5)


# ---- matrix ------------------------------------------------------------------------------------


def test_two_option_matrix() -> None:
    # Weights: initial_cost 3, visualisation_flexibility 2 -> sum 5, max 5 x 5 = 25.
    # package: 3x5 + 2x2 = 19 -> 19/25 x 100 = 76.00
    # scratch: 3x1 + 2x5 = 13 -> 13/25 x 100 = 52.00
    weights = {"initial_cost": D(3), "visualisation_flexibility": D(2)}
    scores = {
        "package": {"initial_cost": 5, "visualisation_flexibility": 2},
        "scratch": {"initial_cost": 1, "visualisation_flexibility": 5},
    }
    result = matrix_score(weights, scores)
    assert result.option("package").weighted_total == D(19)
    assert result.option("package").normalised == D("76.00")
    assert result.option("scratch").weighted_total == D(13)
    assert result.option("scratch").normalised == D("52.00")
    assert result.ranking == ("package", "scratch")
    assert result.recommendation == "package"
    assert not result.is_tie and result.tied == ()
    assert result.margin == D(6)
    assert result.margin_normalised == D("24.00")  # 6/25 x 100
    assert result.total_weight == D(5)
    assert result.criteria == ("initial_cost", "visualisation_flexibility")


def test_three_option_matrix() -> None:
    # Weights: initial_cost 2, lead_time 1, visualisation_flexibility 3 -> sum 6, max 30.
    # A: 2x4 + 1x5 + 3x2 = 8+5+6  = 19 -> 19/30 x 100 = 63.333... -> 63.33
    # B: 2x1 + 1x1 + 3x5 = 2+1+15 = 18 -> 60.00
    # C: 2x3 + 1x3 + 3x4 = 6+3+12 = 21 -> 70.00
    weights = {"initial_cost": 2, "lead_time": 1, "visualisation_flexibility": 3}  # ints are accepted
    scores = {
        "A": {"initial_cost": 4, "lead_time": 5, "visualisation_flexibility": 2},
        "B": {"initial_cost": 1, "lead_time": 1, "visualisation_flexibility": 5},
        "C": {"initial_cost": 3, "lead_time": 3, "visualisation_flexibility": 4},
    }
    result = matrix_score(weights, scores)
    assert [(o.key, o.weighted_total, o.normalised, o.rank) for o in result.options] == [
        ("C", D(21), D("70.00"), 1),
        ("A", D(19), D("63.33"), 2),
        ("B", D(18), D("60.00"), 3),
    ]
    assert result.recommendation == "C"
    assert result.margin == D(2)
    assert result.margin_normalised == D("6.67")  # 2/30 x 100 = 6.666...


def test_decimal_weights() -> None:
    # Weights 2.5 and 0.5 -> sum 3, max 15.
    # X: 2.5x4 + 0.5x2 = 10 + 1 = 11 -> 11/15 x 100 = 73.333... -> 73.33
    # Y: 2.5x2 + 0.5x5 = 5 + 2.5 = 7.5 -> 50.00
    weights = {"initial_cost": D("2.5"), "realtime": D("0.5")}
    result = matrix_score(
        weights, {"X": {"initial_cost": 4, "realtime": 2}, "Y": {"initial_cost": 2, "realtime": 5}}
    )
    assert result.option("X").weighted_total == D(11)
    assert result.option("X").normalised == D("73.33")
    assert result.option("Y").weighted_total == D("7.5")
    assert result.option("Y").normalised == D("50.00")


def test_zero_weight_criterion_is_allowed() -> None:
    # lead_time weight 0 ignores that row: A = 1x5 = 5, B = 1x4 = 4.
    result = matrix_score(
        {"initial_cost": D(1), "lead_time": D(0)},
        {"A": {"initial_cost": 5, "lead_time": 1}, "B": {"initial_cost": 4, "lead_time": 5}},
    )
    assert result.recommendation == "A"
    assert result.option("A").normalised == D("100.00")  # 5/(5x1) x 100


def test_tie_gives_no_single_recommendation() -> None:
    # Weights 1 and 1: A = 5+1 = 6, B = 1+5 = 6, C = 2+2 = 4.
    result = matrix_score(
        {"initial_cost": D(1), "lead_time": D(1)},
        {
            "A": {"initial_cost": 5, "lead_time": 1},
            "B": {"initial_cost": 1, "lead_time": 5},
            "C": {"initial_cost": 2, "lead_time": 2},
        },
    )
    assert result.recommendation is None
    assert result.is_tie
    assert result.tied == ("A", "B")
    assert [o.rank for o in result.options] == [1, 1, 3]
    assert result.margin == D(0)
    assert result.option("A").normalised == D("60.00")  # 6/10 x 100


def test_single_option() -> None:
    result = matrix_score({"fit": D(1)}, {"only": {"fit": 3}})
    assert result.recommendation == "only"
    assert result.margin is None and result.margin_normalised is None


# ---- validation --------------------------------------------------------------------------------

WEIGHTS = {"initial_cost": D(1), "realtime": D(1)}


@pytest.mark.parametrize(
    ("weights", "scores", "code", "option", "criterion"),
    [
        ({}, {"A": {}}, "no_criteria", None, None),
        (WEIGHTS, {}, "no_options", None, None),
        ({"initial_cost": D(-1), "realtime": D(2)}, {}, "weight_negative", None, "initial_cost"),
        ({"initial_cost": D(0), "realtime": D(0)}, {}, "weights_all_zero", None, None),
        ({"initial_cost": 1.5, "realtime": D(1)}, {}, "weight_type", None, "initial_cost"),
        ({"initial_cost": True, "realtime": D(1)}, {}, "weight_type", None, "initial_cost"),
        ({"initial_cost": D("NaN"), "realtime": D(1)}, {}, "weight_not_finite", None, "initial_cost"),
        (WEIGHTS, {"A": {"initial_cost": 3}}, "score_missing", "A", "realtime"),
        (WEIGHTS, {"A": {"initial_cost": 3, "realtime": 0}}, "score_out_of_range", "A", "realtime"),
        (WEIGHTS, {"A": {"initial_cost": 6, "realtime": 3}}, "score_out_of_range", "A", "initial_cost"),
        (WEIGHTS, {"A": {"initial_cost": 3.0, "realtime": 3}}, "score_not_integer", "A", "initial_cost"),
        (WEIGHTS, {"A": {"initial_cost": D(3), "realtime": 3}}, "score_not_integer", "A", "initial_cost"),
        (WEIGHTS, {"A": {"initial_cost": True, "realtime": 3}}, "score_not_integer", "A", "initial_cost"),
        (
            WEIGHTS,
            {"A": {"initial_cost": 3, "realtime": 3, "fit": 3}},
            "score_unknown_criterion",
            "A",
            "fit",
        ),
        (WEIGHTS, {"A": [3, 3]}, "scores_invalid", "A", None),
    ],
)
def test_validation_errors(
    weights: dict, scores: dict, code: str, option: str | None, criterion: str | None
) -> None:
    with pytest.raises(ScoringError) as caught:
        matrix_score(weights, scores)
    error = caught.value
    assert error.code == f"checklist.decisions.{code}"
    assert error.option == option
    assert error.criterion == criterion
    assert error.message == Message(error.code, error.params)
    assert ja(error.message) and en(error.message) and ja(error.message) != en(error.message)
    assert str(error) == error.code


def test_validation_messages_name_the_option_and_criterion() -> None:
    scores = {"hubspot": {"initial_cost": 4}, "hybrid": {"initial_cost": 3, "realtime": 3}}
    with pytest.raises(ScoringError) as caught:
        matrix_score(WEIGHTS, scores)
    assert ja(caught.value.message) == "オプション「hubspot」の評価基準「リアルタイム性」が未採点です。"
    assert en(caught.value.message) == "Option 'hubspot' has no score for criterion 'Real-time capability'."
    assert isinstance(caught.value, ValueError)
    # The parameters are machine values: the keys, not the names.
    assert caught.value.message.as_json()["params"] == {"option": "hubspot", "criterion": "realtime"}
    # Named after the fact (the selectors know the options' names; scoring only their keys).
    named = caught.value.named({"hubspot": "HubSpot Pro"})
    assert en(named.message) == "Option 'HubSpot Pro' has no score for criterion 'Real-time capability'."
    assert named.message.as_json()["params"]["option"] == "hubspot"


# ---- stability ---------------------------------------------------------------------------------

# Weights: initial_cost 1, lead_time 5, realtime 2.
# P: 1x3 + 5x5 + 2x2 = 3+25+4  = 32  (leader)
# Q: 1x3 + 5x3 + 2x1 = 3+15+2  = 20
# R: 1x5 + 5x3 + 2x5 = 5+15+10 = 30  (runner-up, margin 2)
STAB_WEIGHTS = {"initial_cost": D(1), "lead_time": D(5), "realtime": D(2)}
STAB_SCORES = {
    "P": {"initial_cost": 3, "lead_time": 5, "realtime": 2},
    "Q": {"initial_cost": 3, "lead_time": 3, "realtime": 1},
    "R": {"initial_cost": 5, "lead_time": 3, "realtime": 5},
}


def test_stability_minimal_flip_by_hand() -> None:
    # Against R (D = 32 - 30 = 2), with d = s_P - s_R and delta = -D/d:
    #   initial_cost: d = 3-5 = -2 -> delta = +1   (weight 1 -> 2)
    #   lead_time:    d = 5-3 = +2 -> delta = -1   (weight 5 -> 4, stays >= 0)
    #   realtime:     d = 2-5 = -3 -> delta = +2/3 (weight 2 -> 8/3)
    # Against Q (D = 12):
    #   initial_cost: d = 0 -> no effect
    #   lead_time:    d = +2 -> delta = -6  (weight 5 -> -1: not allowed)
    #   realtime:     d = +1 -> delta = -12 (weight 2 -> -10: not allowed)
    # Smallest |delta|: realtime +2/3 -> 8/3, R draws level:
    #   P = 3 + 25 + 2x8/3 = 28 + 16/3 = 100/3;  R = 5 + 15 + 5x8/3 = 20 + 40/3 = 100/3.
    result = stability(STAB_WEIGHTS, STAB_SCORES)
    assert result.status is StabilityStatus.FLIPPABLE
    assert not result.is_stable
    assert result.leader == "P"
    assert result.runner_up == "R"
    assert result.margin == D(2)
    assert result.margin_normalised == D("5.00")  # 2 / (5 x 8) x 100
    flip = result.flip
    assert flip is not None
    assert flip.criterion == "realtime"
    assert flip.direction is Direction.INCREASE
    assert flip.current_weight == D(2)
    assert flip.delta == Fraction(2, 3)
    assert flip.new_weight == Fraction(8, 3)
    assert flip.challengers == ("R",)
    # Per (criterion, direction), smallest first; equal magnitudes in criterion order.
    assert [(f.criterion, f.direction, f.delta, f.challengers) for f in result.flips] == [
        ("realtime", Direction.INCREASE, Fraction(2, 3), ("R",)),
        ("initial_cost", Direction.INCREASE, Fraction(1), ("R",)),
        ("lead_time", Direction.DECREASE, Fraction(-1), ("R",)),
    ]


def test_stability_flip_really_ties() -> None:
    # Scale the weights by 3 to stay in integers: 3, 15, 8 -> P = 9+75+16 = 100, R = 15+45+40 = 100.
    result = matrix_score(
        {"initial_cost": D(3), "lead_time": D(15), "realtime": D(8)},
        STAB_SCORES,
    )
    assert result.tied == ("P", "R")


def test_stability_stable_when_no_single_weight_can_flip() -> None:
    # Weights 1, 1. P = 5+5 = 10, Q = 3+4 = 7, D = 3. P is at least as good on every criterion, so every
    # flip would need a decrease: initial_cost d = 2 -> delta = -3/2 -> weight -1/2 (not allowed);
    # lead_time d = 1 -> delta = -3 -> weight -2 (not allowed).
    result = stability(
        {"initial_cost": D(1), "lead_time": D(1)},
        {"P": {"initial_cost": 5, "lead_time": 5}, "Q": {"initial_cost": 3, "lead_time": 4}},
    )
    assert result.status is StabilityStatus.STABLE
    assert result.is_stable
    assert result.flip is None and result.flips == ()
    assert result.leader == "P"
    assert result.margin == D(3)


def test_stability_tie_at_zero_weight_counts_as_flip() -> None:
    # Weights 1, 1. P = 3+3 = 6, Q = 1+3 = 4, D = 2. initial_cost d = 2 -> delta = -1 -> weight 0,
    # which is allowed (weights stay >= 0, lead_time keeps 1): P = 3, Q = 3, a tie -> counted as a flip.
    result = stability(
        {"initial_cost": D(1), "lead_time": D(1)},
        {"P": {"initial_cost": 3, "lead_time": 3}, "Q": {"initial_cost": 1, "lead_time": 3}},
    )
    assert result.status is StabilityStatus.FLIPPABLE
    assert result.flip is not None
    assert result.flip.new_weight == 0
    assert result.flip.delta == -1
    assert result.flip.challengers == ("Q",)


def test_stability_never_sets_every_weight_to_zero() -> None:
    # A single criterion: the only "flip" would take its weight to 0, leaving no weights at all.
    result = stability({"fit": D(2)}, {"P": {"fit": 3}, "Q": {"fit": 1}})
    assert result.status is StabilityStatus.STABLE


def test_stability_tied_and_single_option() -> None:
    tied = stability(
        {"initial_cost": D(1), "lead_time": D(1)},
        {"A": {"initial_cost": 5, "lead_time": 1}, "B": {"initial_cost": 1, "lead_time": 5}},
    )
    assert tied.status is StabilityStatus.TIED
    assert tied.leader is None and tied.flip is None
    assert tied.margin == D(0)
    single = stability({"fit": D(1)}, {"only": {"fit": 3}})
    assert single.status is StabilityStatus.SINGLE_OPTION
    assert single.runner_up is None


def test_stability_validates() -> None:
    with pytest.raises(ScoringError) as caught:
        stability(STAB_WEIGHTS, {"P": {"initial_cost": 3}})
    assert caught.value.code == "checklist.decisions.score_missing"


def _scaled(weights: dict[str, Fraction]) -> dict[str, Decimal]:
    """Exact integer weights proportional to ``weights`` (scaling does not change any ranking)."""
    lcm = math.lcm(*(w.denominator for w in weights.values()))
    return {c: D(int(w * lcm)) for c, w in weights.items()}


def _strict_leader(weights: dict[str, Fraction], scores: dict[str, dict[str, int]]) -> str | None:
    return matrix_score(_scaled(weights), scores).recommendation


CRIT3 = ("initial_cost", "lead_time", "realtime")


@settings(max_examples=150, deadline=None)
@given(
    weights=st.lists(st.integers(0, 6), min_size=3, max_size=3).filter(any),
    scores=st.lists(st.lists(st.integers(1, 5), min_size=3, max_size=3), min_size=2, max_size=4),
)
def test_stability_property(weights: list[int], scores: list[list[int]]) -> None:
    """The reported flip ties, anything smaller keeps the leader, and unreported directions never flip.

    Totals are linear in one weight, so the leader staying strictly ahead at both ends of an interval
    means it stays ahead on the whole interval; checking the ends is therefore a complete check.
    """
    w = dict(zip(CRIT3, (Fraction(x) for x in weights), strict=True))
    sc = {f"o{i}": dict(zip(CRIT3, row, strict=True)) for i, row in enumerate(scores)}
    result = stability({c: D(int(x)) for c, x in w.items()}, sc)
    if result.status is not StabilityStatus.FLIPPABLE and result.status is not StabilityStatus.STABLE:
        return
    leader = result.leader
    reported = {(f.criterion, f.direction): f for f in result.flips}
    total = sum(w.values())
    for criterion in CRIT3:
        for direction in Direction:
            flip = reported.get((criterion, direction))
            if flip is not None:
                at_flip = w | {criterion: flip.new_weight}
                top = matrix_score(_scaled(at_flip), sc)
                assert leader in top.tied
                assert set(top.tied) == {leader, *flip.challengers}
                just_before = w | {criterion: w[criterion] + flip.delta * Fraction(999, 1000)}
                assert _strict_leader(just_before, sc) == leader
                assert abs(flip.delta) >= abs(result.flips[0].delta)
            elif direction is Direction.DECREASE:
                if w[criterion] > 0 and total - w[criterion] > 0:
                    assert _strict_leader(w | {criterion: Fraction(0)}, sc) == leader
            else:
                assert _strict_leader(w | {criterion: w[criterion] + 1000 * total}, sc) == leader


# ---- signals -----------------------------------------------------------------------------------

SIGNAL_KEYS = [s.key for s in SIGNALS]


def test_six_signals_with_ja_and_en_questions() -> None:
    assert SIGNAL_KEYS == [
        "multi_source_kpi",
        "custom_dashboard",
        "realtime_speed",
        "business_specific_kpis",
        "advanced_analysis",
        "long_term_cost_extensibility",
    ]
    for signal in SIGNALS:
        assert ja(signal.question).endswith("?") and en(signal.question).endswith("?")
    assert ja(SIGNALS[0].question) == "複数のデータソースを統合した独自のKPI計算が必要ですか?"
    assert en(SIGNALS[0].question) == "Do KPI calculations need to integrate several data sources?"


@pytest.mark.parametrize(
    ("yes_count", "implication"),
    [
        (0, OptionKind.PACKAGE),
        (1, OptionKind.PACKAGE),
        (2, OptionKind.HYBRID),
        (3, OptionKind.HYBRID),
        (4, OptionKind.SCRATCH),
        (5, OptionKind.SCRATCH),
        (6, OptionKind.SCRATCH),
    ],
)
def test_signal_thresholds(yes_count: int, implication: OptionKind) -> None:
    answers = {key: i < yes_count for i, key in enumerate(SIGNAL_KEYS)}
    result = signals_assess(answers)
    assert result.yes_count == yes_count
    assert len(result.no) == 6 - yes_count
    assert result.complete
    assert result.implication is implication
    assert (HYBRID_FROM, SCRATCH_FROM) == (2, 4)


def test_signals_unanswered_and_invalid() -> None:
    result = signals_assess({"multi_source_kpi": True, "advanced_analysis": False})
    assert result.yes == ("multi_source_kpi",)
    assert result.no == ("advanced_analysis",)
    assert len(result.unanswered) == 4
    assert not result.complete
    assert "未回答が4項目" in ja(result.summary)
    assert "4 unanswered" in en(result.summary)
    with pytest.raises(ScoringError) as caught:
        signals_assess({"crystal_ball": True})
    assert caught.value.code == "checklist.decisions.signal_unknown"
    with pytest.raises(ScoringError) as caught:
        signals_assess({"multi_source_kpi": "yes"})  # type: ignore[dict-item]
    assert caught.value.code == "checklist.decisions.signal_not_bool"


def test_signal_summaries() -> None:
    answers = dict.fromkeys(SIGNAL_KEYS, True)
    result = signals_assess(answers)
    assert ja(result.summary) == (
        "「パッケージでは不足する」シグナル6項目中6項目が「はい」: "
        "フルスクラッチ開発が必要になる可能性が高いです。"
    )
    assert (
        en(result.summary)
        == '6 of 6 "package falls short" signals are yes: a full-scratch build is likely needed.'
    )
    assert result.summary == Message("checklist.decisions.signals.reading.scratch", {"yes": 6, "total": 6})


# ---- final recommendation ----------------------------------------------------------------------


def _answers(yes_count: int) -> dict[str, bool]:
    return {key: i < yes_count for i, key in enumerate(SIGNAL_KEYS)}


# Two options on two criteria, weights 1 and 1:
# package-favouring scores: hubspot = 5+4 = 9, full_scratch = 1+2 = 3 -> hubspot recommended.
PACKAGE_WINS = {
    "hubspot": {"initial_cost": 5, "lead_time": 4},
    "full_scratch": {"initial_cost": 1, "lead_time": 2},
}
TWO = {"initial_cost": D(1), "lead_time": D(1)}


def test_package_with_four_signals_is_a_conflict() -> None:
    matrix = matrix_score(TWO, PACKAGE_WINS)
    final = final_recommendation(matrix, signals_assess(_answers(4)))
    assert final.agreement is Agreement.CONFLICT
    assert final.option is None
    assert final.matrix_option == "hubspot"
    assert final.matrix_kind is OptionKind.PACKAGE
    assert final.signals_implication is OptionKind.SCRATCH
    assert "disagree" in en(final.explanation)
    assert "review the weights" in en(final.explanation)
    assert "食い違" in ja(final.explanation)
    assert "重みとスコアを見直してください" in ja(final.explanation)
    assert final.explanation.code == "checklist.decisions.final.conflict"
    assert final.explanation.as_json()["params"] == {
        "option": "hubspot", "kind": "package", "yes": 4, "total": 6, "implication": "scratch"}  # fmt: skip


def test_package_with_few_signals_is_consistent() -> None:
    final = final_recommendation(matrix_score(TWO, PACKAGE_WINS), signals_assess(_answers(1)))
    assert final.agreement is Agreement.CONSISTENT
    assert final.option == "hubspot"
    assert "The two agree." in en(final.explanation)
    assert "両者は一致しています" in ja(final.explanation)


def test_package_with_hybrid_signals_stands_but_names_the_alternative() -> None:
    final = final_recommendation(matrix_score(TWO, PACKAGE_WINS), signals_assess(_answers(3)))
    assert final.agreement is Agreement.CONSIDER_ALTERNATIVE
    assert final.option == "hubspot"
    assert "worth considering" in en(final.explanation)
    assert "検討する価値があります" in ja(final.explanation)


def test_scratch_with_no_signals_is_a_conflict_and_custom_kinds() -> None:
    scores = {"inhouse": {"initial_cost": 5, "lead_time": 5}, "crm": {"initial_cost": 1, "lead_time": 1}}
    matrix = matrix_score(TWO, scores)
    final = final_recommendation(
        matrix,
        signals_assess(_answers(0)),
        {"inhouse": "scratch", "crm": OptionKind.PACKAGE},
        option_names={"inhouse": "In-house build"},
    )
    assert final.agreement is Agreement.CONFLICT
    assert "'In-house build' (full scratch)" in en(final.explanation)
    with pytest.raises(ScoringError) as caught:
        final_recommendation(matrix, signals_assess(_answers(0)))
    assert caught.value.code == "checklist.decisions.option_kind_missing"
    assert caught.value.option == "inhouse"
    with pytest.raises(ScoringError) as caught:
        final_recommendation(matrix, signals_assess(_answers(0)), {"inhouse": "bespoke"})
    assert caught.value.code == "checklist.decisions.option_kind_invalid"


def test_tie_has_no_final_recommendation() -> None:
    scores = {"hubspot": {"initial_cost": 5, "lead_time": 1}, "hybrid": {"initial_cost": 1, "lead_time": 5}}
    final = final_recommendation(matrix_score(TWO, scores), signals_assess(_answers(2)))
    assert final.agreement is Agreement.TIE
    assert final.option is None and final.matrix_option is None
    assert "no single recommendation" in en(final.explanation)
    assert "'Hybrid (package + custom dashboard)' matches the signals" in en(final.explanation)
    assert "単一の推奨はありません" in ja(final.explanation)


def test_final_recommendation_states_stability() -> None:
    matrix = matrix_score(TWO, PACKAGE_WINS)
    # hubspot 9, full_scratch 3, D = 6; every score favours hubspot, so only decreases could flip:
    # initial_cost d = 4 -> -3/2 -> weight -1/2; lead_time d = 2 -> -3 -> -2: stable.
    stab = stability(TWO, PACKAGE_WINS)
    final = final_recommendation(matrix, signals_assess(_answers(0)), stability_result=stab)
    assert "stable" in en(final.explanation)
    assert "推奨は変わりません" in ja(final.explanation)
    flippable = final_recommendation(
        matrix_score(STAB_WEIGHTS, STAB_SCORES),
        signals_assess(_answers(0)),
        {"P": "package", "Q": "package", "R": "hybrid"},
        stability_result=stability(STAB_WEIGHTS, STAB_SCORES),
    )
    assert "Raising the weight of 'Real-time capability' by ≈0.67 (2 -> ≈2.67)" in en(flippable.explanation)
    assert "「リアルタイム性」の重みを≈0.67上げると(2→≈2.67)、「R」が首位と並び" in ja(flippable.explanation)


# ---- Markdown ----------------------------------------------------------------------------------


def _report(lang: str) -> str:
    return matrix_markdown(
        matrix_score(STAB_WEIGHTS, STAB_SCORES),
        lang=lang,  # type: ignore[arg-type]
        option_names={"P": "HubSpot", "Q": "kintone", "R": "Hybrid | custom"},
        rationales={"P": {"initial_cost": "monthly fee\nno build"}},
        signals=signals_assess(_answers(5)),
        option_kinds={"P": "package", "Q": "package", "R": "hybrid"},
        decision=RecordedDecision(
            option="R",
            decided_by="Sato Hanako",
            decided_at=datetime(2026, 1, 9, 1, 30, tzinfo=UTC),
            reason="Board approved",
        ),
    )


def test_markdown_japanese() -> None:
    text = _report("ja")
    assert text.startswith("# 判断マトリクス: MA/SFAパッケージ vs フルスクラッチ開発\n")
    assert "## 評価基準と重み" in text
    assert "| 評価基準 | 重み | 比率 | 採点の目安 |" in text
    # Weight 5 of 8 = 62.50%.
    assert "| 導入期間 | 5 | 62.50% | 5 = 最も短期間で稼働、1 = 最も長い |" in text
    assert "| 評価基準 | 重み | HubSpot | kintone | Hybrid \\| custom |" in text
    assert "| 加重合計 |  | 32 | 20 | 30 |" in text
    # 32/40 = 80.00, 20/40 = 50.00, 30/40 = 75.00.
    assert "| 正規化スコア(0〜100) |  | 80.00 | 50.00 | 75.00 |" in text
    assert "| 初期コスト | 3 | monthly fee<br>no build |" in text
    assert (
        "**HubSpot** を推奨します(2位「Hybrid | custom」との差: 加重合計 2、正規化スコア 5.00ポイント)。"
        in text
    )
    assert "## 安定性" in text
    assert "| リアルタイム性 | 上げる | 2 | +≈0.67 | ≈2.67 | Hybrid \\| custom |" in text
    assert "| 複数のデータソースを統合した独自のKPI計算が必要ですか? | はい |" in text
    assert "| 長期的なコスト削減や拡張性を重視しますか? | いいえ |" in text
    assert "### 総合判断" in text
    assert "判断マトリクスとシグナルが食い違っています" in text
    assert "## 最終判断の記録" in text
    # 01:30 UTC is 10:30 in Tokyo.
    assert "| Hybrid \\| custom | Sato Hanako | 2026-01-09 10:30 JST | Board approved |" in text


def test_markdown_english() -> None:
    text = _report("en")
    assert text.startswith("# Decision matrix: MA/SFA package vs full scratch\n")
    assert "## Criteria and weights" in text
    assert "| Criterion | Weight | Share | Scoring guide |" in text
    assert "| Total | 8 | 100% |  |" in text
    assert "| Rank | Option | Weighted total | Normalised score (0-100) |" in text
    assert "| 1 | HubSpot | 32 | 80.00 |" in text
    assert "| 2 | Hybrid \\| custom | 30 | 75.00 |" in text
    assert "| 3 | kintone | 20 | 50.00 |" in text
    assert "## Recommendation" in text
    assert "**HubSpot** is recommended (ahead of 'Hybrid | custom' by 2 weighted points" in text
    assert "| Real-time capability | increase | 2 | +≈0.67 | ≈2.67 | Hybrid \\| custom |" in text
    assert '5 of 6 "package falls short" signals are yes: a full-scratch build is likely needed.' in text
    assert "The matrix and the signals disagree" in text
    assert "| Decision | Decided by | Date | Reason |" in text
    assert text.endswith("| Hybrid \\| custom | Sato Hanako | 2026-01-09 10:30 JST | Board approved |\n")


def test_markdown_tie_without_signals_or_decision() -> None:
    result = matrix_score(
        {"initial_cost": D(1), "lead_time": D(1)},
        {"hubspot": {"initial_cost": 5, "lead_time": 1}, "full_scratch": {"initial_cost": 1, "lead_time": 5}},
    )
    ja = matrix_markdown(result, lang="ja")
    assert "首位が同点(「HubSpot」・「フルスクラッチ開発」)のため、単一の推奨はありません。" in ja
    assert "シグナルは未評価です。" in ja
    assert "最終判断の記録" not in ja
    en = matrix_markdown(result, lang="en")
    assert (
        "First place is tied ('HubSpot', 'Full-scratch build'), so there is no single recommendation." in en
    )
    assert "The signals have not been assessed." in en
    with pytest.raises(ValueError, match="lang"):
        matrix_markdown(result, lang="fr")  # type: ignore[arg-type]


def test_markdown_default_matrix_with_default_rationales() -> None:
    result = matrix_score(default_weights(), default_scores())
    text = matrix_markdown(result, lang="en", rationales=default_rationales("en"))
    assert "#### Full-scratch build" in text
    assert "| Initial cost | 1 | High (development cost) |" in text
    assert "**Hybrid (package + custom dashboard)** is recommended" in text
    # Hybrid 365 vs scratch 360, D = 5. initial_cost: d = 3-1 = 2 -> delta = -5/2 -> 7.5.
    assert "Lowering the weight of 'Initial cost' by 2.5 (10 -> 7.5)" in text
