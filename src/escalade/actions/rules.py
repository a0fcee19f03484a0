"""Rules of action items: their moves and when their owner is reminded. Pure functions."""

from __future__ import annotations

import datetime as dt

from escalade.core.transitions import Transitions

from .choices import ActionState

TRANSITIONS = Transitions(
    {
        "complete": {ActionState.OPEN: ActionState.DONE},
        "cancel": {ActionState.OPEN: ActionState.CANCELLED},
        "reopen": {ActionState.DONE: ActionState.OPEN, ActionState.CANCELLED: ActionState.OPEN},
    }
)

LEAD_DAYS = 2  # the owner is reminded this many days before the due date
OVERDUE_EVERY = 7  # and, once overdue, every week until it is done


def is_overdue(due: dt.date | None, state: str, today: dt.date) -> bool:
    """Open and past its due date."""
    return state == ActionState.OPEN and due is not None and due < today


def reminder_key(
    due: dt.date | None, today: dt.date, lead_days: int = LEAD_DAYS, every: int = OVERDUE_EVERY
) -> str | None:
    """The reminder due today for an open item: "before" from `lead_days` before its due
    date, "overdue:<n>" on the first day past it and every `every` days after (n counts
    them); None when nothing is due (or no date). The job sends each key once."""
    if due is None:
        return None
    days = (due - today).days
    if 0 <= days <= lead_days:
        return "before"
    if days < 0:
        return f"overdue:{(-days - 1) // every}"
    return None
