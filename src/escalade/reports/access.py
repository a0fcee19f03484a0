"""The access report a patient may ask for (Quebec's and Ontario's health-information
laws): for one patient, by name and birth date, every record of the institution that
holds them and every recorded access to it. Searched only by the roles allowed to see
personal health information; the search itself is recorded."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils.translation import gettext as _

from escalade.accounts import rules as perms
from escalade.accounts.services import require
from escalade.core import audit
from escalade.core.choices import AuditAction
from escalade.core.errors import Code, Invalid
from escalade.core.models import AuditEvent
from escalade.incidents.rules import fold
from escalade.runbooks.models import RegistryEntry
from escalade.telesessions.models import SessionPatient


def _words(text: str) -> list[str]:
    """A name's words, in any order, case and accents aside."""
    return sorted(fold(text).split())


def patient_access_report(actor, institution, name: str, birth_date: dt.date | None) -> dict:
    """Every record naming the patient (sessions' scheduled patients, by name: a session
    keeps no birth date; degraded-mode registry entries, by name and birth date) and every
    recorded display of them (who, when, why)."""
    require(actor, perms.VIEW_PATIENT, institution)
    words = _words(name)
    errors = []
    if len(words) < 2:
        errors.append(("name", _("Give the patient's first and last names."), Code.REQUIRED))
    if birth_date is None:
        errors.append(("birth_date", _("Give the patient's birth date."), Code.REQUIRED))
    if errors:
        raise Invalid(errors=errors)
    sessions = [
        p
        for p in SessionPatient.objects.filter(session__institution=institution)
        .filter(*[Q(name__icontains=w) for w in name.split()[:1]])
        .select_related("session")
        if _words(p.name) == words
    ]
    entries = [
        e
        for e in RegistryEntry.objects.filter(
            outage__institution=institution, birth_date=birth_date
        ).select_related("outage")
        if _words(f"{e.first_name} {e.last_name}") == words
    ]
    session_ids = {str(p.session_id) for p in sessions}
    incident_ids = {str(e.outage.incident_id) for e in entries if e.outage.incident_id}
    outage_ids = {e.outage_id for e in entries}
    accesses = (
        AuditEvent.objects.filter(action=AuditAction.PHI_VIEWED)
        .filter(
            Q(object_type="telesession", object_id__in=session_ids)
            | Q(object_type="incident", object_id__in=incident_ids, data__outage__in=outage_ids)
            | Q(object_type="outage", object_id__in=[str(i) for i in outage_ids])
        )
        .select_related("actor")
        .order_by("at", "id")
    )
    report = {
        "records": [
            {
                "kind": "session_patient",
                "where": f"/telesessions/{p.session_id}/",
                "label": f"#{p.session_id} {p.session.requesting_site}",
                "at": p.session.start,
            }
            for p in sessions
        ]
        + [
            {
                "kind": "registry_entry",
                "where": f"/outages/{e.outage_id}/",
                "label": f"#{e.outage_id} {e.exam}",
                "at": e.at,
            }
            for e in entries
        ],
        "accesses": [
            {
                "at": a.at,
                "who": a.actor.get_username() if a.actor else None,
                "why": (a.data or {}).get("purpose", ""),
                "what": f"{a.object_type} {a.object_id}",
            }
            for a in accesses
        ],
    }
    audit.record(
        action=AuditAction.PHI_VIEWED,
        obj=institution,
        actor=actor,
        institution=institution,
        data={"purpose": "access report", "records": len(report["records"])},
    )
    return report
