"""What a severity brings: a major opens its ticket (reports drafts its report on the
IncidentClassified event), a minor its technical-sheet row."""

from __future__ import annotations

from django.utils import timezone

from escalade.core import audit, prepared
from escalade.core.choices import AuditAction
from escalade.core.events import publish
from escalade.core.numbering import next_number

from ..choices import Severity
from ..events import IncidentClassified
from ..models import (
    Incident,
    IncidentPolicy,
    TechnicalSheetEntry,
    Ticket,
)
from .assignment import _assign


def _open_ticket(incident: Incident, actor, events: list) -> Ticket:
    inst = incident.institution
    number = next_number(inst.ticket_prefix, timezone.now().astimezone(inst.zone).year)
    ticket = Ticket(institution=inst, incident=incident, number=number)
    prepared.insert([ticket])  # returned and cached: its key is read back
    incident.ticket = ticket  # cached on the incident: no query to read it back
    events.append(
        audit.event(
            action=AuditAction.TICKET_OPENED,
            obj=incident,
            actor=actor,
            institution=inst,
            data={"ticket": number},
        )
    )
    return ticket


def _apply_severity(
    incident: Incident, policy: IncidentPolicy, actor, picks=None, events: list | None = None
) -> None:
    """Side effects of the current severity: a major opens its ticket, a minor is recorded
    on the technical sheet; the roles of that severity are assigned. Audit events go to
    `events` when given (the caller writes them), else are written here."""
    own = events is None
    events = [] if events is None else events
    new = picks is not None
    if incident.severity == Severity.MAJOR:
        if new or not Ticket.objects.filter(incident=incident).exists():
            _open_ticket(incident, actor, events)
    elif new or not TechnicalSheetEntry.objects.filter(incident=incident).exists():
        prepared.insert(
            [TechnicalSheetEntry(incident=incident, session_ref=incident.session_ref)], keys=False
        )
        if new:
            incident._state.fields_cache["ticket"] = None  # a new minor has no ticket
        events.append(
            audit.event(
                action=AuditAction.SHEET_RECORDED,
                obj=incident,
                actor=actor,
                institution=incident.institution,
                data={"session": incident.session_ref},
            )
        )
    _assign(incident, policy, actor, events, picks)
    if own:
        audit.record_many(events)
    publish(IncidentClassified(incident=incident, actor=actor, severity=incident.severity, new=new))
