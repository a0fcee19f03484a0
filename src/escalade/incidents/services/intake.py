"""Logging a request: number, classification, ticket or technical sheet, assignment, in one transaction."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from escalade.accounts import rules as perms
from escalade.accounts.services import require
from escalade.core import audit, prepared
from escalade.core.choices import AuditAction
from escalade.core.errors import Invalid, not_one_of
from escalade.core.events import publish
from escalade.core.numbering import next_number

from .. import rules
from ..choices import Language, Status
from ..events import IncidentCreated
from ..models import (
    Incident,
)
from .assignment import _candidates
from .classification import _classify_facts
from .common import ELSEWHERE, IncidentInput, _validate, policy_of, route_snapshot
from .effects import _apply_severity
from .guides import solved_step
from .links import parent_for


def log_incident(actor, institution, data: IncidentInput) -> Incident:
    """Log a request: number, classification, ticket or technical sheet, assignment."""
    require(actor, perms.LOG, institution, ELSEWHERE)
    policy = policy_of(institution)
    errors: list = []
    guide = step = None
    try:
        symptom, (phone, ext) = _validate(data, institution)
        guide, step = solved_step(symptom, data.guide_version, data.guide_step)
    except Invalid as exc:
        errors.extend(exc.errors)
    try:
        route_plan = route_snapshot(institution, data)
    except Invalid as exc:
        errors.extend(exc.errors)
    parent = None
    if (data.attach_to or "").strip():
        try:
            parent = parent_for(institution, data.attach_to)
        except Invalid as exc:
            errors.extend(exc.errors)
    if data.requester_language:
        errors.extend(not_one_of("requester.language", data.requester_language, Language))
    if errors:
        raise Invalid(errors=errors)
    # solved at a step of the guide: resolved on the first call (seed 000's minor rule)
    resolved = data.resolved_on_first_call or guide is not None
    live = data.during_live_session
    impact = rules.first_rating(
        data.impact, symptom.impact, live, policy.default_impact, urgent=False
    )
    urgency = rules.first_rating(
        data.urgency, symptom.urgency, live, policy.default_urgency, urgent=True
    )
    now = timezone.now()
    # Read before the transaction: the number's lock is held from its allocation to the commit.
    severity_hint = _classify_facts(
        symptom,
        data.level,
        resolved,
        policy,
        data.during_live_session,
        data.channel,
    )
    picks = _candidates(
        institution, rules.roles_to_assign(severity_hint.severity, policy.assignment)
    )
    with transaction.atomic(), prepared.batched():
        incident = Incident(
            institution=institution,
            channel=data.channel,
            requester_name=data.requester_name.strip(),
            requester_role=data.requester_role,
            requester_site=data.requester_site.strip(),
            requester_phone=phone,
            requester_phone_ext=ext,
            requester_email=(data.requester_email or "").strip().lower(),
            session_ref=(data.session_ref or "").strip(),
            symptom=symptom,
            summary=data.summary.strip(),
            summary_i18n={k: v.strip()[:200] for k, v in (data.summary_i18n or {}).items()},
            description=(data.description or "").strip(),
            resolved_on_first_call=resolved,
            guide=guide,
            guide_step=step,
            route_plan=route_plan,
            during_live_session=data.during_live_session,
            level=data.level,
            to_classify=data.to_classify,
            follows=data.follows,
            parent=parent,
            attached_at=now if parent else None,
            requester_language=data.requester_language or "",
            impact=impact,
            urgency=urgency,
            priority=rules.priority(impact, urgency, policy.priority_matrix),
            created_by=actor,
            created_at=now,
            updated_at=now,
        )
        result = severity_hint
        incident.severity = result.severity
        incident.classification_rule = result.rule
        incident.classification_reason = result.reason
        if resolved:
            incident.status = Status.RESOLVED
            incident.resolved_at = now
            incident.resolution = (
                str(
                    _("Resolved on the first call, at step %(step)s of the guide: %(text)s")
                    % {"step": step, "text": guide.step_texts()[step - 1]}
                )
                if guide
                else str(_("Resolved on the first call."))
            )
        incident.number = next_number(
            institution.request_prefix, now.astimezone(institution.zone).year
        )
        incident.search_text = incident.build_search_text()
        prepared.insert([incident])
        events = [
            audit.event(
                action=AuditAction.CREATED,
                obj=incident,
                actor=actor,
                institution=institution,
                at=now,
                data={
                    "number": incident.number,
                    "channel": incident.channel,
                    "symptom": symptom.code,
                    "severity": incident.severity,
                    "status": incident.status,
                    "priority": incident.priority,
                    **({"level": incident.level} if incident.level != 1 else {}),
                    **({"follows": data.follows.number} if data.follows else {}),
                    **({"guide": guide.version, "guide_step": step} if guide else {}),
                },
            ),
            audit.event(
                action=AuditAction.CLASSIFIED,
                obj=incident,
                actor=actor,
                institution=institution,
                at=now,
                data={"rule": result.rule, "reason": result.reason},
            ),
        ]
        if parent is None:
            _apply_severity(incident, policy, actor, picks, events)
        else:  # one of its parent's calls: no ticket, sheet or assignees of its own
            incident._state.fields_cache["ticket"] = None
            incident.new_assignees = []
            events.append(
                audit.event(
                    action=AuditAction.ATTACHED,
                    obj=incident,
                    actor=actor,
                    institution=institution,
                    at=now,
                    data={"parent": parent.number},
                )
            )
        audit.record_many(events)
        publish(IncidentCreated(incident=incident, actor=actor))
    return incident
