"""A cancelled session and its follow-up work (each patient called back)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from escalade.accounts.services import require
from escalade.core import audit
from escalade.core.choices import AuditAction
from escalade.core.errors import Code, Conflict, Invalid

from .. import rules
from ..choices import (
    ProtocolState,
    SessionStatus,
    TaskState,
)
from ..errors import SessionError
from ..models import FollowUpTask, Protocol, TeleSession
from .common import CANCEL, ELSEWHERE, VIEW_PATIENT
from .protocol import _bump, _tell_roles

# -- cancelling a session and its follow-up -----------------------------------------


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
    audit.phi_viewed(
        actor, session, session.institution, purpose, patients=session.patients.count()
    )
