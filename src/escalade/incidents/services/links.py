"""Incidents that belong together: a call attached to the major incident in progress
(forty clinicians calling about one bridge), detached again, resolved with its parent
(each requester told in their language, by e-mail when they wrote, else called back),
and two incidents opened for one thing merged into the one kept."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from escalade.accounts import rules as perms
from escalade.accounts.services import require
from escalade.core import audit, events, retention
from escalade.core.choices import AuditAction
from escalade.core.errors import Code, Conflict, DomainError, Invalid, NotFound
from escalade.core.i18n import in_language, product_language

from .. import rules
from ..choices import Channel, Severity, Status
from ..errors import IncidentError
from ..events import IncidentAttached, IncidentDetached, IncidentMerged, IncidentResolved
from ..models import Incident, Note
from .common import ELSEWHERE, _locked, _save, policy_of

RESOLVED_WITH = gettext_lazy("Resolved with %(number)s: %(resolution)s")
TOLD_TEXT = gettext_lazy(
    "Your request %(number)s was about %(parent)s, which is now resolved: %(resolution)s"
)
MERGED_TEXT = gettext_lazy("Merged into %(number)s.")


def parent_for(institution, number: str, *, field: str = "attach_to") -> Incident:
    """The incident a call may be attached to: a major one of the same institution,
    still open, not itself attached or merged. Invalid on `field` otherwise."""
    number = (number or "").strip()
    parent = (
        Incident.objects.select_related("institution", "symptom")
        .filter(institution=institution, number__iexact=number)
        .first()
    )
    if parent is None:
        raise Invalid(
            _("No incident %(number)s at this institution.") % {"number": number},
            field=field,
            code=Code.NOT_FOUND,
        )
    if parent.parent_id or parent.merged_into_id:
        raise Invalid(
            _("%(number)s is itself attached to or merged into another incident.")
            % {"number": parent.number},
            field=field,
            code=IncidentError.NOT_A_PARENT,
        )
    if parent.severity != Severity.MAJOR or parent.status not in Status.open_values():
        raise Invalid(
            _("Calls are attached to a major incident in progress; %(number)s is not one.")
            % {"number": parent.number},
            field=field,
            code=IncidentError.NOT_A_PARENT,
        )
    return parent


def attach(actor, incident: Incident, parent_number: str) -> Incident:
    """Attach an open incident to a major incident in progress: it becomes one of its
    calls (its own clocks stop, it is resolved with the parent)."""
    require(actor, perms.NOTE, incident, ELSEWHERE)
    with transaction.atomic():
        incident = _locked(incident)
        parent = parent_for(incident.institution, parent_number, field="parent")
        if parent.pk == incident.pk:
            raise Invalid(
                _("An incident cannot be attached to itself."),
                field="parent",
                code=IncidentError.NOT_A_PARENT,
            )
        if incident.parent_id or incident.merged_into_id or not incident.is_open:
            raise Conflict(
                _("Only an open incident on its own can be attached."),
                field="status",
                code=Code.NOT_ALLOWED_NOW,
            )
        if incident.attached.exists():
            raise Conflict(
                _("Calls are attached to this incident: merge it instead."),
                field="parent",
                code=IncidentError.NOT_A_PARENT,
            )
        incident.parent, incident.attached_at = parent, timezone.now()
        _save(incident, ["parent", "attached_at"])
        _audit_attached(actor, incident, parent)
        events.publish(IncidentAttached(incident=incident, actor=actor, parent=parent))
    return incident


def _audit_attached(actor, incident: Incident, parent: Incident) -> None:
    audit.record(
        action=AuditAction.ATTACHED,
        obj=incident,
        actor=actor,
        institution=incident.institution,
        data={"parent": parent.number},
    )


def detach(actor, incident: Incident, reason: str) -> Incident:
    """A different problem after all: the call stands on its own again, with what its
    severity brings (a ticket for a major one, its assignees, its clocks from now)."""
    from .effects import _apply_severity  # noqa: PLC0415 (effects imports this module)

    require(actor, perms.NOTE, incident, ELSEWHERE)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Say why the call is detached."), field="reason", code=Code.REQUIRED)
    with transaction.atomic():
        incident = _locked(incident)
        if not incident.parent_id:
            raise Conflict(
                _("This incident is not attached to another."),
                field="parent",
                code=Code.NOT_ALLOWED_NOW,
            )
        parent_number = Incident.objects.values_list("number", flat=True).get(pk=incident.parent_id)
        incident.parent, incident.attached_at = None, None
        _save(incident, ["parent", "attached_at"])
        audit.record(
            action=AuditAction.DETACHED,
            obj=incident,
            actor=actor,
            institution=incident.institution,
            data={"parent": parent_number, "reason": reason},
        )
        if incident.is_open:
            _apply_severity(incident, policy_of(incident.institution), actor)
        events.publish(IncidentDetached(incident=incident, actor=actor, reason=reason))
    return incident


def resolve_attached(actor, parent: Incident) -> int:
    """In the parent's resolution: each open call attached to it is resolved too, and
    its requester told in their language (by e-mail in its thread when they have an
    address and a mailbox can send it; otherwise it waits on the parent's page until
    the desk calls them back). Returns how many were resolved."""
    from .lifecycle import _move  # noqa: PLC0415 (lifecycle imports this module)
    from .notes import add_note  # noqa: PLC0415 (it imports lifecycle)

    now = timezone.now()
    children = list(
        Incident.objects.select_related("institution", "symptom")
        .filter(parent=parent, status__in=Status.open_values())
        .order_by("id")
    )
    for child in children:
        with in_language(product_language()):
            resolution = str(
                RESOLVED_WITH % {"number": parent.number, "resolution": parent.resolution}
            )
        _move(
            actor,
            child,
            "resolve",
            refused=_("Only an open incident can be resolved."),
            audit_action=AuditAction.RESOLVED,
            values={"resolution": resolution[:4000], "resolved_at": now},
            data={"with": parent.number},
            event=IncidentResolved,
        )
        if child.requester_email:
            with in_language(child.requester_language or product_language()):
                text = str(
                    TOLD_TEXT
                    % {
                        "number": child.number,
                        "parent": parent.number,
                        "resolution": parent.resolution,
                    }
                )
            try:
                with transaction.atomic():  # no mailbox can send it: called back instead
                    add_note(actor, child, text, to_requester=True)
            except DomainError:
                continue
            Incident.objects.filter(pk=child.pk).update(told_at=now)
            audit.record(
                action=AuditAction.REQUESTER_TOLD,
                obj=child,
                actor=actor,
                institution=child.institution,
                data={"by": "email", "language": child.requester_language},
            )
    return len(children)


def to_call_back(parent: Incident) -> list[Incident]:
    """The resolved calls of `parent` whose requester was not told yet (no e-mail): the
    desk calls them back, in their language."""
    return list(
        Incident.objects.filter(parent=parent, told_at__isnull=True)
        .exclude(status__in=Status.open_values())
        .order_by("id")
    )


def called_back(actor, incident: Incident) -> Incident:
    """The desk called the requester of a resolved attached call back: recorded."""
    require(actor, perms.NOTE, incident, ELSEWHERE)
    with transaction.atomic():
        incident = _locked(incident)
        if not incident.parent_id or incident.is_open or incident.told_at:
            raise Conflict(
                _("Only a resolved attached call whose requester was not told is called back."),
                field="status",
                code=Code.NOT_ALLOWED_NOW,
            )
        incident.told_at = timezone.now()
        _save(incident, ["told_at"])
        audit.record(
            action=AuditAction.REQUESTER_TOLD,
            obj=incident,
            actor=actor,
            institution=incident.institution,
            data={"by": Channel.PHONE, "language": incident.requester_language},
        )
    return incident


def merge(actor, incident: Incident, into: str) -> Incident:
    """Merge `incident` into the one numbered `into` (the same thing opened twice): its
    notes, e-mails and attached calls move to the one kept, its timeline reads there,
    and its number answers with a pointer to it. Returns the one kept."""
    require(actor, perms.RESOLVE, incident, ELSEWHERE)
    with transaction.atomic():
        incident = _locked(incident)
        kept = (
            Incident.objects.select_for_update()
            .select_related("institution", "symptom")
            .filter(institution=incident.institution, number__iexact=(into or "").strip())
            .first()
        )
        if kept is None:
            raise NotFound(
                _("No incident %(number)s at this institution.") % {"number": into},
                field="into",
            )
        if kept.pk == incident.pk or kept.merged_into_id or kept.parent_id:
            raise Invalid(
                _("Merge into another incident, one not merged or attached itself."),
                field="into",
                code=IncidentError.MERGE_INVALID,
            )
        if incident.merged_into_id or rules.next_status("merge", incident.status) is None:
            raise Conflict(
                _("This incident is closed or already merged."),
                field="status",
                code=Code.NOT_ALLOWED_NOW,
            )
        moved_notes = Note.objects.filter(incident=incident).update(incident=kept)
        calls = Incident.objects.filter(parent=incident).update(parent=kept)
        with in_language(product_language()):
            resolution = str(MERGED_TEXT % {"number": kept.number})
        changes = audit.diff(
            incident,
            status=Status.CLOSED,
            merged_into=kept,
            resolution=incident.resolution or resolution,
            closed_at=timezone.now(),
        )
        _save(incident, list(changes))
        data = {"merged": incident.number, "kept": kept.number, "notes": moved_notes}
        audit.record(
            action=AuditAction.INCIDENT_MERGED,
            obj=incident,
            actor=actor,
            institution=incident.institution,
            changes=changes,
            data=data,
        )
        audit.record(
            action=AuditAction.INCIDENT_MERGED,
            obj=kept,
            actor=actor,
            institution=kept.institution,
            data={**data, "calls": calls},
        )
        events.publish(IncidentMerged(incident=incident, actor=actor, kept=kept))
    return kept


def legal_hold(actor, incident: Incident, reason: str):
    """A manager puts the incident under a legal hold (its mail, registry entries and
    sessions' patients are kept past their retention period), with the reason."""
    require(actor, perms.LEGAL_HOLD, incident, ELSEWHERE)
    return retention.set_hold(actor, incident, reason)


def release_legal_hold(actor, incident: Incident, reason: str):
    """A manager ends the incident's legal hold, with the reason."""
    require(actor, perms.LEGAL_HOLD, incident, ELSEWHERE)
    return retention.release_hold(actor, incident, reason)
