"""What happens to a telehealth session, for the apps built on sessions (core/events.py)."""

from __future__ import annotations

from typing import Any

from escalade.core.events import Event, event


@event
class TroubleshootingStarted(Event):
    """Seed 000: a live session is in trouble; the 12-step protocol is open on it, with
    its major incident (the patient is waiting: the clocks are minutes)."""

    name = "session.troubleshooting_started"
    session: Any
    protocol: Any
    incident: Any

    @property
    def institution(self):
        return self.session.institution
