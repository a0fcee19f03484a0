"""Writes on major-incident reports: the draft, its completion, the PDF, the sending."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from escalade.accounts import rules as perms
from escalade.accounts.services import require
from escalade.actions import selectors as action_selectors
from escalade.actions import services as actions
from escalade.actions.choices import ActionSource
from escalade.actions.models import ActionItem
from escalade.core import audit, packs, prepared
from escalade.core.choices import AuditAction
from escalade.core.errors import Code, Conflict, Invalid
from escalade.core.fiscal import period_of
from escalade.core.models import Institution
from escalade.incidents.choices import Severity
from escalade.incidents.errors import IncidentError
from escalade.incidents.events import IncidentClassified, IncidentClosing, PatientSafetyFlagged
from escalade.incidents.models import IncidentPolicy
from escalade.incidents.services import policy_of
from escalade.notifications.services import send_mail
from escalade.telesessions.models import FollowUpTask, Protocol

from . import exports, stats
from .errors import ReportError
from .models import IncidentDeclaration, MajorReport, PeriodReport
from .pdf import major_report_pdf

EDITABLE = (
    "cause",
    "resolution",
    "organisational_repercussions",
    "clinical_repercussions",
    "sessions_cancelled",
    "patients_affected",
    "care_delayed",
    "distribution",
)


def _known_repercussions(incident) -> dict:
    """What the system knows of the clinical repercussions: the sessions cancelled in the
    incident's troubleshooting, and their scheduled patients."""

    cancelled = Protocol.objects.filter(incident=incident, session__status="cancelled").values(
        "session"
    )
    return {
        "sessions_cancelled": cancelled.distinct().count(),
        "patients_affected": FollowUpTask.objects.filter(
            session__in=cancelled, kind="call_back_patient"
        ).count(),
    }


