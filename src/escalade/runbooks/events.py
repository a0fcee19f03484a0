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
