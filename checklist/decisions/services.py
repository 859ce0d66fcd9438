"""Write paths of the decision matrix. Each runs in the workspace in context, owns its transaction and audits.

Validation of weights, scores and signal answers is the scoring package's: its ScoringError (a code with
parameters) becomes a 400 naming the field. The service layer adds only what scoring cannot know (criterion
keys in a partial update, duplicate names, the matrix's state). Errors are codes of
``checklist.decisions.messages``; the API renders them in the caller's language.

A recorded decision LOCKS the matrix: weights, options and signal answers are refused (409) until the
decision is reopened. We chose refusal over marking the decision stale because the decision cites the
matrix as its evidence (the export shows both together, checklist item A12 relies on it): editing the numbers
under a recorded decision would silently make the record and the report disagree, while an explicit,
audited reopen keeps the history honest. The name and the decision's requirements/development plan stay
editable: they do not change what was compared.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from checklist.decisions import scoring
from checklist.decisions.models import DecisionMatrix, MatrixOption
from checklist.decisions.selectors import matrix_evaluate, matrix_weights
from core.changes import fields_apply
from core.errors import ConflictError, ServiceError
from tenants.context import require_workspace_id
from tenants.models import Membership
from tenants.services import Actor, audit_event_record

MAX_WEIGHT = Decimal(1_000_000)
WEIGHT_PLACES = 4
MAX_RATIONALE = 2000
_CRITERION_KEYS = tuple(c.key for c in scoring.CRITERIA)


# --- Validation helpers ----------------------------------------------------------------------


def _scoring_error(exc: scoring.ScoringError, field: str) -> ServiceError:
    return ServiceError(exc.code, params=exc.params, field=field)


def _unknown_criterion(field: str, key: str) -> ServiceError:
    return ServiceError(
        "checklist.decisions.criterion_unknown", params={"criterion": key}, field=f"{field}.{key}"
    )


def _weight_value(key: str, value: Any) -> Decimal:
    """A JSON number (or a numeric string) as an exact Decimal; scoring then judges the value."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ServiceError("checklist.decisions.weight_not_number", field=f"weights.{key}")
    try:
        return Decimal(str(value)) if not isinstance(value, int) else Decimal(value)
    except InvalidOperation:
        raise ServiceError("checklist.decisions.weight_not_number", field=f"weights.{key}") from None


def _weights_checked(current: Mapping[str, Decimal], changes: Mapping[str, Any]) -> dict[str, Decimal]:
    weights = dict(current)
    for key, value in changes.items():
        if key not in _CRITERION_KEYS:
            raise _unknown_criterion("weights", key)
        weights[key] = _weight_value(key, value)
    # Bounds first: scoring multiplies the weights, and an enormous exponent would overflow there.
    for key, weight in weights.items():
        if weight.is_finite() and (
            weight > MAX_WEIGHT or weight.normalize().as_tuple().exponent < -WEIGHT_PLACES
        ):  # type: ignore[operator]
            raise ServiceError(
                "checklist.decisions.weight_out_of_bounds",
                params={"max": MAX_WEIGHT, "places": WEIGHT_PLACES},
                field=f"weights.{key}",
            )
    try:
        # Scores of 1 everywhere are valid, so any error scoring raises is about the weights.
        scoring.matrix_score(weights, {"_": {key: scoring.MIN_SCORE for key in weights}})
    except scoring.ScoringError as exc:
        raise _scoring_error(exc, f"weights.{exc.criterion}" if exc.criterion else "weights") from exc
    return weights


def _weights_stored(weights: Mapping[str, Decimal]) -> dict[str, str]:
    return {key: format(value.normalize(), "f") for key, value in weights.items()}


def _scores_checked(name: str, current: Mapping[str, int], changes: Mapping[str, Any]) -> dict[str, int]:
    """Merge score changes (None removes a score) and let scoring judge every score given."""
    scores = dict(current)
    for key, value in changes.items():
        if key not in _CRITERION_KEYS:
            raise _unknown_criterion("scores", key)
        if value is None:
            scores.pop(key, None)
        else:
            scores[key] = value
    # Unscored criteria are filled with a valid probe value: a partially scored option is a draft.
    probe = {key: scoring.MIN_SCORE for key in _CRITERION_KEYS} | scores
    try:
        scoring.matrix_score(scoring.default_weights(), {name: probe})
    except scoring.ScoringError as exc:
        raise _scoring_error(exc, f"scores.{exc.criterion}" if exc.criterion else "scores") from exc
    return {key: scores[key] for key in _CRITERION_KEYS if key in scores}


