"""What happens to an incident, for the apps built on incidents (core/events.py says how
to publish and subscribe). Each is published by `incidents.services` inside the move's
transaction, whatever door the move came through (a page, the API, mail, a command)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from escalade.core.events import Event, event


@dataclass(frozen=True, kw_only=True)
class IncidentEvent(Event):
    incident: Any

    @property
    def institution(self):
        return self.incident.institution

    def hook_data(self) -> dict:
        i = self.incident
        return {
            "number": i.number,
            "severity": i.severity,
            "level": i.level,
            "status": i.status,
            "ticket": getattr(getattr(i, "ticket", None), "number", None),
            "patient_safety": i.patient_safety,
        }


@event
class IncidentCreated(IncidentEvent):
    """Logged, classified and assigned (any channel)."""

    name = "incident.created"
    hook = "incident.created"


@event
class IncidentClassified(IncidentEvent):
    """Its severity applied: at intake (`new`) or when reclassified. A major incident
    has its ticket by then."""

    name = "incident.classified"
    severity: str
    new: bool = False


@event
class IncidentStarted(IncidentEvent):
    """Someone took it in hand (its first response)."""

    name = "incident.started"


@event
class IncidentEscalated(IncidentEvent):
    name = "incident.escalated"
    hook = "incident.escalated"
    from_level: int
    to_level: int


@event
class IncidentReprioritized(IncidentEvent):
    """Impact and urgency re-evaluated (seed 002, after level 2)."""

    name = "incident.reprioritized"
    priority: int


@event
class NoteAdded(IncidentEvent):
    """A note on the timeline; `to_requester`: it must reach the requester too (the mail
    app sends it in the incident's thread, or refuses: then no note either)."""

    name = "incident.note_added"
    note: Any
    to_requester: bool = False


@event
class IncidentResolved(IncidentEvent):
    name = "incident.resolved"


@event
class IncidentClosing(IncidentEvent):
    """About to close, the row locked: a subscriber refuses by raising a domain error
    (the major-incident report is incomplete)."""

    name = "incident.closing"


@event
class IncidentClosed(IncidentEvent):
    name = "incident.closed"


@event
class IncidentReopened(IncidentEvent):
    name = "incident.reopened"
    reason: str = ""


@event
class PatientSafetyFlagged(IncidentEvent):
    """Seed 000 step 12: had (`confirmed`) or may have had (`possible`) an impact on a
    patient's safety."""

    name = "incident.patient_safety_flagged"
    hook = "incident.patient_safety"
    level: str
    note: str = ""


@event
class IncidentAttached(IncidentEvent):
    """Attached to a major incident in progress (`parent`): its own clocks stop; it is
    resolved with its parent."""

    name = "incident.attached"
    parent: Any


@event
class IncidentDetached(IncidentEvent):
    """A different problem after all: on its own again, with the effects of its
    severity (ticket, assignees, clocks from now)."""

    name = "incident.detached"
    reason: str = ""


@event
class IncidentMerged(IncidentEvent):
    """Merged into `kept` (opened twice for one thing): its notes and e-mails move there
    (published in the merge's transaction: the mail app moves its messages)."""

    name = "incident.merged"
    kept: Any
