"""The live protocol of a session in trouble (seed 000): its 12 steps, the 15- and
30-minute marks, and who is told."""

from __future__ import annotations

import datetime as dt
import re

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from escalade.accounts.services import require
from escalade.core import audit, events
from escalade.core.choices import AuditAction
from escalade.core.errors import Code, Conflict, Invalid, not_one_of
from escalade.core.i18n import in_both, in_language, product_language
from escalade.incidents import services as incidents
from escalade.incidents.events import IncidentResolved
from escalade.incidents.models import Incident
from escalade.notifications import services as notify

from .. import rules, tasks
from ..choices import (
    ProtocolState,
    Recommendation,
    SessionStatus,
    StepState,
)
from ..errors import SessionError
from ..events import TroubleshootingStarted
from ..models import Protocol, ProtocolStep, TeleSession
from .common import ELSEWHERE, TROUBLESHOOT

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