def _rationales_checked(current: Mapping[str, str], changes: Mapping[str, Any]) -> dict[str, str]:
    rationales = dict(current)
    for key, value in changes.items():
        if key not in _CRITERION_KEYS:
            raise _unknown_criterion("rationales", key)
        if value is None or value == "":
            rationales.pop(key, None)
        elif not isinstance(value, str) or len(value) > MAX_RATIONALE:
            raise ServiceError(
                "checklist.decisions.rationale_invalid",
                params={"max": MAX_RATIONALE},
                field=f"rationales.{key}",
            )
        else:
            rationales[key] = value
    return {key: rationales[key] for key in _CRITERION_KEYS if key in rationales}


def _locked(matrix: DecisionMatrix) -> DecisionMatrix:
    """The matrix row, locked for the change; refuses while a decision is recorded or it is archived."""
    fresh = DecisionMatrix.objects.select_for_update().get(id=matrix.id)
    if fresh.status == DecisionMatrix.Status.DECIDED:
        raise ConflictError("checklist.decisions.matrix_decided")
    if fresh.status == DecisionMatrix.Status.ARCHIVED:
        raise ConflictError("checklist.decisions.matrix_archived")
    return fresh


def _name_taken(matrix: DecisionMatrix, name: str, *, exclude: Any = None) -> bool:
    names = MatrixOption.objects.filter(matrix=matrix).exclude(id=exclude).values_list("name", flat=True)
    return any(n.casefold() == name.casefold() for n in names)


def _option_name_taken() -> ServiceError:
    return ServiceError("checklist.decisions.option_name_taken", field="name")


# --- Matrices --------------------------------------------------------------------------------


@transaction.atomic
def matrix_create(
    *,
    actor: Actor,
    name: str,
    templates: Iterable[str] = (),
    weights: Mapping[str, Any] | None = None,
) -> DecisionMatrix:
    """A matrix with the nine criteria at their default weights (``weights`` overrides some), empty or
    pre-filled with the default option templates of ``checklist.decisions.criteria`` (their scores and
    rationales, in the request's language, are starting points)."""
    if DecisionMatrix.objects.filter(name=name).exists():
        raise ServiceError("checklist.decisions.matrix_name_taken", field="name")
    templates = list(dict.fromkeys(templates))
    for key in templates:
        if key not in scoring.DEFAULT_OPTIONS_BY_KEY:
            raise ServiceError(
                "checklist.decisions.template_unknown", params={"template": key}, field="templates"
            )
    checked = _weights_checked(scoring.default_weights(), weights or {})
    matrix = DecisionMatrix.objects.create(name=name, weights=_weights_stored(checked))
    for position, key in enumerate(templates):
        _option_from_template(matrix=matrix, template_key=key, position=position)
    audit_event_record(
        actor=actor,
        action="checklist.matrix.created",
        target_type="decision_matrix",
        target_id=matrix.id,
        changes={"name": name, "weights": matrix.weights, "templates": templates},
    )
    return matrix


def _option_from_template(
    *, matrix: DecisionMatrix, template_key: str, position: int, name: str | None = None
) -> MatrixOption:
    template = scoring.DEFAULT_OPTIONS_BY_KEY[template_key]
    lang = scoring.active_language()
    return MatrixOption.objects.create(
        matrix=matrix,
        name=name or template.name(lang),
        kind=template.kind.value,
        template_key=template_key,
        scores=dict(template.scores),
        rationales=dict(template.rationale(lang)),
        position=position,
    )


@transaction.atomic
def matrix_update(
    *,
    actor: Actor,
    matrix: DecisionMatrix,
    name: str | None = None,
    weights: Mapping[str, Any] | None = None,
    status: str | None = None,
) -> DecisionMatrix:
    """Rename (always allowed), change some weights, or archive/unarchive (refused while decided)."""
    fresh = DecisionMatrix.objects.select_for_update().get(id=matrix.id)
    if fresh.status == DecisionMatrix.Status.DECIDED and (weights is not None or status is not None):
        _locked(fresh)  # refuses: reopen the decision first
    if weights is not None and fresh.status == DecisionMatrix.Status.ARCHIVED and status != "open":
        _locked(fresh)  # refuses: an archived matrix is read-only until it is opened again
    diff: dict[str, Any] = {}
    if name is not None and name != fresh.name:
        if DecisionMatrix.objects.filter(name=name).exclude(id=fresh.id).exists():
            raise ServiceError("checklist.decisions.matrix_name_taken", field="name")
        diff["name"] = {"from": fresh.name, "to": name}
        fresh.name = name
    if weights:
        new = _weights_stored(_weights_checked(matrix_weights(fresh), weights))
        changed = {
            k: {"from": fresh.weights.get(k), "to": v} for k, v in new.items() if fresh.weights.get(k) != v
        }
        if changed:
            diff["weights"] = changed
            fresh.weights = new
    if status is not None and status != fresh.status:
        diff["status"] = {"from": fresh.status, "to": status}
        fresh.status = status
    if diff:
        fresh.save()
        audit_event_record(
            actor=actor,
            action="checklist.matrix.updated",
            target_type="decision_matrix",
            target_id=fresh.id,
            changes=diff,
        )
    return fresh


