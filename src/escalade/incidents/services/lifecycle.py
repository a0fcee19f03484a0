"""The moves of an incident after intake, each one transaction through the transition table."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from escalade.accounts import rules as perms
from escalade.accounts.services import require
from escalade.core import audit, events
from escalade.core.choices import AuditAction
from escalade.core.errors import Code, Conflict, Invalid, not_one_of, required
from escalade.notifications.services import people

from .. import rules
from ..choices import PartnerKind, Status
from ..errors import IncidentError
from ..events import (
    IncidentClosed,
    IncidentClosing,
    IncidentEscalated,
    IncidentReopened,
    IncidentResolved,
    IncidentStarted,
)
from ..models import (
    Assignment,
    Escalation,
    Incident,
)
from . import links
from .assignment import _shift_load, _tell
from .classification import _reclassify_by_rules
from .common import ELSEWHERE, _locked, _save, policy_of
from .effects import _apply_severity


def _move(
    actor,
    incident: Incident,
    action: str,
    *,
    refused: str,
    audit_action: str,
    values: dict | None = None,
    data: dict | None = None,
    guard=None,
    load: int = 0,
    event=None,
    **event_data,
) -> Incident:
    """One lifecycle move: lock the row, check the transition table, apply `values`,
    move the assignees' open-work counters by `load`, save, audit, and publish `event`
    (an event class of incidents.events, given `event_data`)."""
    with transaction.atomic():
        incident = _locked(incident)
        target = rules.next_status(action, incident.status)
        if target is None:
            raise Conflict(refused, field="status", code=Code.NOT_ALLOWED_NOW)
        if guard is not None:
            guard(incident)
        changes = audit.diff(incident, status=target, **(values or {}))
        if load:
            _shift_load(incident, load)
        _save(incident, list(changes))
        audit.record(
            action=audit_action,
            obj=incident,
            actor=actor,
            institution=incident.institution,
            changes=changes,
            data=data,
        )
        if event is not None:
            events.publish(event(incident=incident, actor=actor, **event_data))
    return incident


def start(actor, incident: Incident) -> Incident:
    """Take the incident in charge: new -> in progress."""
    require(actor, perms.NOTE, incident, ELSEWHERE)
    return _move(
        actor,
        incident,
        "start",
        refused=_("Only a new incident can be taken in charge."),
        audit_action=AuditAction.STARTED,
        event=IncidentStarted,
    )


def escalate(
    actor,
    incident: Incident,
    *,
    to_level: int,
    reason: str,
    partner: str = "",
    partner_kind: str = "",
    external_ref: str = "",
) -> Incident:
    """Move the incident up a level, or record another external partner's reference at
    level 2 or 3 (the provincial desk's ticket, a vendor's)."""
    require(actor, perms.ESCALATE, incident, ELSEWHERE)
    reason = (reason or "").strip()
    errors = []
    if not reason:
        errors.append(required("reason", _("Say why the incident is escalated.")))
    if to_level not in (1, 2, 3):
        errors += not_one_of("to_level", to_level, [1, 2, 3])
    if partner_kind:
        errors += not_one_of("partner_kind", partner_kind, PartnerKind)
    if (partner or external_ref) and to_level < 2:
        # seed 002: level 2 records the provincial desk's ticket number; level 3
        # coordinates the external partners
        errors.append(
            (
                "partner",
                _("A partner's reference is recorded from level 2."),
                IncidentError.PARTNER_AT_LEVEL_3,
            )
        )
    if errors:
        raise Invalid(errors=errors)
    policy = policy_of(incident.institution)
    with transaction.atomic():
        incident = _locked(incident)
        if not rules.can_escalate(incident.status, incident.level, to_level, partner):
            if incident.status not in Status.open_values():
                message = _("A resolved or closed incident cannot be escalated: reopen it first.")
            else:
                message = _(
                    "Incident %(number)s is at level %(level)s: escalate it to a higher level."
                ) % {"number": incident.number, "level": incident.level}
            raise Conflict(message, field="to_level", code=IncidentError.LEVEL_NOT_ALLOWED)
        from_level = incident.level
        Escalation.objects.create(
            incident=incident,
            from_level=from_level,
            to_level=to_level,
            reason=reason,
            partner=partner.strip(),
            partner_kind=partner_kind,
            external_ref=external_ref.strip(),
            by=actor,
        )
        changes = audit.diff(incident, level=to_level)
        if incident.status == Status.NEW:
            changes.update(audit.diff(incident, status=Status.IN_PROGRESS))
        audit.record(
            action=AuditAction.ESCALATED,
            obj=incident,
            actor=actor,
            institution=incident.institution,
            changes=changes,
            data={
                "reason": reason,
                "partner": partner,
                "partner_kind": partner_kind,
                "external_ref": external_ref,
                "from_level": from_level,
                "to_level": to_level,
            },
        )
        changes.update(_reclassify_by_rules(incident, policy, actor))
        _save(incident, list(changes))
        _apply_severity(incident, policy, actor)
        # The new level's team and everyone already on the incident are told.
        incident._escalation_reason = reason
        holders = next((lv["holders"] for lv in policy.levels if lv["number"] == to_level), [])
        team = set(
            get_user_model()
            .objects.filter(
                is_active=True,
                groups__name__in=holders,
                memberships__institution=incident.institution,
            )
            .values_list("pk", flat=True)
        )
        team |= set(
            Assignment.objects.filter(incident=incident, active=True).values_list(
                "user_id", flat=True
            )
        )
        told: list = []
        _tell(incident, actor, told, "escalated", people(team))
        audit.record_many(told)
        events.publish(
            IncidentEscalated(
                incident=incident, actor=actor, from_level=from_level, to_level=to_level
            )
        )
    return incident


def resolve(actor, incident: Incident, resolution: str) -> Incident:
    """Resolve the incident (a major one needs a resolution text); its assignees' load goes down."""
    require(actor, perms.RESOLVE, incident, ELSEWHERE)
    resolution = (resolution or "").strip()

    def guard(locked: Incident) -> None:
        if not resolution and rules.needs_resolution_text(locked.severity):
            raise Invalid(
                _("A major incident needs a resolution text."),
                field="resolution",
                code=Code.REQUIRED,
            )

    # whoever resolves it (the page, the API, a command): the apps built on incidents
    # react (a live session's protocol is solved and its clinical coordinator told)
    with transaction.atomic():
        incident = _move(
            actor,
            incident,
            "resolve",
            refused=_("Only an open incident can be resolved."),
            audit_action=AuditAction.RESOLVED,
            values={"resolution": resolution, "resolved_at": timezone.now()},
            guard=guard,
            load=-1,
            event=IncidentResolved,
        )
        # its attached calls with it, each requester told (services/links.py)
        links.resolve_attached(actor, incident)
    return incident


