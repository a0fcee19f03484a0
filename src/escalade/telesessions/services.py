"""Every write on telehealth sessions and the live troubleshooting protocol."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from escalade.accounts.services import require
from escalade.core import audit, events
from escalade.core.choices import AuditAction
from escalade.core.errors import Code, Conflict, Invalid, not_one_of, required
from escalade.core.i18n import in_both, in_language, product_language
from escalade.incidents import services as incidents
from escalade.incidents.events import IncidentResolved
from escalade.incidents.models import Incident
from escalade.notifications import services as notify

from . import rules, tasks
from .choices import ProtocolState, Recommendation, SessionKind, SessionStatus, StepState, TaskState
from .errors import SessionError
from .events import TroubleshootingStarted
from .models import FollowUpTask, Protocol, ProtocolStep, SessionPatient, TeleSession

TROUBLESHOOT = "troubleshoot_telesession"
CANCEL = "cancel_telesession"
VIEW_PATIENT = "view_patient"
ADD = "add_telesession"


ELSEWHERE = gettext_lazy("This session belongs to another institution.")


@dataclass
class PatientInput:
    """A patient of a session to schedule: name, phone, appointment time."""

    name: str
    phone: str = ""
    appointment: dt.datetime | None = None


@dataclass
class SessionInput:
    """A session to schedule, as the API, the form and the import give it."""

    kind: str
    start: dt.datetime
    end: dt.datetime
    requesting_site: str
    provider_sites: list[str]
    patients: list[PatientInput] = field(default_factory=list)
    technical_contact: str = ""
    clinical_contact: str = ""
    health_professional: str = ""
    coordinator: str = ""
    external_ref: str = ""


def _validate(data: SessionInput, prefix: str = "") -> list[tuple[str, str]]:
    errors = []
    errors += not_one_of(f"{prefix}kind", data.kind, SessionKind)
    for name in ("start", "end"):
        value = getattr(data, name)
        if value is None:
            errors.append((f"{prefix}{name}", _("This field is required."), Code.REQUIRED))
        elif value.tzinfo is None:
            errors.append(
                (
                    f"{prefix}{name}",
                    _("Give the time zone (e.g. 2026-11-23T09:00:00-05:00)."),
                    Code.NO_TIME_ZONE,
                )
            )
    times_ok = all(v is not None and v.tzinfo is not None for v in (data.start, data.end))
    if times_ok and data.end <= data.start:
        errors.append(
            (f"{prefix}end", _("The end must come after the start."), Code.END_BEFORE_START)
        )
    if not (data.requesting_site or "").strip():
        errors.append((f"{prefix}requesting_site", _("This field is required."), Code.REQUIRED))
    if not [s for s in data.provider_sites if s.strip()]:
        errors.append(required(f"{prefix}provider_sites", _("Name at least one provider site.")))
    for i, p in enumerate(data.patients):
        if not p.name.strip():
            errors.append(
                (f"{prefix}patients.{i}.name", _("This field is required."), Code.REQUIRED)
            )
        if p.phone:
            try:
                incidents.parse_phone(p.phone)
            except Invalid:
                errors.append(
                    (
                        f"{prefix}patients.{i}.phone",
                        _("'%(phone)s' is not a valid phone number.") % {"phone": p.phone},
                        SessionError.INVALID_PHONE,
                    )
                )
        if p.appointment is not None and p.appointment.tzinfo is None:
            errors.append(
                (f"{prefix}patients.{i}.appointment", _("Give the time zone."), Code.NO_TIME_ZONE)
            )
    return errors


def _create(actor, institution, data: SessionInput) -> TeleSession:
    session = TeleSession.objects.create(
        institution=institution,
        kind=data.kind,
        start=data.start,
        end=data.end,
        requesting_site=data.requesting_site.strip(),
        provider_sites=[s.strip() for s in data.provider_sites if s.strip()],
        technical_contact=data.technical_contact,
        clinical_contact=data.clinical_contact,
        health_professional=data.health_professional,
        coordinator=data.coordinator,
        external_ref=data.external_ref.strip(),
        created_by=actor,
    )
    SessionPatient.objects.bulk_create(
        [
            SessionPatient(
                session=session,
                name=p.name.strip(),
                phone=incidents.parse_phone(p.phone)[0] if p.phone else "",
                appointment=p.appointment,
            )
            for p in data.patients
        ]
    )
    audit.record(
        action=AuditAction.CREATED,
        obj=session,
        actor=actor,
        institution=institution,
        data={"kind": session.kind, "patients": len(data.patients)},
    )
    return session


def create_session(actor, institution, data: SessionInput) -> TeleSession:
    """Schedule a session (audited); Invalid with every bad field at once, Conflict
    (duplicate_reference) on a scheduling reference already used."""
    require(actor, ADD, institution, ELSEWHERE)
    errors = _validate(data)
    if errors:
        raise Invalid(errors=errors)
    with transaction.atomic():
        try:
            return _create(actor, institution, data)
        except IntegrityError as exc:
            raise Conflict(
                _("A session with this scheduling reference exists already."),
                field="external_ref",
                code=SessionError.DUPLICATE_REFERENCE,
            ) from exc


CSV_COLUMNS = [
    "reference",
    "kind",
    "start",
    "end",
    "requesting_site",
    "provider_sites",
    "patient_name",
    "patient_phone",
    "appointment",
]


@dataclass
class ImportResult:
    """What an import did: sessions created, and the errors by line."""

    created: int
    errors: list[dict]  # {"line", "field", "code", "message"}


def import_csv(actor, institution, text: str) -> ImportResult:
    """Import sessions from a scheduling system's CSV export (docs/telesessions-csv.md): one
    row per patient, rows of the same `reference` form one session. Bad rows are reported
    by line; the sessions whose rows are all good are imported, each in one transaction."""
    require(actor, ADD, institution, ELSEWHERE)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise Invalid(
            _("Missing columns: %(cols)s.") % {"cols": ", ".join(missing)},
            field="file",
            code=SessionError.MISSING_COLUMNS,
        )
    groups: dict[str, list[tuple[int, dict]]] = {}
    for line, row in enumerate(reader, start=2):
        groups.setdefault((row.get("reference") or f"line-{line}").strip(), []).append((line, row))
    created, errors = 0, []
    for reference, rows in groups.items():
        line, first = rows[0]
        try:
            data = SessionInput(
                kind=(first["kind"] or "").strip(),
                start=_parse_dt(first["start"]),
                end=_parse_dt(first["end"]),
                requesting_site=first["requesting_site"] or "",
                provider_sites=[s for s in (first["provider_sites"] or "").split(";")],
                external_ref=reference if not reference.startswith("line-") else "",
                patients=[
                    PatientInput(
                        r["patient_name"] or "",
                        r["patient_phone"] or "",
                        _parse_dt(r["appointment"]) if r["appointment"] else None,
                    )
                    for _line, r in rows
                    if (r.get("patient_name") or "").strip()
                ],
            )
        except ValueError as exc:
            errors.append(
                {"line": line, "field": "", "code": str(Code.INVALID), "message": str(exc)}
            )
            continue
        problems = _validate(data)
        if problems:
            errors.extend({"line": line, **e} for e in Invalid(errors=problems).as_errors())
            continue
        try:
            with transaction.atomic():
                _create(actor, institution, data)
            created += 1
        except IntegrityError:
            errors.append(
                {
                    "line": line,
                    "field": "reference",
                    "code": str(SessionError.DUPLICATE_REFERENCE),
                    "message": _("A session with this scheduling reference exists already."),
                }
            )
    return ImportResult(created, errors)


def _parse_dt(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat((text or "").strip())
    if value.tzinfo is None:
        raise ValueError(
            _("'%(value)s' has no time zone (e.g. 2026-11-23T09:00:00-05:00).") % {"value": text}
        )
    return value


# -- the live protocol ------------------------------------------------------------


def protocol_spec(institution) -> dict:
    """The institution's troubleshooting protocol (pack data); Conflict (no_protocol) without
    one."""
    spec = (institution.settings or {}).get("protocol")
    if not spec:
        raise Conflict(
            _("Institution '%(code)s' has no troubleshooting protocol: load its pack.")
            % {"code": institution.code},
            code=SessionError.NO_PROTOCOL,
        )
    return spec


def _bump(protocol: Protocol) -> None:
    Protocol.objects.filter(pk=protocol.pk).update(version=F("version") + 1)


def start_troubleshooting(
    actor,
    session: TeleSession,
    *,
    symptom: str,
    description: str = "",
    incident: Incident | None = None,
) -> Protocol:
    """Open the protocol on a session: a major incident (or the one named), the 12 steps,
    and the two marks of the window queued as background tasks."""
    require(actor, TROUBLESHOOT, session.institution, ELSEWHERE)
    spec = protocol_spec(session.institution)

    # One transaction under the session's lock: a second start (a stale page, two people
    # at once) is refused before anything is written, never a twin incident or ticket.
    with transaction.atomic():
        locked = audit.locked(session)
        if locked.status in (SessionStatus.CANCELLED, SessionStatus.COMPLETED):
            raise Conflict(
                _("This session is over."), field="session", code=SessionError.SESSION_OVER
            )
        if Protocol.objects.filter(session=locked, state=ProtocolState.OPEN).exists():
            raise Conflict(
                _("Troubleshooting is already under way on this session."),
                field="session",
                code=SessionError.PROTOCOL_RUNNING,
            )
        if incident is None:
            incident = incidents.log_incident(
                actor,
                session.institution,
                incidents.IncidentInput(
                    channel="phone",
                    requester_name=session.technical_contact or session.requesting_site,
                    requester_role="staff",
                    requester_site=session.requesting_site,
                    session_ref=f"#{session.pk}",
                    symptom=symptom,
                    summary=_("Trouble during the telehealth session #%(id)s") % {"id": session.pk},
                    summary_i18n=in_both(
                        lambda: (
                            _("Trouble during the telehealth session #%(id)s") % {"id": session.pk}
                        )
                    ),
                    description=description,
                    during_live_session=True,
                ),
            )
        elif incident.institution_id != session.institution_id:
            raise Invalid(
                _("The incident belongs to another institution."),
                field="incident",
                code=Code.OTHER_INSTITUTION,
            )
        window = spec["window"]
        protocol = Protocol.objects.create(
            session=locked,
            incident=incident,
            started_by=actor,
            warn_after_s=window["warn_after_minutes"] * 60,
            cancel_after_s=window["cancel_after_minutes"] * 60,
        )
        ProtocolStep.objects.bulk_create(
            [ProtocolStep(protocol=protocol, n=n) for n in range(1, 13)]
        )
        locked.status = rules.SESSION.move(
            "troubleshoot",
            locked.status,
            _("Troubleshooting is already under way on this session."),
        )
        locked.updated_at = timezone.now()
        locked.save(update_fields=["status", "updated_at"])
        audit.record(
            action=AuditAction.STARTED,
            obj=locked,
            actor=actor,
            institution=locked.institution,
            data={"protocol": protocol.pk, "incident": incident.number},
        )
        # Seed 000 step 2: the centre reaches its telehealth technician at once.
        _tell_roles(locked, ["telehealth_technician"], "protocol_started", actor)
        started = protocol.started_at
        # The marks are queued with the protocol, in its transaction: both or neither.
        for mark, seconds in (("warn", protocol.warn_after_s), ("cancel", protocol.cancel_after_s)):
            tasks.protocol_mark.using(run_after=started + dt.timedelta(seconds=seconds)).enqueue(
                protocol.pk, mark
            )
        events.publish(
            TroubleshootingStarted(
                session=locked, protocol=protocol, incident=incident, actor=actor
            )
        )
    return protocol


def apply_mark(protocol_id: int, mark: str, now: dt.datetime | None = None) -> bool:
    """Record the window's mark if it is due and not recorded yet: True when this call did.
    Called by the background task; safe to call any number of times, by several workers."""
    now = now or timezone.now()
    with transaction.atomic():
        protocol = (
            Protocol.objects.select_for_update().select_related("session").get(pk=protocol_id)
        )
        if protocol.state != ProtocolState.OPEN:
            return False
        due = rules.recommendation_at(
            protocol.elapsed_s(now), protocol.warn_after_s, protocol.cancel_after_s
        )
        if (
            mark == Recommendation.WARN
            and protocol.warned_at is None
            and due in (Recommendation.WARN, Recommendation.CANCEL)
        ):
            protocol.warned_at = now
            if not protocol.recommendation:
                protocol.recommendation = Recommendation.WARN
        elif (
            mark == Recommendation.CANCEL
            and protocol.cancel_recommended_at is None
            and due == Recommendation.CANCEL
        ):
            protocol.cancel_recommended_at = now
            protocol.recommendation = Recommendation.CANCEL
        else:
            return False
        protocol.save(update_fields=["warned_at", "cancel_recommended_at", "recommendation"])
        _bump(protocol)
        audit.record(
            action=AuditAction.WINDOW_MARK,
            obj=protocol.session,
            institution=protocol.session.institution,
            data={"protocol": protocol.pk, "mark": mark, "elapsed_s": protocol.elapsed_s(now)},
        )
        _tell_window(protocol.session, mark, protocol.elapsed_s(now) // 60)
    return True


EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def _tell_window(session: TeleSession, mark: str, minutes: int) -> None:
    """Steps 5-7 at 15 (and 30) minutes: the telehealth technicians, the clinical
    coordinator, and the requesting site's clinical contact (by e-mail when the session
    names their address), each told whom to call."""
    kind = f"protocol_{mark}"
    contact = session.clinical_contact or session.coordinator or session.requesting_site
    params = {"session": session.pk, "minutes": minutes, "contact": contact}
    ids = notify.members(session.institution, ["telehealth_technician", "clinical_coordinator"])
    notify.tell(
        notify.people(ids),
        kind=kind,
        params=params,
        link=f"/telesessions/{session.pk}/",
        subject=notify.MESSAGES[kind],
    )
    addresses = sorted(
        {
            m.group(0)
            for text in (session.clinical_contact, session.coordinator)
            for m in EMAIL.finditer(text or "")
        }
    )
    if addresses:
        with in_language(product_language()):
            notify.send_mail(
                addresses,
                _("Session #%(session)s: technical trouble for %(minutes)s minutes") % params,
                str(notify.MESSAGES[kind]) % params,
            )


def mark_step(actor, session: TeleSession, n: int, state: str, note: str = "") -> ProtocolStep:
    """Mark a step of the troubleshooting under way done or not applicable (audited on the
    session)."""
    require(actor, TROUBLESHOOT, session.institution, ELSEWHERE)
    if wrong := not_one_of("state", state, [StepState.DONE, StepState.NOT_APPLICABLE]):
        raise Invalid(errors=wrong)
    if not 1 <= n <= 12:
        raise Invalid(_("Steps are numbered 1 to 12."), field="n", code=Code.OUT_OF_RANGE)
    with transaction.atomic():
        protocol = (
            Protocol.objects.select_for_update()
            .filter(session=session, state=ProtocolState.OPEN)
            .first()
        )
        if protocol is None:
            raise Conflict(
                _("No troubleshooting is under way on this session."),
                field="session",
                code=SessionError.NO_PROTOCOL_RUNNING,
            )
        step = ProtocolStep.objects.get(protocol=protocol, n=n)
        note = (note or "").strip()
        audit.change(
            step,
            action=AuditAction.STEP_MARKED,
            actor=actor,
            about=session,
            data={"protocol": protocol.pk, "step": n, "note": note},
            state=state,
            note=note,
            by=actor,
            at=timezone.now(),
        )
        _bump(protocol)
    return step


def resolve_protocol(actor, session: TeleSession) -> Protocol:
    """The problem is solved and the session goes on."""
    require(actor, TROUBLESHOOT, session.institution, ELSEWHERE)
    return _solve(actor, session)


def incident_resolved(event: IncidentResolved) -> None:
    """Subscriber of incident.resolved: the live session's incident resolved anywhere
    (the API, the incident page) solves its troubleshooting, and the clinical coordinator
    is told (step 10), as the session page's button does."""
    protocol = (
        Protocol.objects.select_related("session__institution")
        .filter(incident=event.incident, state=ProtocolState.OPEN)
        .first()
    )
    if protocol is not None:
        _solve(event.actor, protocol.session)


