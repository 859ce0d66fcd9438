"""The mappings a new connection starts with, per CRM: the user only confirms them (or changes a few).

Funnel stages (appointment -> meeting -> proposal -> won / lost) follow how Japanese B2B sales count their
funnel: an appointment obtained (アポ), a meeting held (商談), a proposal made (提案), then the close. The
funnel is cumulative, so a stage maps to the *furthest* funnel stage a deal in it has certainly reached.

HubSpot's default sales pipeline (``default``), by its stage ids:

=========================  ============  ====================================================================
appointmentscheduled       appointment   an appointment is booked
qualifiedtobuy             meeting       qualified, which takes a first meeting
presentationscheduled      proposal      the presentation is the proposal
decisionmakerboughtin      proposal      past the proposal, not closed
contractsent               proposal      past the proposal, not closed
closedwon / closedlost     won / lost
=========================  ============  ====================================================================

Salesforce's standard opportunity stages (no pipelines: ``pipeline`` is empty):

=========================  ============  ====================================================================
Prospecting                appointment   an opportunity is opened when a first appointment is set
Qualification              meeting       qualifying needs a conversation
Needs Analysis             meeting
Value Proposition          meeting       still discovery: Salesforce's own proposal stage comes later
Id. Decision Makers        meeting
Perception Analysis        meeting
Proposal/Price Quote       proposal      the literal proposal
Negotiation/Review         proposal      past the proposal, not closed
Closed Won / Closed Lost   won / lost
=========================  ============  ====================================================================

Activity types: HubSpot's engagement objects and Salesforce's Task ``Type``/``TaskSubtype`` and Event;
notes and "Other" are not counted. The canonical names themselves map to themselves, so a mapper that
already says ``call`` needs no row of its own.

Leads (checklist B13): HubSpot contacts whose lifecycle stage is at or past ``lead``; MQL at or past
``marketingqualifiedlead``; SQL at or past ``salesqualifiedlead``. Salesforce: every Lead record; it has no
standard MQL/SQL, so MQL is a Lead status of "Working - Contacted" or later and SQL "Closed - Converted".
CSV: every imported contact is a lead; MQL and SQL are left for the user to define.
"""

from __future__ import annotations

from dataclasses import dataclass

HUBSPOT_LIFECYCLE = (
    "subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer", "evangelist",
)  # fmt: skip


@dataclass(frozen=True)
class StageDefault:
    pipeline: str
    stage: str
    label: str
    funnel_stage: str


@dataclass(frozen=True)
class LeadDefault:
    source: str
    lead_stages: tuple[str, ...]
    mql_stages: tuple[str, ...]
    sql_stages: tuple[str, ...]


def _stages(pipeline: str, rows: list[tuple[str, str, str]]) -> tuple[StageDefault, ...]:
    return tuple(StageDefault(pipeline, stage, label, funnel) for stage, label, funnel in rows)


STAGES: dict[str, tuple[StageDefault, ...]] = {
    "hubspot": _stages("default", [
        ("appointmentscheduled", "Appointment Scheduled", "appointment"),
        ("qualifiedtobuy", "Qualified To Buy", "meeting"),
        ("presentationscheduled", "Presentation Scheduled", "proposal"),
        ("decisionmakerboughtin", "Decision Maker Bought-In", "proposal"),
        ("contractsent", "Contract Sent", "proposal"),
        ("closedwon", "Closed Won", "won"),
        ("closedlost", "Closed Lost", "lost"),
    ]),
    "salesforce": _stages("", [
        ("Prospecting", "Prospecting", "appointment"),
        ("Qualification", "Qualification", "meeting"),
        ("Needs Analysis", "Needs Analysis", "meeting"),
        ("Value Proposition", "Value Proposition", "meeting"),
        ("Id. Decision Makers", "Id. Decision Makers", "meeting"),
        ("Perception Analysis", "Perception Analysis", "meeting"),
        ("Proposal/Price Quote", "Proposal/Price Quote", "proposal"),
        ("Negotiation/Review", "Negotiation/Review", "proposal"),
        ("Closed Won", "Closed Won", "won"),
        ("Closed Lost", "Closed Lost", "lost"),
    ]),
    "csv": (),
}  # fmt: skip

_CANONICAL_ACTIVITIES = {"call": "call", "email": "email", "meeting": "meeting", "task": "task"}

ACTIVITY_TYPES: dict[str, dict[str, str]] = {
    "hubspot": {
        **_CANONICAL_ACTIVITIES,
        "calls": "call", "emails": "email", "meetings": "meeting", "tasks": "task",
        "notes": "ignore", "communications": "ignore", "postal_mail": "ignore",
    },
    "salesforce": {
        **_CANONICAL_ACTIVITIES,
        "Call": "call", "Email": "email", "Meeting": "meeting", "Event": "meeting", "Task": "task",
        "Other": "ignore",
    },
    "csv": dict(_CANONICAL_ACTIVITIES),
}  # fmt: skip

LEADS: dict[str, LeadDefault] = {
    "hubspot": LeadDefault("lifecycle", HUBSPOT_LIFECYCLE[1:], HUBSPOT_LIFECYCLE[2:], HUBSPOT_LIFECYCLE[3:]),
    "salesforce": LeadDefault(
        "leads_object", (), ("Working - Contacted", "Closed - Converted"), ("Closed - Converted",)
    ),
    "csv": LeadDefault("all_contacts", (), (), ()),
}