def close(actor, incident: Incident) -> Incident:
    """Close a resolved incident; a major one needs its resolution text and a complete major-
    incident report."""
    require(actor, perms.CLOSE, incident, ELSEWHERE)

    def guard(locked: Incident) -> None:
        if rules.needs_resolution_text(locked.severity) and not locked.resolution.strip():
            raise Invalid(
                _("A major incident needs a resolution text before it closes."),
                field="resolution",
                code=Code.REQUIRED,
            )
        # the apps built on incidents may refuse (reports: the major-incident report)
        events.publish(IncidentClosing(incident=locked, actor=actor))

    return _move(
        actor,
        incident,
        "close",
        refused=_("Only a resolved incident can be closed."),
        audit_action=AuditAction.CLOSED,
        values={"closed_at": timezone.now()},
        guard=guard,
        event=IncidentClosed,
    )


def reopen(actor, incident: Incident, reason: str) -> Incident:
    """Reopen a resolved or closed incident, with the reason; it goes back to its assignees."""
    require(actor, perms.REOPEN, incident, ELSEWHERE)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Say why the incident is reopened."), field="reason", code=Code.REQUIRED)
    return _move(
        actor,
        incident,
        "reopen",
        refused=_("Only a resolved or closed incident can be reopened."),
        audit_action=AuditAction.REOPENED,
        values={"resolved_at": None, "closed_at": None},
        data={"reason": reason},
        load=+1,
        event=IncidentReopened,
        reason=reason,
    )


def set_due(incident: Incident, due_at) -> None:
    """Keep the soonest due time of the incident's response clocks (the on-call app
    calls it in the transaction that moves them): a derived value, not audited."""
    if incident.due_at != due_at:
        Incident.objects.filter(pk=incident.pk).update(due_at=due_at)
        incident.due_at = due_at
