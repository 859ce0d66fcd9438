"""The cumulative funnel, as a pure function: the date a deal first reached each funnel stage.

A deal that reaches a later stage has reached every earlier one; when no date is known for an earlier
stage, it is the date the deal first reached the nearest later stage that has one. ``won`` is the last
stage of the progression (appointment -> meeting -> proposal -> won); ``lost`` is a close, not a step, so
it implies nothing about the stages before it and takes its own date only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

PROGRESSION = ("appointment", "meeting", "proposal", "won")
STAGES = (*PROGRESSION, "lost")


def funnel_dates_fill(reached: Mapping[str, dt.date | None]) -> dict[str, dt.date | None]:
    """``{stage: date}`` for every funnel stage, earlier stages filled from later ones.

    An earlier stage keeps its own date when it has one, unless a later stage was reached *before* it
    (stage history can be out of order after a deal skipped back): the stage was reached by then at the
    latest, so it takes the earlier of the two.
    """
    filled: dict[str, dt.date | None] = {stage: reached.get(stage) for stage in STAGES}
    later: dt.date | None = None
    for stage in reversed(PROGRESSION):
        own = filled[stage]
        if later is not None and (own is None or later < own):
            own = later
        filled[stage] = own
        if own is not None:
            later = own
    return filled
