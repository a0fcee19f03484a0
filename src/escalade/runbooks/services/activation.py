"""Activating a runbook: the outage, its degraded-mode steps and broadcasts, vendors'
references and access codes."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from escalade.accounts import rules as perms
from escalade.accounts.services import require
from escalade.core import audit, events
from escalade.core.choices import AuditAction
from escalade.core.errors import Code, Conflict, Invalid, missing, not_one_of, required
from escalade.core.i18n import in_both, pick
from escalade.incidents import selectors as incident_selectors
from escalade.incidents import services as incidents
from escalade.incidents.services import IncidentInput
from escalade.notifications import services as notify

from .. import rules
from ..choices import OutageState, StepPhase, StepState, UnitPhase
from ..errors import OutageError
from ..events import OutageActivated
from ..models import (
    Broadcast,
    Outage,
    OutageStep,
    Runbook,
    WorkstationGroup,
)
from .units import ask_units

# -- activation -----------------------------------------------------------------


def get_runbook(institution, code: str) -> Runbook:
    """The institution's active runbook of this code; Invalid (unknown_runbook) naming the
    valid codes otherwise."""
    runbook = Runbook.objects.filter(institution=institution, code=code, active=True).first()
    if runbook is None:
        valid = ", ".join(
            Runbook.objects.filter(institution=institution, active=True).values_list(
                "code", flat=True
            )
        )
        raise Invalid(
            _("Unknown runbook '%(code)s': use one of %(valid)s.") % {"code": code, "valid": valid},
            field="runbook",
            code=OutageError.UNKNOWN_RUNBOOK,
        )
    return runbook


def _steps(outage: Outage, phase: str, specs: list[dict], first: int, at: dt.datetime) -> None:
    """The runbook's steps of `phase` as the outage's checklist, numbered from `first`; a
    step whose time condition does not hold at `at` starts as not applicable."""
    institution = outage.institution
    OutageStep.objects.bulk_create(
        [
            OutageStep(
                outage=outage,
                phase=phase,
                n=first + i,
                text=spec["text"],
                when=spec.get("when", ""),
                state=StepState.OPEN
                if rules.step_applies(
                    spec.get("schedule"), at, institution.zone, institution.calendar
                )
                else StepState.NOT_APPLICABLE,
                at=None,
            )
            for i, spec in enumerate(specs)
        ]
    )


# how a drill's broadcasts are marked, in both languages
DRILL_MARK = gettext_lazy("DRILL")


def _broadcast(actor, outage: Outage, spec: dict, at: dt.datetime, ends_at=None) -> Broadcast:
    """One broadcast of the runbook to its group's workstations and mailing lists; a
    drill's goes to the drill group only, its title marked as an exercise."""
    group = WorkstationGroup.objects.get(institution=outage.institution, code=spec["group"])
    title = spec["title"]
    if outage.drill:
        group = drill_group(outage.institution)
        mark = in_both(DRILL_MARK)
        title = {lang: f"[{mark[lang]}] {text}" for lang, text in spec["title"].items()}
    row = Broadcast.objects.create(
        institution=outage.institution,
        outage=outage,
        group=group.code,
        group_label=group.label,
        hosts=group.hosts,
        kind=spec["type"],
        title=title,
        message=spec["message"],
        starts_at=at,
        ends_at=ends_at,
        sent_by=actor,
    )
    audit.record(
        action=AuditAction.BROADCAST_SENT,
        obj=outage.about,
        actor=actor,
        institution=outage.institution,
        data={"broadcast": row.pk, "group": pick(group.label), "title": pick(title)},
    )
    if group.emails:  # the group's mailing lists: both languages, in one e-mail
        mark = "⚠" if row.kind == "warning" else "ⓘ"
        texts = [(row.title.get(lang), row.message.get(lang)) for lang in ("fr", "en")]
        notify.send_mail(
            group.emails,
            f"{mark} {texts[0][0] or texts[1][0]}",
            "\n\n".join(f"{title}\n{message}" for title, message in texts if title),
        )
    return row


