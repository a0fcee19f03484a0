"""What a severity brings: a major opens its ticket and report, a minor its technical-sheet row; webhooks."""

from __future__ import annotations

from django.utils import timezone

from escalade.core import audit, prepared
from escalade.core.choices import AuditAction
from escalade.core.numbering import next_number
from escalade.notifications.services import emit

from ..choices import Severity
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
        from escalade.reports.services import ensure_draft  # noqa: PLC0415 (cycle: reports imports incidents)

        ensure_draft(incident, new=new)
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


def notify_hooks(incident: Incident, event: str) -> None:
    """Tell the institution's webhooks (signed, retried until accepted)."""

    emit(
        incident.institution,
        event,
        {
            "number": incident.number,
            "severity": incident.severity,
            "level": incident.level,
            "status": incident.status,
            "ticket": getattr(getattr(incident, "ticket", None), "number", None),
            "patient_safety": incident.patient_safety,
        },
    )
