"""Every write on incidents. Views, the API, commands and tasks call these.

Each function is one transaction that also writes its audit events."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass

import phonenumbers
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from escalade.accounts import rules as perms
from escalade.accounts.models import Membership
from escalade.accounts.services import require as require_in
from escalade.core import audit, prepared
from escalade.core.choices import AuditAction
from escalade.core.errors import Conflict, Invalid, NotFound
from escalade.core.i18n import in_both
from escalade.core.numbering import next_number

from . import rules
from .choices import Channel, Impact, PartnerKind, RequesterRole, Severity, Status, Urgency
from .models import (
    Assignment,
    Escalation,
    Incident,
    IncidentPolicy,
    Note,
    SymptomCategory,
    TechnicalSheetEntry,
    Ticket,
)


@dataclass
class IncidentInput:
    """What intake needs (from the phone form, the API or a command)."""

    channel: str
    requester_name: str
    requester_role: str
    requester_site: str
    symptom: str
    summary: str
    requester_phone: str = ""
    requester_phone_ext: str = ""
    session_ref: str = ""
    description: str = ""
    resolved_on_first_call: bool = False
    impact: str | None = None
    urgency: str | None = None
    # The routing question (seed 003), when the institution has a chart: the requester
    # kind comes from the requester's role.
    need: str = ""
    subject: str = ""
    location: str = ""
    # Logged while a live telehealth session is in trouble (seed 000): major.
    during_live_session: bool = False

    @classmethod
    def from_fields(cls, data: dict) -> IncidentInput:
        """From a form's cleaned data (the phone form, the admin): the fields of the same names."""
        values = {f.name: data[f.name] for f in dataclasses.fields(cls) if f.name in data}
        if isinstance(values.get("symptom"), SymptomCategory):
            values["symptom"] = values["symptom"].code
        for name in ("impact", "urgency"):  # a blank choice: from the symptom
            if name in values and not values[name]:
                values[name] = None
        return cls(**values)


# -- guards ---------------------------------------------------------------------


def require(actor, permission: str, incident: Incident | None = None, institution=None) -> None:
    """Refuse unless `actor` holds `permission` and belongs to the incident's institution."""
    inst = incident.institution_id if incident is not None else getattr(institution, "pk", None)
    require_in(actor, permission, inst, _("This incident belongs to another institution."))


def parse_phone(raw: str, ext: str = "", region: str = "CA") -> tuple[str, str]:
    """Return (E.164, extension) or raise Invalid on the `requester.phone` field."""
    raw = (raw or "").strip()
    if not raw:
        return "", (ext or "").strip()
    normalized = raw.lower().replace("poste", "ext").replace("p.", "ext")
    try:
        number = phonenumbers.parse(normalized, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise Invalid(
            _("'%(phone)s' is not a valid phone number (e.g. 514-934-1934, ext. 36000).")
            % {"phone": raw},
            field="requester.phone",
        )
    extension = (ext or number.extension or "").strip()
    if extension and not extension.isdigit():
        raise Invalid(_("An extension has digits only."), field="requester.phone_ext")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), extension


# Pack data read on every intake, kept per process and keyed by the pack's digest: a
# newly loaded pack changes the digest, so no process ever uses stale rules.
_PACK_CACHE: dict[tuple[int, str], tuple[IncidentPolicy, dict[str, SymptomCategory]]] = {}


def _pack_data(institution) -> tuple[IncidentPolicy, dict[str, SymptomCategory]]:
    key = (institution.pk, institution.pack_digest)
    cached = _PACK_CACHE.get(key) if institution.pack_digest else None
    if cached is None:
        policy = IncidentPolicy.objects.filter(institution=institution).first()
        if policy is None:
            raise Conflict(
                _("Institution '%(code)s' has no incident rules: load its pack first.")
                % {"code": institution.code}
            )
        symptoms = {
            c.code: c for c in SymptomCategory.objects.filter(institution=institution, active=True)
        }
        cached = (policy, symptoms)
        if institution.pack_digest:
            if len(_PACK_CACHE) > 64:
                _PACK_CACHE.clear()
            _PACK_CACHE[key] = cached
    return cached


def policy_of(institution) -> IncidentPolicy:
    return _pack_data(institution)[0]


