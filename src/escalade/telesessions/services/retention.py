"""The session patients past the institution's period (core/retention.py): their names
and phones replaced once the session has ended, unless the session or its incident is
under a legal hold. The sessions, their times and figures stay: the statistics count
them as before."""

from __future__ import annotations

from escalade.accounts import rules as perms
from escalade.accounts.services import require
from escalade.core import retention

from ..models import SessionPatient

REMOVED = "—"


def purge_patients(institution, cutoff, held) -> int:
    """Anonymise the patients of the institution's sessions ended before `cutoff`."""
    sessions = {int(i) for kind, i in held if kind == "telesession"}
    incidents = {int(i) for kind, i in held if kind == "incident"}
    rows = (
        SessionPatient.objects.filter(session__institution=institution, session__end__lt=cutoff)
        .exclude(name=REMOVED)
        .exclude(session_id__in=sessions)
        .exclude(session__protocols__incident_id__in=incidents)
    )
    return rows.update(name=REMOVED, phone="")


def legal_hold(actor, session, reason: str):
    """A manager puts the session under a legal hold (its patients are kept past their
    retention period), with the reason."""
    require(actor, perms.LEGAL_HOLD, session)
    return retention.set_hold(actor, session, reason)


def release_legal_hold(actor, session, reason: str):
    """A manager ends the session's legal hold, with the reason."""
    require(actor, perms.LEGAL_HOLD, session)
    return retention.release_hold(actor, session, reason)
