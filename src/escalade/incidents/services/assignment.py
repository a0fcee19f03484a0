"""Who holds an incident: the pack's roles, the least loaded member, and telling them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from escalade.core import audit, prepared
from escalade.core.choices import AuditAction
from escalade.notifications.services import Person, mailed, tell

from .. import rules, sql
from ..models import (
    Assignment,
    Incident,
    IncidentPolicy,
)


def _candidates(institution, roles: list[str]) -> dict[str, dict | None]:
    """For each role, the member holding it with the fewest open assignments (or None)."""
    if not roles:
        return {}
    rows = sql.members_by_load(institution.pk, roles)
    picks: dict[str, dict | None] = dict.fromkeys(roles)
    for member_id, user_id, username, email, role in rows:
        if picks.get(role) is None:
            picks[role] = {
                "id": member_id,
                "user_id": user_id,
                "user__username": username,
                "user__email": email,
            }
    return picks


def _shift_load(incident: Incident, delta: int, user_ids=None) -> None:
    """Move the open-work counters of the incident's assignees by `delta`."""
    if user_ids is None:
        user_ids = list(
            Assignment.objects.filter(
                incident=incident, active=True, user__isnull=False
            ).values_list("user_id", flat=True)
        )
    by_count: dict[int, list[int]] = {}
    for user_id in set(user_ids):
        by_count.setdefault(user_ids.count(user_id) * delta, []).append(user_id)
    for n, ids in by_count.items():
        sql.shift_load(incident.institution_id, n, ids)


def _assign(incident: Incident, policy: IncidentPolicy, actor, events: list, picks=None) -> None:
    """Assign the roles of the incident's severity that are not assigned yet."""
    roles = rules.roles_to_assign(incident.severity, policy.assignment)
    new = picks is not None
    if incident.pk and picks is None:
        existing = set(
            Assignment.objects.filter(incident=incident, active=True).values_list("role", flat=True)
        )
        roles = [r for r in roles if r not in existing]
    if picks is None:
        picks = _candidates(incident.institution, roles)
    rows = []
    for role in roles:
        pick = picks.get(role)
        rows.append(
            Assignment(incident=incident, role=role, user_id=pick["user_id"] if pick else None)
        )
        events.append(
            audit.event(
                action=AuditAction.ASSIGNED,
                obj=incident,
                actor=actor,
                institution=incident.institution,
                data={"role": role, "user": pick["user__username"] if pick else None},
            )
        )
    prepared.insert(rows, keys=False)
    _tell(
        incident,
        actor,
        events,
        "assigned",
        [
            Person(p["user_id"], p["user__username"], p.get("user__email") or "")
            for p in (picks.get(role) for role in roles)
            if p
        ],
    )
    if new:  # what the intake answer shows, without reading it back
        incident.new_assignees = [
            {"role": role, "user": picks[role]["user__username"] if picks.get(role) else None}
            for role in roles
        ]
    if incident.is_open:
        _shift_load(incident, +1, [a.user_id for a in rows if a.user_id])


def _tell(incident: Incident, actor, events: list, kind: str, who: list[Person]) -> None:
    """Tell people in-app and by e-mail (seed 001, points 1-2: those assigned; on
    escalation, the new level's team), never the person acting; the timeline records who."""
    told_before = getattr(incident, "_told", set())
    seen: set[int] = set()
    who = [
        p
        for p in who
        if p.pk != getattr(actor, "pk", None)
        and p.pk not in told_before
        and not (p.pk in seen or seen.add(p.pk))
    ]
    ids = {p.pk for p in who}
    if not ids:
        return
    params = {
        "number": incident.number,
        "priority": incident.priority,
        "summary": incident.summary,
        "level": incident.level,
        "reason": getattr(incident, "_escalation_reason", ""),
    }
    subject = {
        "assigned": gettext_lazy("Assigned to you: incident %(number)s"),
        "escalated": gettext_lazy("Escalated: incident %(number)s"),
    }[kind]
    told = tell(
        who, kind=kind, params=params, link=f"/incidents/{incident.number}/", subject=subject
    )
    incident._told = told_before | ids
    if told:
        events.append(
            audit.event(
                action=AuditAction.NOTIFIED,
                obj=incident,
                actor=actor,
                institution=incident.institution,
                # who of them also had an e-mail (the others only see it in the app)
                data={
                    "kind": kind,
                    "users": told,
                    "mailed": mailed(who),
                },
            )
        )