def default_distribution(incident) -> list[str]:
    """Seed 000 step 11: the addresses of the members holding the roles the pack names
    (colleagues, event coordinators, the clinical coordinator); the author may change it."""

    roles = policy_of(incident.institution).report_distribution
    if not roles:
        return []
    return sorted(
        set(
            get_user_model()
            .objects.filter(
                is_active=True,
                groups__name__in=roles,
                memberships__institution_id=incident.institution_id,
            )
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )


def ensure_draft(incident, new: bool = False) -> MajorReport:
    """The report of a major incident. A draft nobody has edited yet follows what the
    system knows (a session cancelled after the incident opened counts); once an author
    has written in it, their figures stand. `new`: an incident just logged, which can have
    no session yet. The resolution is the incident's own until the author writes one."""
    if new:  # logged in this transaction: it has no report and no session yet
        report = MajorReport(incident=incident)  # its distribution: on first reading
        prepared.insert([report])  # returned and cached: its key is read back
        return report
    report = MajorReport.objects.filter(incident=incident).first()
    if report is None:
        known = _known_repercussions(incident)
        known["distribution"] = default_distribution(incident)
        report, _created = MajorReport.objects.get_or_create(incident=incident, defaults=known)
    elif report.author_id is None and report.completed_at is None:
        known = _known_repercussions(incident)
        if not report.distribution:  # step 11's people, read once nobody has written
            known["distribution"] = default_distribution(incident)
        if any(getattr(report, k) != v for k, v in known.items()):
            MajorReport.objects.filter(pk=report.pk).update(**known)
            for k, v in known.items():
                setattr(report, k, v)
    return report


def update(actor, report: MajorReport, values: dict) -> MajorReport:
    """Complete or correct the report; it is complete when nothing required is missing."""
    require(actor, perms.RESOLVE, report.incident)
    errors = []
    unknown = set(values) - set(EDITABLE)
    errors += [(f, _("Unknown field."), Code.UNKNOWN_FIELD) for f in sorted(unknown)]
    distribution = values.get("distribution")
    if distribution is not None:
        for i, address in enumerate(distribution):
            try:
                validate_email(address)
            except ValidationError:
                errors.append(
                    (
                        f"distribution.{i}",
                        _("'%(value)s' is not an e-mail address.") % {"value": address},
                        ReportError.INVALID_EMAIL,
                    )
                )
    if errors:
        raise Invalid(errors=errors)
    with transaction.atomic():
        report = audit.locked(report)
        changes = audit.diff(report, **{k: v for k, v in values.items()})
        if report.author_id is None:
            report.author = actor
        report.updated_at = timezone.now()
        was_complete = report.completed_at is not None
        report.completed_at = (
            (report.completed_at or timezone.now()) if not report.missing() else None
        )
        report.save()
        audit.record(
            action=AuditAction.REPORT_WRITTEN,
            obj=report.incident,
            actor=actor,
            institution=report.incident.institution,
            changes={
                k: c for k, c in changes.items() if k in ("sessions_cancelled", "patients_affected")
            },
            data={"report": sorted(changes), "complete": report.completed_at is not None},
        )
        if report.completed_at and not was_complete:
            send(actor, report)
    return report


def add_action(actor, report: MajorReport, text: str, owner, due) -> ActionItem:
    """An action item the report asks for (what, who, by when): its owner is told now,
    reminded before the date and while it is overdue; the report lists its state."""
    require(actor, perms.RESOLVE, report.incident)
    number = report.incident.number
    return actions.add(
        actor,
        report.incident,
        source=ActionSource.MAJOR_REPORT,
        text=text,
        owner=owner,
        due=due,
        link=f"/incidents/{number}/report/",
        label=number,
    )


def members_of(institution) -> list[str]:
    """Who may own an action item: the institution's active members, by username."""
    return list(
        get_user_model()
        .objects.filter(is_active=True, memberships__institution=institution)
        .order_by("username")
        .values_list("username", flat=True)
        .distinct()
    )


def action_items(report: MajorReport) -> list[ActionItem]:
    """The report's action items, soonest due first."""
    return action_selectors.of_source(ActionSource.MAJOR_REPORT, report.incident_id)


def send(actor, report: MajorReport) -> None:
    """E-mail the report (PDF attached) to its distribution list."""

    number = report.incident.number
    send_mail(
        report.distribution,
        _("Major-incident report %(number)s") % {"number": number},
        _("The report of major incident %(number)s is attached.") % {"number": number},
        attachment=(f"{number}.pdf", major_report_pdf(report), "application/pdf"),
    )
    MajorReport.objects.filter(pk=report.pk).update(sent_at=timezone.now())


def prepare_declaration(incident, level: str, note: str = ""):
    """Prepare (or update) the incident declaration of a patient-safety event."""

    policy = IncidentPolicy.objects.filter(institution=incident.institution).first()
    spec = (policy.declaration if policy else {}) or {"form": "AH-223", "keyword": "Télésanté"}
    description = "\n".join(
        p
        for p in (
            f"{spec['keyword']} — {incident.number}",
            incident.summary,
            incident.description,
            note,
        )
        if p
    )
    declaration, _created = IncidentDeclaration.objects.update_or_create(
        incident=incident,
        defaults={
            "form": spec["form"],
            "keyword": spec["keyword"],
            "level": level,
            "event_at": incident.created_at,
            "site": incident.requester_site,
            "description": description,
        },
    )
    return declaration


def file_declaration(actor, declaration, external_number: str = ""):
    """Record that the incident declaration was filed, with the number it got (audited on the
    incident)."""
    require(actor, perms.VIEW_ALL, declaration.incident)
    number = (external_number or "").strip()[:60]
    with transaction.atomic():
        audit.change(
            declaration,
            action=AuditAction.DECLARATION_FILED,
            actor=actor,
            about=declaration.incident,
            data={"declaration": declaration.form, "filed": True, "number": number},
            filed_by=actor,
            filed_at=timezone.now(),
            external_number=number,
        )
    return declaration


def send_period_report(institution, code: str, actor=None, resend: bool = False) -> bool:
    """E-mail the statistics of period `code` (XLSX attached) to the supervisor named in the
    pack (settings.supervisor_email). Once per period; a manager may resend. True if sent."""

    to = packs.setting_of(institution, "supervisor_email")
    if not to:
        return False
    if actor is not None:
        require(actor, perms.RECLASSIFY, institution)
    r, _period = stats.period_range(code)
    with transaction.atomic():
        if resend:
            PeriodReport.objects.filter(institution=institution, period=code).update(
                resent_at=timezone.now()
            )
        else:
            try:
                with transaction.atomic():
                    PeriodReport.objects.create(
                        institution=institution, period=code, recipients=[to]
                    )
            except IntegrityError:
                return False  # sent already
        fig = stats.figures(institution, r)
        send_mail(
            [to],
            _("Incident statistics %(period)s — %(institution)s")
            % {"period": code, "institution": institution.label},
            exports.heading(fig, institution)
            + "\n\n"
            + _("Minor: %(minor)s; major: %(major)s.")
            % {"minor": fig["minor"], "major": fig["major"]},
            attachment=(
                f"statistics-{code}.xlsx",
                exports.to_xlsx(fig, institution),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
        )
        if actor is not None:
            audit.record(
                action=AuditAction.PERIOD_REPORT_SENT,
                obj=institution,
                actor=actor,
                institution=institution,
                data={"period_report": code, "resent": resend},
            )
    return True


def send_due_period_reports(today) -> list[str]:
    """The job: for each institution, the last period that has ended, sent once."""

    sent = []
    last = period_of(today - dt.timedelta(days=1))
    ended = last if last.end < today else period_of(last.start - dt.timedelta(days=1))
    for institution in Institution.objects.all():
        if send_period_report(institution, ended.code):
            sent.append(f"{institution.code} {ended.code}")
    return sent


# -- subscribers of the incidents' events (subscribed in apps.py) -------------------------


def incident_classified(event: IncidentClassified) -> None:
    """A major incident has its report from the start (seed 000: a thorough report of
    every major incident), drafted in the classification's transaction."""
    if event.severity == Severity.MAJOR:
        ensure_draft(event.incident, new=event.new)


def incident_closing(event: IncidentClosing) -> None:
    """A major incident closes only with a complete report: otherwise the close is
    refused with what is missing."""
    if event.incident.severity != Severity.MAJOR:
        return
    missing = ensure_draft(event.incident).missing_labels()
    if missing:
        raise Conflict(
            _("Complete the major-incident report first; missing: %(fields)s.")
            % {"fields": ", ".join(missing)},
            field="report",
            code=IncidentError.REPORT_INCOMPLETE,
        )


def patient_safety_flagged(event: PatientSafetyFlagged) -> None:
    """Seed 000 step 12: the incident declaration (AH-223) is prepared at once."""
    prepare_declaration(event.incident, event.level, event.note)
