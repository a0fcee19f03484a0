"""Telehealth sessions: scheduled one by one or imported from a CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from escalade.accounts.services import require
from escalade.core import audit
from escalade.core.choices import AuditAction
from escalade.core.errors import Code, Conflict, Invalid, not_one_of, required
from escalade.incidents import services as incidents

from ..choices import (
    SessionKind,
)
from ..errors import SessionError
from ..models import SessionPatient, TeleSession
from .common import ADD, ELSEWHERE

# -- sessions ----------------------------------------------------------------------


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