def drill_group(institution) -> WorkstationGroup:
    """The workstations a drill's broadcasts go to (runbooks.yaml `drill_group`): never
    the real ones."""
    code = institution.setting("drill_group")
    group = WorkstationGroup.objects.filter(institution=institution, code=code or "").first()
    if group is None:
        raise Conflict(
            _("This institution's pack names no drill group: a drill cannot be run."),
            field="drill",
            code=Code.NOT_ALLOWED_NOW,
        )
    return group


def announce_drill(actor, institution, runbook_code: str) -> Runbook:
    """The exercise leader gives the team the scenario (seed 004 section VII): from now,
    activating the runbook runs it as a drill, and the time to activate is counted."""
    require(actor, perms.OUTAGE_RUN, institution)
    runbook = get_runbook(institution, runbook_code)
    drill_group(institution)  # refused now rather than at activation
    with transaction.atomic():
        locked = audit.locked(runbook)
        if in_progress(locked, drill=True) is not None:
            raise Conflict(
                _("A drill of this runbook is in progress: close it first."),
                field="drill",
                code=Code.ALREADY_RUNNING,
            )
        audit.change(
            locked,
            action=AuditAction.DRILL_ANNOUNCED,
            actor=actor,
            data={"runbook": pick(locked.title)},
            drill_announced_at=timezone.now(),
            drill_announced_by=actor,
        )
    return locked


def activate(
    actor,
    institution,
    runbook_code: str,
    *,
    incident_number: str | None = None,
    note: str = "",
    at: dt.datetime | None = None,
    drill: bool = False,
) -> Outage:
    """Activate a runbook: an outage linked to a major incident (the one given, or a new
    one with its ticket and report), its degraded-mode checklist (time-dependent steps
    judged at `at`), and its start broadcasts sent. Several outages of different runbooks
    may run at once; the same runbook twice is a Conflict naming the outage in progress
    (its broadcasts would otherwise reach every workstation twice). A drill (announced
    before, or now) has no incident, pages no one, and broadcasts to the drill group."""
    require(actor, perms.OUTAGE_RUN, institution)
    runbook = get_runbook(institution, runbook_code)
    at = at or timezone.now()
    with transaction.atomic():
        # the runbook's row is the lock: two people pressing "activate" at once
        runbook = Runbook.objects.select_for_update().get(pk=runbook.pk)
        running = in_progress(runbook, drill=drill)
        if running is not None:
            raise Conflict(
                _(
                    "This procedure is already in progress: outage #%(id)s since %(since)s "
                    "(incident %(number)s). Open it instead of activating it again."
                )
                % {
                    "id": running.pk,
                    "since": running.started_at.astimezone(institution.zone).strftime(
                        "%Y-%m-%d %H:%M"
                    ),
                    "number": running.incident.number if running.incident else "—",
                },
                field="runbook",
                code=Code.ALREADY_RUNNING,
            )
        incident, noticed = None, at
        if drill:
            drill_group(institution)
            noticed = runbook.drill_announced_at or at
            Runbook.objects.filter(pk=runbook.pk).update(
                drill_announced_at=None, drill_announced_by=None
            )
        elif incident_number:
            incident = incident_selectors.get_incident(actor, institution, incident_number)
            noticed = min(incident.created_at, at)
        else:
            incident = incidents.log_incident(
                actor,
                institution,
                IncidentInput(
                    channel="web",
                    requester_name=actor.get_full_name() or actor.get_username(),
                    requester_role="staff",
                    requester_site=institution.label,
                    symptom=runbook.symptom,
                    summary=pick(runbook.title),
                    summary_i18n=dict(runbook.title) if isinstance(runbook.title, dict) else None,
                    description=(note or "").strip(),
                ),
            )
        outage = Outage.objects.create(
            institution=institution,
            runbook=runbook,
            incident=incident,
            drill=drill,
            noticed_at=noticed,
            note=(note or "").strip(),
            started_by=actor,
        )
        _steps(outage, StepPhase.DEGRADED, runbook.degraded, 1, at)
        audit.record(
            action=AuditAction.OUTAGE_STARTED,
            obj=outage.about,
            actor=actor,
            institution=institution,
            data={
                "outage": outage.pk,
                "runbook": pick(runbook.title),
                "note": outage.note,
                "drill": drill,
            },
        )
        for spec in runbook.start_broadcasts:
            _broadcast(actor, outage, spec, at)
        groups = {spec["group"] for spec in runbook.start_broadcasts}
        ask_units(actor, outage, UnitPhase.DEGRADED, groups, at)
        events.publish(OutageActivated(outage=outage, actor=actor))
    return outage


