"""What happens to an outage run from a runbook (seed 004), for the apps built on it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from escalade.core.events import Event, event


@dataclass(frozen=True, kw_only=True)
class OutageEvent(Event):
    outage: Any

    @property
    def institution(self):
        return self.outage.institution


@event
class OutageActivated(OutageEvent):
    """Degraded mode begins: its steps, its broadcasts and its incident exist."""

    name = "outage.activated"


@event
class OutageRestored(OutageEvent):
    """The return to normal has started."""

    name = "outage.restored"


@event
class OutageClosed(OutageEvent):
    name = "outage.closed"


@event
class UnitsSilent(OutageEvent):
    """Units asked to confirm have not, after the runbook's delay: their leads must be
    reached (the on-call app pages them)."""

    name = "outage.units_silent"
    confirmations: tuple = ()


@event
class UnitConfirmed(OutageEvent):
    """A unit confirmed it works on paper, or is back to normal work."""

    name = "outage.unit_confirmed"
    confirmation: Any = None
