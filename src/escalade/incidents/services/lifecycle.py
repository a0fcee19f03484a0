"""The moves of an incident after intake, each one transaction through the transition table."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from escalade.accounts import rules as perms
from escalade.accounts.services import require
from escalade.core import audit, events
from escalade.core.choices import AuditAction
from escalade.core.errors import Code, Conflict, Invalid, not_one_of, required
from escalade.core.i18n import in_both
from escalade.notifications import services as notify
from escalade.notifications.services import MESSAGES, people

from .. import rules
from ..choices import Impact, PartnerKind, PatientSafety, Severity, Status, Urgency
from ..errors import IncidentError
from ..events import (
    IncidentClosed,
    IncidentClosing,
    IncidentEscalated,
    IncidentReopened,
    IncidentReprioritized,
    IncidentResolved,
    IncidentStarted,
    NoteAdded,
    PatientSafetyFlagged,
)
from ..models import (
    Assignment,
    Escalation,
    Incident,
    Note,
)
from . import links
from .assignment import _shift_load, _tell
from .classification import _reclassify_by_rules
from .common import ELSEWHERE, _locked, _save, policy_of, symptoms_of
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


def add_note(actor, incident: Incident, text: str, *, to_requester: bool = False) -> Note:
    """Add a note to the incident's timeline (audited); Invalid (required) when empty.
    `to_requester`: the note is also for the requester (the NoteAdded subscriber of the
    mail app sends it by e-mail, in this transaction); the requester needs an e-mail
    address."""
    require(actor, perms.NOTE, incident, ELSEWHERE)
    text = (text or "").strip()
    if not text:
        raise Invalid(_("A note cannot be empty."), field="text", code=Code.REQUIRED)
    if to_requester and not incident.requester_email:
        raise Conflict(
            _("The requester has no e-mail address: call them."),
            field="to_requester",
            code=IncidentError.NO_REQUESTER_EMAIL,
        )
    with transaction.atomic():
        incident = _locked(incident)
        note = Note.objects.create(
            incident=incident, author=actor, text=text, to_requester=to_requester
        )
        _save(incident, [])
        audit.record(
            action=AuditAction.NOTE_ADDED,
            obj=incident,
            actor=actor,
            institution=incident.institution,
            data={
                "note": note.pk,
                "text": text,
                **({"to_requester": True} if to_requester else {}),
            },
        )
        # to the requester: the mail app sends it in the incident's thread, or refuses
        # (no mailbox can send it) and the note is not written either
        events.publish(
            NoteAdded(incident=incident, actor=actor, note=note, to_requester=to_requester)
        )
    return note


REPLIED_BY_MAIL = gettext_lazy(
    "The requester replied by e-mail: the text is in the e-mails, shown to the roles allowed "
    "to see personal health information."
)


def requester_replied(incident: Incident, text: str, *, sender: str, reopen: bool) -> Note:
    """The requester answered (by e-mail): their text goes on the timeline as their note,
    a resolved or closed incident is reopened when `reopen`, and the assignees are told.
    No actor: the mailbox that recognised the reply made the call."""
    with transaction.atomic():
        incident = _locked(incident)
        if reopen and incident.status in (Status.RESOLVED, Status.CLOSED):
            incident = _move(
                None,
                incident,
                "reopen",
                refused=_("Only a resolved or closed incident can be reopened."),
                audit_action=AuditAction.REOPENED,
                values={"resolved_at": None, "closed_at": None},
                data={"reason": str(_("The requester replied by e-mail.")), "by": sender},
                load=+1,
                event=IncidentReopened,
                reason=str(_("The requester replied by e-mail.")),
            )
        # an e-mail's text stays with the message (restricted); the note says where it is
        note = Note.objects.create(
            incident=incident,
            author=None,
            text=text or " / ".join(in_both(REPLIED_BY_MAIL).values()),
            by_requester=True,
        )
        _save(incident, [])
        audit.record(
            action=AuditAction.NOTE_ADDED,
            obj=incident,
            actor=None,
            institution=incident.institution,
            data={"note": note.pk, "text": note.text, "by_requester": sender},
        )
        users = list(
            incident.assignments.filter(active=True, user__isnull=False).values_list(
                "user_id", flat=True
            )
        )
        notify.to_users(
            get_user_model().objects.filter(pk__in=users),
            kind="requester_replied",
            params={"number": incident.number, "summary": incident.summary[:80]},
            link=f"/incidents/{incident.number}/",
        )
    return note


def choose_symptom(actor, incident: Incident, symptom: str) -> Incident:
    """Level 1 chooses the symptom of an incident logged without one (an e-mail): the
    pack's rules classify it again, its priority follows the symptom; audited."""
    require(actor, perms.CLASSIFY, incident, ELSEWHERE)
    policy = policy_of(incident.institution)
    symptoms = symptoms_of(incident.institution)
    if symptom not in symptoms:
        raise Invalid(
            errors=[
                (
                    "symptom",
                    _("Unknown symptom '%(code)s': use one of %(valid)s.")
                    % {"code": symptom, "valid": ", ".join(symptoms)},
                    IncidentError.UNKNOWN_SYMPTOM,
                )
            ]
        )
    category = symptoms[symptom]
    with transaction.atomic():
        incident = _locked(incident)
        if incident.symptom_id == category.pk and not incident.to_classify:
            raise Conflict(
                _("The incident already has this symptom."), field="symptom", code=Code.UNCHANGED
            )
        before = incident.symptom.code
        impact = category.impact or incident.impact
        urgency = category.urgency or incident.urgency
        changes = audit.diff(
            incident,
            symptom=category,
            to_classify=False,
            impact=impact,
            urgency=urgency,
            priority=rules.priority(impact, urgency, policy.priority_matrix),
        )
        changes.pop("symptom", None)
        changes["symptom"] = (before, category.code)
        changes.update(_reclassify_by_rules(incident, policy, actor))
        _save(incident, [k for k in changes if k != "symptom"] + ["symptom"])
        audit.record(
            action=AuditAction.RECLASSIFIED,
            obj=incident,
            actor=actor,
            institution=incident.institution,
            changes={k: v for k, v in changes.items() if k in ("symptom", "severity", "priority")},
            data={"symptom": category.code},
        )
        _apply_severity(incident, policy, actor)
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