def in_progress(runbook, drill: bool = False) -> Outage | None:
    """The outage of this runbook not closed yet, if any (its drill, if asked: a drill
    never stands in the way of the real thing)."""
    return (
        Outage.objects.select_related("incident")
        .filter(runbook=runbook, drill=drill)
        .exclude(state=OutageState.CLOSED)
        .order_by("-started_at")
        .first()
    )


def _locked(outage: Outage) -> Outage:
    locked = audit.locked(outage)
    if locked.state == OutageState.CLOSED:
        raise Conflict(_("This outage is closed."), field="state", code=Code.NOT_ALLOWED_NOW)
    return locked


def mark_step(actor, outage: Outage, n: int, state: str) -> OutageStep:
    """Tick a line of the checklist: done, not applicable, or open again (audited)."""
    require(actor, perms.OUTAGE_RUN, outage.institution)
    if wrong := not_one_of("state", state, StepState):
        raise Invalid(errors=wrong)
    with transaction.atomic():
        _locked(outage)
        step = OutageStep.objects.select_for_update().filter(outage=outage, n=n).first()
        if step is None:
            raise Invalid(
                _("No step %(n)s on this outage.") % {"n": n}, field="n", code=Code.NOT_FOUND
            )
        done = state != StepState.OPEN
        audit.change(
            step,
            action=AuditAction.STEP_MARKED,
            actor=actor,
            about=outage.about,
            data={"outage": outage.pk, "step": n, "text": pick(step.text)},
            state=state,
            by=actor if done else None,
            at=timezone.now() if done else None,
        )
    return step


def add_vendor_ref(actor, outage: Outage, vendor: str, reference: str) -> Outage:
    """Record the ticket a vendor or the partner gave (Nicesoft, Philips, IMADIS)."""
    require(actor, perms.OUTAGE_RUN, outage.institution)
    vendor, reference = (vendor or "").strip()[:60], (reference or "").strip()[:60]
    if errors := missing(vendor=vendor, reference=reference):
        raise Invalid(errors=errors)
    with transaction.atomic():
        locked = _locked(outage)
        refs = [*locked.vendor_refs, {"vendor": vendor, "reference": reference}]
        audit.change(
            locked,
            action=AuditAction.VENDOR_TICKET_RECORDED,
            actor=actor,
            about=locked.about,
            data={"outage": locked.pk, "vendor": vendor, "reference": reference},
            vendor_refs=refs,
        )
    return locked


def log_access_code(actor, outage: Outage, event: str, given_to: str = "") -> Outage:
    """Case 6 and annex 3: the temporary user's code was changed, or given by phone to an
    outside physician; who, to whom and when are kept, never the code itself."""
    require(actor, perms.OUTAGE_RUN, outage.institution)
    given_to = (given_to or "").strip()[:120]
    errors = not_one_of("event", event, ["changed", "given"])
    if event == "given" and not given_to:
        errors.append(required("given_to", _("Say to whom the code was given.")))
    if errors:
        raise Invalid(errors=errors)
    with transaction.atomic():
        locked = _locked(outage)
        row = {
            "event": event,
            "to": given_to,
            "at": timezone.now().isoformat(),
            "by": actor.get_username(),
        }
        audit.change(
            locked,
            action=AuditAction.ACCESS_CODE_LOGGED,
            actor=actor,
            about=locked.about,
            data={"outage": locked.pk, "access_code": event, "to": given_to},
            access_log=[*locked.access_log, row],
        )
    return locked