def _solve(actor, session: TeleSession) -> Protocol:
    with transaction.atomic():
        protocol = (
            Protocol.objects.select_for_update()
            .filter(session=session, state=ProtocolState.OPEN)
            .first()
        )
        if protocol is None:
            raise Conflict(
                _("No troubleshooting is under way on this session."),
                field="session",
                code=SessionError.NO_PROTOCOL_RUNNING,
            )
        audit.change(
            protocol,
            action=AuditAction.RESOLVED,
            actor=actor,
            about=session,
            data={"protocol": protocol.pk},
            state=rules.PROTOCOL.move("resolve", protocol.state, _("Already solved.")),
            ended_at=timezone.now(),
        )
        status = TeleSession.objects.select_for_update().values_list("status", flat=True)
        TeleSession.objects.filter(pk=session.pk).update(
            status=rules.SESSION.move(
                "solved", status.get(pk=session.pk), _("This session is over.")
            ),
            updated_at=timezone.now(),
        )
        _bump(protocol)
        # Seed 000 step 10: « on informe la coordonnatrice clinique de la situation ».
        _tell_roles(session, ["clinical_coordinator"], "protocol_resolved", actor)
    return protocol


def _tell_roles(session: TeleSession, roles, kind: str, actor, **extra) -> None:
    ids = [u for u in notify.members(session.institution, roles) if u != actor.pk]
    notify.tell(
        notify.people(ids),
        kind=kind,
        params={"session": session.pk, "site": session.requesting_site, **extra},
        link=f"/telesessions/{session.pk}/",
        subject=notify.MESSAGES[kind],
    )


