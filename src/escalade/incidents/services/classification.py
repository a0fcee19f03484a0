"""What an incident is and how grave: classification by the pack's rules (seed 000: minor
or major) at intake and on a move, and the changes after intake, each one transaction:
the symptom chosen, a reclassification by hand, impact and urgency weighed again, the
patient-safety flag."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from escalade.accounts import rules as perms
from escalade.accounts.services import require
from escalade.core import audit, events
from escalade.core.choices import AuditAction
from escalade.core.errors import Code, Conflict, Invalid, not_one_of, required
from escalade.core.i18n import in_both
from escalade.notifications import services as notify
from escalade.notifications.services import MESSAGES

from .. import rules
from ..choices import Impact, PatientSafety, Severity, Urgency
from ..errors import IncidentError
from ..events import IncidentReprioritized, PatientSafetyFlagged
from ..models import (
    Incident,
    IncidentPolicy,
)
from .common import ELSEWHERE, _locked, _save, policy_of, symptoms_of
from .effects import _apply_severity


def _classify_facts(
    symptom, level, first_call, policy, live=False, channel=""
) -> rules.Classification:
    facts = rules.Facts(
        symptom=symptom.code,
        symptom_group=symptom.group,
        level=level,
        resolved_on_first_call=first_call,
        during_live_session=live,
        channel=channel,
    )
    return rules.classify(facts, policy.classification, symptom.label)


def _classify(incident: Incident, policy: IncidentPolicy) -> rules.Classification:
    return _classify_facts(
        incident.symptom,
        incident.level,
        incident.resolved_on_first_call,
        policy,
        incident.during_live_session,
        incident.channel,
    )


def _reclassify_by_rules(incident: Incident, policy: IncidentPolicy, actor) -> dict:
    result = _classify(incident, policy)
    if incident.classification_rule == rules.MANUAL_RULE and result.severity == incident.severity:
        return {}
    changes = audit.diff(
        incident,
        severity=result.severity,
        classification_rule=result.rule,
        classification_reason=result.reason,
    )
    if changes:
        audit.record(
            action=AuditAction.CLASSIFIED,
            obj=incident,
            actor=actor,
            institution=incident.institution,
            changes={"severity": changes["severity"]} if "severity" in changes else {},
            data={"rule": result.rule, "reason": result.reason},
        )
    return changes


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