def reclassify(actor, incident: Incident, severity: str, reason: str) -> Incident:
    """A manual reclassification by a permitted role, with a reason; audited."""
    require(actor, perms.RECLASSIFY, incident, ELSEWHERE)
    reason = (reason or "").strip()
    errors = []
    errors += not_one_of("severity", severity, Severity)
    if not reason:
        errors.append(required("reason", _("A reclassification needs a reason.")))
    if errors:
        raise Invalid(errors=errors)
    policy = policy_of(incident.institution)
    with transaction.atomic():
        incident = _locked(incident)
        if incident.severity == severity:
            raise Conflict(
                _("The incident is already %(severity)s.") % {"severity": Severity(severity).label},
                field="severity",
                code=Code.UNCHANGED,
            )
        text = in_both(gettext_lazy("Reclassified by hand: %(reason)s"), reason=reason)
        changes = audit.diff(
            incident,
            severity=severity,
            classification_rule=rules.MANUAL_RULE,
            classification_reason=text,
        )
        _save(incident, list(changes))
        audit.record(
            action=AuditAction.RECLASSIFIED,
            obj=incident,
            actor=actor,
            institution=incident.institution,
            changes={"severity": changes["severity"]},
            data={"reason": reason},
        )
        _apply_severity(incident, policy, actor)
    return incident


def reprioritize(actor, incident: Incident, impact: str, urgency: str, reason: str) -> Incident:
    """Re-evaluate impact and urgency (e.g. after a level-2 investigation), with a reason."""
    require(actor, perms.REPRIORITIZE, incident, ELSEWHERE)
    reason = (reason or "").strip()
    errors = []
    errors += not_one_of("impact", impact, Impact)
    errors += not_one_of("urgency", urgency, Urgency)
    if not reason:
        errors.append(required("reason", _("Say why the priority changes.")))
    if errors:
        raise Invalid(errors=errors)
    policy = policy_of(incident.institution)
    with transaction.atomic():
        incident = _locked(incident)
        changes = audit.diff(
            incident,
            impact=impact,
            urgency=urgency,
            priority=rules.priority(impact, urgency, policy.priority_matrix),
        )
        if not changes:
            raise Conflict(
                _("Impact and urgency are unchanged."), field="impact", code=Code.UNCHANGED
            )
        _save(incident, list(changes))
        audit.record(
            action=AuditAction.PRIORITY_CHANGED,
            obj=incident,
            actor=actor,
            institution=incident.institution,
            changes=changes,
            data={"reason": reason},
        )
        events.publish(
            IncidentReprioritized(incident=incident, actor=actor, priority=incident.priority)
        )
    return incident


def flag_patient_safety(actor, incident: Incident, level: str, note: str = "") -> Incident:
    """Seed 000 step 12: an event that had or may have an impact on a patient's safety.
    The centre's manager is told at once (in-app now, e-mail by the worker within seconds)
    and the incident declaration (AH-223, keyword « Télésanté ») is prepared."""
    require(actor, perms.NOTE, incident, ELSEWHERE)
    if wrong := not_one_of("level", level, [PatientSafety.POSSIBLE, PatientSafety.CONFIRMED]):
        raise Invalid(errors=wrong)
    with transaction.atomic():
        incident = _locked(incident)
        changes = audit.diff(incident, patient_safety=level)
        _save(incident, list(changes))
        audit.record(
            action=AuditAction.PATIENT_SAFETY,
            obj=incident,
            actor=actor,
            institution=incident.institution,
            changes=changes,
            data={"patient_safety": level, "note": note},
        )
        # reports prepares the declaration; webhooks hear it
        events.publish(PatientSafetyFlagged(incident=incident, actor=actor, level=level, note=note))
        # the manager is told which it is (seed 000 step 12: « a eu ou peut avoir »), with
        # what happened and where
        kind = "patient_safety_confirmed" if level == PatientSafety.CONFIRMED else "patient_safety"
        params = {
            "number": incident.number,
            "site": incident.requester_site,
            "summary": incident.summary,
        }
        link = f"/incidents/{incident.number}/declaration/"
        notify.to_role(incident.institution, "manager", kind=kind, params=params, link=link)
        notify.mail_role(
            incident.institution,
            "manager",
            subject=gettext_lazy("Patient safety: incident %(number)s"),
            body=MESSAGES[kind],
            params=params,
        )
    return incident


def set_due(incident: Incident, due_at) -> None:
    """Keep the soonest due time of the incident's response clocks (the on-call app
    calls it in the transaction that moves them): a derived value, not audited."""
    if incident.due_at != due_at:
        Incident.objects.filter(pk=incident.pk).update(due_at=due_at)
        incident.due_at = due_at
