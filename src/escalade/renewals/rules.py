"""Which reminder is due for a certificate on a day (pure)."""

from __future__ import annotations

import datetime as dt

LEADS = (90, 60, 30)
DEFAULT_LICENCE_DAYS = 30


def due_reminder(expires: dt.date, today: dt.date, leads=LEADS) -> str | None:
    """The key of the reminder due today: the tightest lead reached ('30' before '60'...),
    or 'expired:<today>' every day after expiry; None otherwise."""
    days = (expires - today).days
    if days < 0:
        return f"expired:{today.isoformat()}"
    reached = [lead for lead in sorted(leads) if days <= lead]
    return str(reached[0]) if reached else None