def cancel_session(actor, session: TeleSession, reason: str) -> TeleSession:
    """Cancel (step 6 confirmed): the follow-up work of steps 7-9 is created."""
    require(actor, CANCEL, session.institution, ELSEWHERE)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Say why the session is cancelled."), field="reason", code=Code.REQUIRED)
    with transaction.atomic():
        locked = audit.locked(session)
        if locked.status in (SessionStatus.CANCELLED, SessionStatus.COMPLETED):
            raise Conflict(
                _("This session is over."), field="status", code=SessionError.SESSION_OVER
            )
        patient_ids = list(locked.patients.values_list("id", flat=True))
        audit.change(
            locked,
            action=AuditAction.CLOSED,
            actor=actor,
            data={"reason": reason, "patients": len(patient_ids)},
            quiet={"updated_at": timezone.now()},
            status=rules.SESSION.move("cancel", locked.status, _("This session is over.")),
            cancel_reason=reason,
        )
        protocol = (
            Protocol.objects.select_for_update()
            .filter(session=locked, state=ProtocolState.OPEN)
            .first()
        )
        if protocol is not None:
            protocol.state = rules.PROTOCOL.move("cancel", protocol.state, _("Already ended."))
            protocol.ended_at = timezone.now()
            protocol.save(update_fields=["state", "ended_at"])
            _bump(protocol)
        work = rules.follow_up_work(
            patient_ids, locked.health_professional.strip(), locked.coordinator.strip()
        )
        FollowUpTask.objects.bulk_create(
            [
                FollowUpTask(
                    session=locked, kind=kind, patient_id=pid, assignee_role=role, assignee_name=who
                )
                for kind, pid, role, who in work
            ]
        )
        # Steps 7-9: those who call the patients and rebook are told (no names here).
        _tell_roles(
            locked,
            sorted({role for _k, _p, role, _w in work}),
            "session_cancelled",
            actor,
            tasks=len(work),
            when=timezone.localtime(locked.start, locked.institution.zone).strftime(
                "%Y-%m-%d %H:%M"
            ),
            reason=reason[:200],
        )
    return locked


def complete_task(actor, task: FollowUpTask) -> FollowUpTask:
    """Mark a follow-up task done (audited on its session)."""
    require(actor, VIEW_PATIENT, task.session.institution, ELSEWHERE)
    with transaction.atomic():
        task = audit.locked(task)
        if task.state == TaskState.DONE:
            raise Conflict(
                _("This task is done already."), field="state", code=Code.NOT_ALLOWED_NOW
            )
        audit.change(
            task,
            action=AuditAction.TASK_DONE,
            actor=actor,
            about=task.session,
            data={"task": task.pk, "kind": task.kind, "state": "done"},
            state=TaskState.DONE,
            done_by=actor,
            done_at=timezone.now(),
        )
    return task


def record_patient_access(actor, session: TeleSession, purpose: str) -> None:
    """Every display of patients' personal data is recorded (who, when, which session, why)."""
    audit.record(
        action=AuditAction.PHI_VIEWED,
        obj=session,
        actor=actor,
        institution=session.institution,
        data={"purpose": purpose, "patients": session.patients.count()},
    )