@transaction.atomic
def matrix_signals_answer(
    *, actor: Actor, matrix: DecisionMatrix, answers: Mapping[str, Any]
) -> DecisionMatrix:
    """Replace the answers to the six "package falls short" questions (a null or missing key is unanswered)."""
    fresh = _locked(matrix)
    given = {key: value for key, value in answers.items() if value is not None}
    try:
        scoring.signals_assess(given)
    except scoring.ScoringError as exc:
        raise _scoring_error(exc, "answers") from exc
    ordered = {s.key: given[s.key] for s in scoring.SIGNALS if s.key in given}
    if ordered != fresh.signal_answers:
        audit_event_record(
            actor=actor,
            action="checklist.matrix.signals_answered",
            target_type="decision_matrix",
            target_id=fresh.id,
            changes={"from": fresh.signal_answers, "to": ordered},
        )
        fresh.signal_answers = ordered
        fresh.save(update_fields=["signal_answers", "updated_at"])
    return fresh


# --- Options ---------------------------------------------------------------------------------


@transaction.atomic
def option_create(
    *,
    actor: Actor,
    matrix: DecisionMatrix,
    name: str | None = None,
    kind: str | None = None,
    template: str | None = None,
    scores: Mapping[str, Any] | None = None,
    rationales: Mapping[str, Any] | None = None,
    position: int | None = None,
) -> MatrixOption:
    """An option, blank or from a default option template (whose scores/rationales the given ones override)."""
    matrix = _locked(matrix)
    base_scores: dict[str, int] = {}
    base_rationales: dict[str, str] = {}
    if template:
        if template not in scoring.DEFAULT_OPTIONS_BY_KEY:
            raise ServiceError(
                "checklist.decisions.template_unknown", params={"template": template}, field="template"
            )
        found = scoring.DEFAULT_OPTIONS_BY_KEY[template]
        lang = scoring.active_language()
        base_scores, base_rationales = dict(found.scores), dict(found.rationale(lang))
        name = name or found.name(lang)
        kind = kind or found.kind.value
    if not name:
        raise ServiceError("checklist.decisions.name_required", field="name")
    if not kind:
        raise ServiceError("checklist.decisions.kind_required", field="kind")
    if _name_taken(matrix, name):
        raise _option_name_taken()
    checked_scores = _scores_checked(name, base_scores, scores or {})
    checked_rationales = _rationales_checked(base_rationales, rationales or {})
    if position is None:
        position = MatrixOption.objects.filter(matrix=matrix).count()
    option = MatrixOption.objects.create(
        matrix=matrix,
        name=name,
        kind=kind,
        template_key=template or "",
        scores=checked_scores,
        rationales=checked_rationales,
        position=position,
    )
    audit_event_record(
        actor=actor,
        action="checklist.matrix_option.created",
        target_type="matrix_option",
        target_id=option.id,
        changes={"matrix": str(matrix.id), "name": name, "kind": kind, "scores": checked_scores},
    )
    return option


@transaction.atomic
def option_update(
    *,
    actor: Actor,
    option: MatrixOption,
    name: str | None = None,
    kind: str | None = None,
    scores: Mapping[str, Any] | None = None,
    rationales: Mapping[str, Any] | None = None,
    position: int | None = None,
) -> MatrixOption:
    """Change some of an option's fields; scores and rationales merge per criterion (null removes one)."""
    _locked(option.matrix)
    fresh = MatrixOption.objects.select_for_update().get(id=option.id)
    diff: dict[str, Any] = {}
    if name is not None and name != fresh.name:
        if _name_taken(fresh.matrix, name, exclude=fresh.id):
            raise _option_name_taken()
        diff["name"] = {"from": fresh.name, "to": name}
        fresh.name = name
    if kind is not None and kind != fresh.kind:
        diff["kind"] = {"from": fresh.kind, "to": kind}
        fresh.kind = kind
    if scores is not None:
        new_scores = _scores_checked(fresh.name, fresh.scores or {}, scores)
        if new_scores != fresh.scores:
            diff["scores"] = {"from": fresh.scores, "to": new_scores}
            fresh.scores = new_scores
    if rationales is not None:
        new_rationales = _rationales_checked(fresh.rationales or {}, rationales)
        if new_rationales != fresh.rationales:
            diff["rationales"] = {"from": fresh.rationales, "to": new_rationales}
            fresh.rationales = new_rationales
    if position is not None and position != fresh.position:
        diff["position"] = {"from": fresh.position, "to": position}
        fresh.position = position
    if diff:
        fresh.save()
        audit_event_record(
            actor=actor,
            action="checklist.matrix_option.updated",
            target_type="matrix_option",
            target_id=fresh.id,
            changes=diff,
        )
    return fresh


