"""Classification by the pack's rules (seed 000: minor or major), at intake and on a move."""

from __future__ import annotations

from escalade.core import audit
from escalade.core.choices import AuditAction

from .. import rules
from ..models import (
    Incident,
    IncidentPolicy,
)


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