def _validate(data: IncidentInput, institution) -> tuple[SymptomCategory, list]:
    errors: list[tuple[str, object]] = []

    def choice(field, value, choices):
        if value not in choices.values:
            errors.append(
                (
                    field,
                    _("'%(value)s' is not valid: use one of %(valid)s.")
                    % {"value": value, "valid": ", ".join(choices.values)},
                )
            )

    choice("channel", data.channel, Channel)
    choice("requester.role", data.requester_role, RequesterRole)
    if data.impact is not None:
        choice("impact", data.impact, Impact)
    if data.urgency is not None:
        choice("urgency", data.urgency, Urgency)
    for field, value in (
        ("requester.name", data.requester_name),
        ("requester.site", data.requester_site),
        ("summary", data.summary),
    ):
        if not (value or "").strip():
            errors.append((field, _("This field is required.")))
    symptoms = _pack_data(institution)[1]
    symptom = symptoms.get(data.symptom)
    if symptom is None:
        errors.append(
            (
                "symptom",
                _("Unknown symptom '%(code)s': use one of %(valid)s.")
                % {"code": data.symptom, "valid": ", ".join(symptoms)},
            )
        )
    try:
        phone = parse_phone(data.requester_phone, data.requester_phone_ext)
    except Invalid as exc:
        errors.extend(exc.errors)
        phone = ("", "")
    if errors:
        raise Invalid(errors=errors)
    return symptom, phone


def route_snapshot(institution, data: IncidentInput, at=None) -> dict | None:
    """The chart's plan for the call, as JSON to keep on the incident (None without a
    subject). Raises Invalid on bad routing codes, with fields under 'route.'."""
    if not data.subject:
        return None
    from escalade.routing import rules as routing_rules
    from escalade.routing import selectors as routing

    requester = "patient" if data.requester_role == RequesterRole.PATIENT else "staff"
    question = routing_rules.Question(requester, data.need, data.subject, data.location)
    try:
        plan = routing.plan(institution, question, at)
    except (Invalid, NotFound) as exc:
        raise Invalid(
            errors=[
                (f"route.{f}" if f else "route", m)
                for f, m in (exc.errors if isinstance(exc, Invalid) else [(exc.field, exc.message)])
            ]
        ) from exc
    return json.loads(json.dumps(plan, cls=DjangoJSONEncoder))


def _classify_facts(symptom, level, first_call, policy, live=False) -> rules.Classification:
    facts = rules.Facts(
        symptom=symptom.code,
        symptom_group=symptom.group,
        level=level,
        resolved_on_first_call=first_call,
        during_live_session=live,
    )
    return rules.classify(facts, policy.classification, symptom.label)


def _classify(incident: Incident, policy: IncidentPolicy) -> rules.Classification:
    return _classify_facts(
        incident.symptom,
        incident.level,
        incident.resolved_on_first_call,
        policy,
        incident.during_live_session,
    )


def _candidates(institution, roles: list[str]) -> dict[str, dict | None]:
    """For each role, the member holding it with the fewest open assignments (or None)."""
    if not roles:
        return {}
    User = get_user_model()
    with connection.cursor() as cursor:  # on every intake: SQL kept, as in core/prepared.py
        cursor.execute(
            "SELECT m.id, m.user_id, u.username, g.name"
            f' FROM "{Membership._meta.db_table}" m'
            f' JOIN "{User._meta.db_table}" u ON u.id = m.user_id'
            f' JOIN "{User.groups.through._meta.db_table}" ug ON ug.user_id = u.id'
            f' JOIN "{Group._meta.db_table}" g ON g.id = ug.group_id'
            " WHERE m.institution_id = %s AND u.is_active = %s"
            f" AND g.name IN ({prepared.placeholders(len(roles))})"
            " ORDER BY m.open_assignments, m.id",
            [institution.pk, True, *roles],
        )
        rows = cursor.fetchall()
    picks: dict[str, dict | None] = dict.fromkeys(roles)
    for member_id, user_id, username, role in rows:
        if picks.get(role) is None:
            picks[role] = {"id": member_id, "user_id": user_id, "user__username": username}
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
    greatest = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    for n, ids in by_count.items():
        with connection.cursor() as cursor:  # on every intake: as in core/prepared.py
            cursor.execute(
                f'UPDATE "{Membership._meta.db_table}"'
                f" SET open_assignments = {greatest}(open_assignments + %s, 0)"
                f" WHERE institution_id = %s AND user_id IN ({prepared.placeholders(len(ids))})",
                [n, incident.institution_id, *sorted(ids)],
            )


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
    _tell(incident, actor, events, "assigned", [a.user_id for a in rows if a.user_id])
    if new:  # what the intake answer shows, without reading it back
        incident.new_assignees = [
            {"role": role, "user": picks[role]["user__username"] if picks.get(role) else None}
            for role in roles
        ]
    if incident.is_open:
        _shift_load(incident, +1, [a.user_id for a in rows if a.user_id])