@transaction.atomic
def option_delete(*, actor: Actor, option: MatrixOption) -> None:
    _locked(option.matrix)
    audit_event_record(
        actor=actor,
        action="checklist.matrix_option.deleted",
        target_type="matrix_option",
        target_id=option.id,
        changes={"matrix": str(option.matrix_id), "name": option.name, "scores": option.scores},
    )
    option.delete()


# --- The decision ----------------------------------------------------------------------------


@transaction.atomic
def decision_record(
    *,
    actor: Actor,
    matrix: DecisionMatrix,
    option: MatrixOption,
    reason: str,
    requirements: str = "",
    development_plan: str = "",
) -> DecisionMatrix:
    """Record the final decision: which option, who (user and membership), when (now) and why.

    The matrix must be fully scored (the decision cites it). The consultant may choose another option
    than the recommendation; the audit event keeps what the matrix recommended at that moment.
    """
    fresh = _locked(matrix)
    if option.matrix_id != fresh.id:
        raise ServiceError("checklist.decisions.option_not_in_matrix", field="option")
    if not reason.strip():
        raise ServiceError("checklist.decisions.reason_required", field="reason")
    evaluation = matrix_evaluate(fresh)
    if evaluation.result is None:
        assert evaluation.error is not None
        raise _scoring_error(evaluation.error, "option")
    membership = None
    if actor.user is not None:
        membership = Membership.objects.filter(workspace_id=require_workspace_id(), user=actor.user).first()
    fresh.status = DecisionMatrix.Status.DECIDED
    fresh.decided_option = option
    fresh.decided_at = timezone.now()
    fresh.decided_by_user = actor.user
    fresh.decided_by_membership = membership
    fresh.decided_by_label = (actor.user.full_name or actor.user.email) if actor.user else actor.label
    fresh.decision_reason = reason.strip()
    fresh.requirements = requirements
    fresh.development_plan = development_plan
    fresh.save()
    final = evaluation.final
    audit_event_record(
        actor=actor,
        action="checklist.matrix.decision_recorded",
        target_type="decision_matrix",
        target_id=fresh.id,
        changes={
            "option": str(option.id),
            "option_name": option.name,
            "kind": option.kind,
            "reason": fresh.decision_reason,
            "decided_by": fresh.decided_by_label,
            "membership": str(membership.id) if membership else None,
            "decided_at": fresh.decided_at.isoformat(),
            "matrix_recommendation": evaluation.result.recommendation,
            "final_recommendation": final.option if final else None,
            "agreement": final.agreement.value if final else None,
            "weights": fresh.weights,
            "totals": {o.key: str(o.weighted_total) for o in evaluation.result.options},
            "signal_answers": fresh.signal_answers,
        },
    )
    return fresh


@transaction.atomic
def decision_update(
    *,
    actor: Actor,
    matrix: DecisionMatrix,
    requirements: str | None = None,
    development_plan: str | None = None,
) -> DecisionMatrix:
    """Add or revise the requirements and development plan of a recorded (scratch or hybrid) decision."""
    fresh = DecisionMatrix.objects.select_for_update().get(id=matrix.id)
    if not fresh.is_decided:
        raise ConflictError("checklist.decisions.no_decision")
    given = {"requirements": requirements, "development_plan": development_plan}
    diff = fields_apply(fresh, {field: value for field, value in given.items() if value is not None})
    if diff:
        fresh.save()
        audit_event_record(
            actor=actor,
            action="checklist.matrix.decision_updated",
            target_type="decision_matrix",
            target_id=fresh.id,
            changes=diff,
        )
    return fresh


@transaction.atomic
def decision_reopen(*, actor: Actor, matrix: DecisionMatrix, reason: str = "") -> DecisionMatrix:
    """Withdraw the recorded decision so the matrix can change again; the audit trail keeps the old one."""
    fresh = DecisionMatrix.objects.select_for_update().get(id=matrix.id)
    if not fresh.is_decided:
        raise ConflictError("checklist.decisions.no_decision")
    previous = {
        "option": str(fresh.decided_option_id) if fresh.decided_option_id else None,
        "decided_by": fresh.decided_by_label,
        "decided_at": fresh.decided_at.isoformat() if fresh.decided_at else None,
        "reason": fresh.decision_reason,
    }
    fresh.status = DecisionMatrix.Status.OPEN
    fresh.decided_option = None
    fresh.decided_at = None
    fresh.decided_by_user = None
    fresh.decided_by_membership = None
    fresh.decided_by_label = ""
    fresh.decision_reason = ""
    fresh.save()
    audit_event_record(
        actor=actor,
        action="checklist.matrix.decision_reopened",
        target_type="decision_matrix",
        target_id=fresh.id,
        changes={"previous": previous, "reason": reason},
    )
    return fresh