def _tell(incident: Incident, actor, events: list, kind: str, user_ids) -> None:
    """Tell people in-app and by e-mail (seed 001, points 1-2: those assigned; on
    escalation, the new level's team), never the person acting; the timeline records who."""
    from escalade.notifications.services import tell

    told_before = getattr(incident, "_told", set())
    ids = {u for u in user_ids if u and u != getattr(actor, "pk", None)} - told_before
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
        ids, kind=kind, params=params, link=f"/incidents/{incident.number}/", subject=subject
    )
    incident._told = told_before | ids
    if told:
        events.append(
            audit.event(
                action=AuditAction.NOTIFIED,
                obj=incident,
                actor=actor,
                institution=incident.institution,
                data={"kind": kind, "users": told},
            )
        )


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
        from escalade.reports.services import ensure_draft

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


# -- intake ---------------------------------------------------------------------


def log_incident(actor, institution, data: IncidentInput) -> Incident:
    """Log a request: number, classification, ticket or technical sheet, assignment."""
    require(actor, perms.LOG, institution=institution)
    policy = policy_of(institution)
    errors: list = []
    try:
        symptom, (phone, ext) = _validate(data, institution)
    except Invalid as exc:
        errors.extend(exc.errors)
    try:
        route_plan = route_snapshot(institution, data)
    except Invalid as exc:
        errors.extend(exc.errors)
    if errors:
        raise Invalid(errors=errors)
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
        symptom, 1, data.resolved_on_first_call, policy, data.during_live_session
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
            session_ref=(data.session_ref or "").strip(),
            symptom=symptom,
            summary=data.summary.strip(),
            description=(data.description or "").strip(),
            resolved_on_first_call=data.resolved_on_first_call,
            route_plan=route_plan,
            during_live_session=data.during_live_session,
            level=1,
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
        if data.resolved_on_first_call:
            incident.status = Status.RESOLVED
            incident.resolved_at = now
            incident.resolution = str(_("Resolved on the first call."))
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
        _apply_severity(incident, policy, actor, picks, events)
        audit.record_many(events)
        notify_hooks(incident, "incident.created")
    return incident


# -- moves ------------------------------------------------------------------------


def _locked(incident: Incident) -> Incident:
    return (
        Incident.objects.select_for_update()
        .select_related("institution", "symptom")
        .get(pk=incident.pk)
    )


def _save(incident: Incident, fields: list[str]) -> None:
    incident.updated_at = timezone.now()
    incident.save(update_fields=sorted(set(fields) | {"updated_at"}))


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
) -> Incident:
    """One lifecycle move: lock the row, check the transition table, apply `values`,
    move the assignees' open-work counters by `load`, save, and audit."""
    with transaction.atomic():
        incident = _locked(incident)
        target = rules.next_status(action, incident.status)
        if target is None:
            raise Conflict(refused, field="status")
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
    return incident


def start(actor, incident: Incident) -> Incident:
    """Take the incident in charge: new -> in progress."""
    require(actor, perms.NOTE, incident)
    return _move(
        actor,
        incident,
        "start",
        refused=_("Only a new incident can be taken in charge."),
        audit_action=AuditAction.STARTED,
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
    """Move the incident up a level (or engage another external partner at level 3)."""
    require(actor, perms.ESCALATE, incident)
    reason = (reason or "").strip()
    errors = []
    if not reason:
        errors.append(("reason", _("Say why the incident is escalated.")))
    if to_level not in (1, 2, 3):
        errors.append(("to_level", _("The level is 1, 2 or 3.")))
    if partner_kind and partner_kind not in PartnerKind.values:
        errors.append(
            (
                "partner_kind",
                _("'%(value)s' is not valid: use one of %(valid)s.")
                % {"value": partner_kind, "valid": ", ".join(PartnerKind.values)},
            )
        )
    if (partner or external_ref) and to_level != 3:
        errors.append(("partner", _("External partners are engaged at level 3.")))
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
            raise Conflict(message, field="to_level")
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
        _tell(incident, actor, told, "escalated", team)
        audit.record_many(told)
        notify_hooks(incident, "incident.escalated")
    return incident


def add_note(actor, incident: Incident, text: str) -> Note:
    require(actor, perms.NOTE, incident)
    text = (text or "").strip()
    if not text:
        raise Invalid(_("A note cannot be empty."), field="text")
    with transaction.atomic():
        incident = _locked(incident)
        note = Note.objects.create(incident=incident, author=actor, text=text)
        _save(incident, [])
        audit.record(
            action=AuditAction.NOTE_ADDED,
            obj=incident,
            actor=actor,
            institution=incident.institution,
            data={"note": note.pk, "text": text},
        )
    return note


def resolve(actor, incident: Incident, resolution: str) -> Incident:
    require(actor, perms.RESOLVE, incident)
    resolution = (resolution or "").strip()

    def guard(locked: Incident) -> None:
        if not resolution and rules.needs_resolution_text(locked.severity):
            raise Invalid(_("A major incident needs a resolution text."), field="resolution")

    return _move(
        actor,
        incident,
        "resolve",
        refused=_("Only an open incident can be resolved."),
        audit_action=AuditAction.RESOLVED,
        values={"resolution": resolution, "resolved_at": timezone.now()},
        guard=guard,
        load=-1,
    )


def close(actor, incident: Incident) -> Incident:
    require(actor, perms.CLOSE, incident)

    def guard(locked: Incident) -> None:
        if rules.needs_resolution_text(locked.severity) and not locked.resolution.strip():
            raise Invalid(
                _("A major incident needs a resolution text before it closes."), field="resolution"
            )
        if locked.severity == Severity.MAJOR:
            from escalade.reports.services import ensure_draft

            missing = ensure_draft(locked).missing_labels()
            if missing:
                raise Conflict(
                    _("Complete the major-incident report first; missing: %(fields)s.")
                    % {"fields": ", ".join(missing)},
                    field="report",
                )

    return _move(
        actor,
        incident,
        "close",
        refused=_("Only a resolved incident can be closed."),
        audit_action=AuditAction.CLOSED,
        values={"closed_at": timezone.now()},
        guard=guard,
    )


def reopen(actor, incident: Incident, reason: str) -> Incident:
    require(actor, perms.REOPEN, incident)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Say why the incident is reopened."), field="reason")
    return _move(
        actor,
        incident,
        "reopen",
        refused=_("Only a resolved or closed incident can be reopened."),
        audit_action=AuditAction.REOPENED,
        values={"resolved_at": None, "closed_at": None},
        data={"reason": reason},
        load=+1,
    )


def reclassify(actor, incident: Incident, severity: str, reason: str) -> Incident:
    """A manual reclassification by a permitted role, with a reason; audited."""
    require(actor, perms.RECLASSIFY, incident)
    reason = (reason or "").strip()
    errors = []
    if severity not in Severity.values:
        errors.append(
            (
                "severity",
                _("'%(value)s' is not valid: use one of %(valid)s.")
                % {"value": severity, "valid": ", ".join(Severity.values)},
            )
        )
    if not reason:
        errors.append(("reason", _("A reclassification needs a reason.")))
    if errors:
        raise Invalid(errors=errors)
    policy = policy_of(incident.institution)
    with transaction.atomic():
        incident = _locked(incident)
        if incident.severity == severity:
            raise Conflict(
                _("The incident is already %(severity)s.") % {"severity": Severity(severity).label},
                field="severity",
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
    require(actor, perms.REPRIORITIZE, incident)
    reason = (reason or "").strip()
    errors = []
    if impact not in Impact.values:
        errors.append(
            ("impact", _("Choose an impact: %(valid)s.") % {"valid": ", ".join(Impact.values)})
        )
    if urgency not in Urgency.values:
        errors.append(
            ("urgency", _("Choose an urgency: %(valid)s.") % {"valid": ", ".join(Urgency.values)})
        )
    if not reason:
        errors.append(("reason", _("Say why the priority changes.")))
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
            raise Conflict(_("Impact and urgency are unchanged."), field="impact")
        _save(incident, list(changes))
        audit.record(
            action=AuditAction.PRIORITY_CHANGED,
            obj=incident,
            actor=actor,
            institution=incident.institution,
            changes=changes,
            data={"reason": reason},
        )
    return incident


def flag_patient_safety(actor, incident: Incident, level: str, note: str = "") -> Incident:
    """Seed 000 step 12: an event that had or may have an impact on a patient's safety.
    The centre's manager is told at once (in-app now, e-mail by the worker within seconds)
    and the incident declaration (AH-223, keyword « Télésanté ») is prepared."""
    from escalade.notifications import services as notify
    from escalade.notifications.services import MESSAGES
    from escalade.reports.services import prepare_declaration

    from .choices import PatientSafety

    require(actor, perms.NOTE, incident)
    if level not in (PatientSafety.POSSIBLE, PatientSafety.CONFIRMED):
        raise Invalid(
            _("'%(value)s' is not valid: use one of %(valid)s.")
            % {"value": level, "valid": "possible, confirmed"},
            field="level",
        )
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
        prepare_declaration(incident, level, note)
        notify_hooks(incident, "incident.patient_safety")
        params = {"number": incident.number}
        link = f"/incidents/{incident.number}/declaration/"
        notify.to_role(
            incident.institution, "manager", kind="patient_safety", params=params, link=link
        )
        notify.mail_role(
            incident.institution,
            "manager",
            subject=gettext_lazy("Patient safety: incident %(number)s"),
            body=MESSAGES["patient_safety"],
            params=params,
        )
    return incident


def notify_hooks(incident: Incident, event: str) -> None:
    """Tell the institution's webhooks (signed, retried until accepted)."""
    from escalade.notifications.services import emit

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
