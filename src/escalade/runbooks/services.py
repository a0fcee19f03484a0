"""Outages run from runbooks (seed 004): activation with its major incident, checklist and
broadcasts; the degraded-mode registry; the return to normal with its end broadcasts,
return steps and reconciliation tasks; closing once nothing is left open."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from escalade.accounts import rules as perms
from escalade.accounts.services import require
from escalade.core import audit, events, numbering
from escalade.core.choices import AuditAction
from escalade.core.errors import Code, Conflict, Invalid, missing, not_one_of, required
from escalade.core.i18n import pick
from escalade.incidents import selectors as incident_selectors
from escalade.incidents import services as incidents
from escalade.incidents.choices import Status
from escalade.incidents.services import IncidentInput
from escalade.notifications import services as notify

from . import rules
from .choices import EntryState, OutageState, StepPhase, StepState
from .errors import OutageError
from .events import OutageActivated, OutageClosed, OutageRestored
from .models import (
    Alert,
    AlertRule,
    Broadcast,
    Outage,
    OutageStep,
    RegistryEntry,
    Runbook,
    WorkstationGroup,
)

# How long the "it is back" information stays on the workstations after the return.
INFO_HOURS = 2
# How long before its review date a runbook's owners are reminded.
REVIEW_LEAD = dt.timedelta(days=14)


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


def _broadcast(actor, outage: Outage, spec: dict, at: dt.datetime, ends_at=None) -> Broadcast:
    group = WorkstationGroup.objects.get(institution=outage.institution, code=spec["group"])
    row = Broadcast.objects.create(
        institution=outage.institution,
        outage=outage,
        group=group.code,
        group_label=group.label,
        hosts=group.hosts,
        kind=spec["type"],
        title=spec["title"],
        message=spec["message"],
        starts_at=at,
        ends_at=ends_at,
        sent_by=actor,
    )
    audit.record(
        action=AuditAction.BROADCAST_SENT,
        obj=outage.incident,
        actor=actor,
        institution=outage.institution,
        data={"broadcast": row.pk, "group": pick(group.label), "title": pick(spec["title"])},
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


def activate(
    actor,
    institution,
    runbook_code: str,
    *,
    incident_number: str | None = None,
    note: str = "",
    at: dt.datetime | None = None,
) -> Outage:
    """Activate a runbook: an outage linked to a major incident (the one given, or a new
    one with its ticket and report), its degraded-mode checklist (time-dependent steps
    judged at `at`), and its start broadcasts sent. Several outages of different runbooks
    may run at once; the same runbook twice is a Conflict naming the outage in progress
    (its broadcasts would otherwise reach every workstation twice)."""
    require(actor, perms.OUTAGE_RUN, institution)
    runbook = get_runbook(institution, runbook_code)
    at = at or timezone.now()
    with transaction.atomic():
        # the runbook's row is the lock: two people pressing "activate" at once
        Runbook.objects.select_for_update().filter(pk=runbook.pk).first()
        running = in_progress(runbook)
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
                    "number": running.incident.number,
                },
                field="runbook",
                code=Code.ALREADY_RUNNING,
            )
        if incident_number:
            incident = incident_selectors.get_incident(actor, institution, incident_number)
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
            note=(note or "").strip(),
            started_by=actor,
        )
        _steps(outage, StepPhase.DEGRADED, runbook.degraded, 1, at)
        audit.record(
            action=AuditAction.OUTAGE_STARTED,
            obj=incident,
            actor=actor,
            institution=institution,
            data={"outage": outage.pk, "runbook": pick(runbook.title), "note": outage.note},
        )
        for spec in runbook.start_broadcasts:
            _broadcast(actor, outage, spec, at)
        events.publish(OutageActivated(outage=outage, actor=actor))
    return outage


def in_progress(runbook) -> Outage | None:
    """The outage of this runbook not closed yet, if any."""
    return (
        Outage.objects.select_related("incident")
        .filter(runbook=runbook)
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
            about=outage.incident,
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
            action=AuditAction.UPDATED,
            actor=actor,
            about=locked.incident,
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
            action=AuditAction.UPDATED,
            actor=actor,
            about=locked.incident,
            data={"outage": locked.pk, "access_code": event, "to": given_to},
            access_log=[*locked.access_log, row],
        )
    return locked


def add_entry(actor, outage: Outage, data: dict) -> RegistryEntry:
    """Key in a patient and exam handled by hand (annex 1). Without the patient id (IPP),
    a provisional one prefixed with P is given (seed 004 case 1); the episode is 0."""
    require(actor, perms.REGISTRY_ADD, outage.institution)
    texts = {
        f: str(data.get(f) or "").strip()
        for f in ("last_name", "first_name", "ipp", "exam", "modality", "accession_number")
    }
    errors = missing(**{f: texts[f] for f in ("last_name", "first_name", "exam", "modality")})
    birth = data.get("birth_date")
    if birth is None:
        errors.append(required("birth_date", _("This field is required.")))
    elif birth > timezone.localdate():
        errors.append(
            ("birth_date", _("A date of birth cannot be in the future."), Code.OUT_OF_RANGE)
        )
    kind = None
    if texts["ipp"]:
        texts["ipp"] = texts["ipp"].upper()
        kind = rules.ipp_kind(texts["ipp"], outage.institution.setting("ipp_pattern"))
        if kind is None:
            errors.append(
                (
                    "ipp",
                    _(
                        "This is not a patient id (IPP): digits as the information system "
                        "gives them, or P followed by digits for a provisional one. Leave it "
                        "empty if unknown: the registry gives a provisional one."
                    ),
                    Code.INVALID,
                )
            )
    if errors:
        raise Invalid(errors=errors)
    with transaction.atomic():
        locked = _locked(outage)
        if not data.get("confirm_duplicate"):
            twin = _twin_entry(locked, texts, birth)
            if twin is not None:
                raise Invalid(
                    _(
                        "This patient seems to be in the registry already (entry #%(id)s, "
                        "%(exam)s): tick the box to enter them again."
                    )
                    % {"id": twin.pk, "exam": twin.exam},
                    field="confirm_duplicate",
                    code=Code.POSSIBLE_DUPLICATE,
                )
        ipp, provisional = texts["ipp"], kind == "provisional"
        if not ipp:
            year = timezone.localdate().year
            number = numbering.next_number(f"IPP{locked.institution_id}"[:10], year)
            ipp, provisional = rules.provisional_ipp(year, int(number.rsplit("-", 1)[1])), True
        entry = RegistryEntry.objects.create(
            outage=locked,
            last_name=texts["last_name"][:100],
            first_name=texts["first_name"][:100],
            birth_date=birth,
            ipp=ipp[:20],
            provisional=provisional,
            exam=texts["exam"][:200],
            modality=texts["modality"][:20],
            accession_number=texts["accession_number"][:40],
            by=actor,
            state=EntryState.RECORDED
            if locked.state == OutageState.ACTIVE
            else EntryState.TO_RECONCILE,
        )
        audit.record(
            action=AuditAction.ENTRY_RECORDED,
            obj=locked.incident,
            actor=actor,
            institution=locked.institution,
            data={"outage": locked.pk, "entry": entry.pk, "modality": entry.modality},
        )
    return entry


def _twin_entry(outage: Outage, texts: dict, birth) -> RegistryEntry | None:
    """An entry of the outage for the same patient (name and birth date) or the same
    accession number: keyed twice from two workstations, or the sheet typed in twice."""
    same_patient = Q(
        last_name__iexact=texts["last_name"],
        first_name__iexact=texts["first_name"],
        birth_date=birth,
    )
    if texts["accession_number"]:
        same_patient |= Q(accession_number=texts["accession_number"])
    return outage.entries.filter(same_patient).first()


def end_broadcasts(runbook: Runbook) -> list[dict]:
    """The broadcasts of the return to normal: the runbook's, or else prepared from its
    start ones (same groups, information that the degraded mode is over)."""
    if runbook.end_broadcasts:
        return runbook.end_broadcasts
    return [
        {
            "group": b["group"],
            "type": "info",
            "title": b["title"],
            "message": {
                "fr": "Fin du mode dégradé : retour au fonctionnement normal.",
                "en": "Degraded mode is over: back to normal work.",
            },
        }
        for b in runbook.start_broadcasts
    ]


def restore(
    actor, outage: Outage, *, broadcasts: list[dict] | None = None, at: dt.datetime | None = None
) -> Outage:
    """The return to normal: the start broadcasts end, the end broadcasts go out (the
    runbook's, or `broadcasts` as edited before sending), the return steps become the
    checklist and every registry entry a reconciliation task."""
    require(actor, perms.OUTAGE_RUN, outage.institution)
    at = at or timezone.now()
    with transaction.atomic():
        locked = _locked(outage)
        state = rules.OUTAGE.move(
            "restore", locked.state, _("The return to normal has started already.")
        )
        Broadcast.objects.filter(outage=locked, ends_at__isnull=True).update(ends_at=at)
        for spec in end_broadcasts(locked.runbook) if broadcasts is None else broadcasts:
            _broadcast(actor, locked, spec, at, ends_at=at + dt.timedelta(hours=INFO_HOURS))
        last = locked.steps.order_by("-n").values_list("n", flat=True).first() or 0
        _steps(locked, StepPhase.RESTORE, locked.runbook.restore, last + 1, at)
        entries = locked.entries.filter(state=EntryState.RECORDED).update(
            state=EntryState.TO_RECONCILE
        )
        audit.change(
            locked,
            action=AuditAction.OUTAGE_RESTORED,
            actor=actor,
            about=locked.incident,
            data={"outage": locked.pk, "entries": entries},
            state=state,
            restored_at=at,
        )
        events.publish(OutageRestored(outage=locked, actor=actor))
    return locked


def reconcile(actor, entry: RegistryEntry, ipp: str, episode: str) -> RegistryEntry:
    """A referent reconciles an entry: the patient's final id and episode (the provisional
    identity merged, the request recreated, the images reconciled)."""
    require(actor, perms.RECONCILE, entry.outage.institution)
    ipp, episode = (ipp or "").strip()[:20], (episode or "").strip()[:20]
    errors = missing(ipp=ipp, episode=episode)
    pattern = entry.outage.institution.setting("ipp_pattern")
    if ipp and rules.ipp_kind(ipp, pattern) != "known":
        errors.append(
            ("ipp", _("The final patient id (IPP) is the one the information system gives."))
        )
    if errors:
        raise Invalid(errors=errors)
    with transaction.atomic():
        entry = audit.locked(entry)
        if entry.state != EntryState.TO_RECONCILE:
            message = (
                _("This entry is reconciled already.")
                if entry.state == EntryState.RECONCILED
                else _("Entries are reconciled once the return to normal has started.")
            )
            raise Conflict(message, field="state", code=Code.NOT_ALLOWED_NOW)
        audit.change(
            entry,
            action=AuditAction.ENTRY_RECONCILED,
            actor=actor,
            about=entry.outage.incident,
            data={"outage": entry.outage_id, "entry": entry.pk, "modality": entry.modality},
            state=EntryState.RECONCILED,
            final_ipp=ipp,
            final_episode=episode,
            reconciled_by=actor,
            reconciled_at=timezone.now(),
        )
    return entry


def work_left(outage: Outage) -> str:
    """What still stops the outage from closing, said: the open return steps and the
    registry entries to reconcile ("" when nothing is left)."""
    steps = list(
        outage.steps.filter(phase=StepPhase.RESTORE, state=StepState.OPEN).values_list(
            "n", flat=True
        )
    )
    entries = list(outage.entries.exclude(state=EntryState.RECONCILED).values_list("id", flat=True))
    left = []
    if steps:
        left.append(_("return steps %(n)s") % {"n": ", ".join(str(n) for n in steps)})
    if entries:
        left.append(
            _("registry entries to reconcile: %(ids)s")
            % {"ids": ", ".join(str(i) for i in entries)}
        )
    return _("Still open: %(left)s.") % {"left": "; ".join(left)} if left else ""


def close(actor, outage: Outage, *, review_needed: bool | None = None) -> Outage:
    """Close once every return step and every reconciliation is done (409 naming what is
    left); seed 004 section VII: whether the runbook needs review is asked and kept."""
    require(actor, perms.OUTAGE_RUN, outage.institution)
    with transaction.atomic():
        locked = _locked(outage)
        state = rules.OUTAGE.move(
            "close", locked.state, _("Start the return to normal before closing.")
        )
        left = work_left(locked)
        if left:
            raise Conflict(left, field="state", code=OutageError.OPEN_WORK)
        audit.change(
            locked,
            action=AuditAction.CLOSED,
            actor=actor,
            about=locked.incident,
            data={"outage": locked.pk, "review_needed": review_needed},
            state=state,
            closed_at=timezone.now(),
            review_needed=review_needed,
        )
        if review_needed:
            _tell_owners(locked.runbook, "runbook_review_asked", outage=locked.pk)
        events.publish(OutageClosed(outage=locked, actor=actor))
    return locked


def _tell_owners(runbook: Runbook, kind: str, **params) -> list[str]:
    """Tell the members holding the runbook's owner role, in-app and by e-mail."""
    who = notify.people(notify.members(runbook.institution, [runbook.owner_role]))
    return notify.tell(
        who,
        kind=kind,
        params={"title": pick(runbook.title, "fr"), **params},
        link=f"/runbooks/{runbook.code}/",
        subject=notify.MESSAGES[kind],
    )


def remind_reviews(today: dt.date) -> int:
    """The daily job (seed 004 section VII, review at a set date): a runbook whose review
    falls due within two weeks reminds its owners once for that date."""
    reminded = 0
    due = Runbook.objects.filter(active=True, review_on__lte=today + REVIEW_LEAD).select_related(
        "institution"
    )
    for runbook in due:
        with transaction.atomic():
            row = audit.locked(runbook)
            if row.review_reminded_for == row.review_on:
                continue
            told = _tell_owners(row, "runbook_review_due", date=row.review_on.isoformat())
            audit.change(
                row,
                action=AuditAction.NOTIFIED,
                actor=None,
                data={"kind": "runbook_review_due", "told": told},
                review_reminded_for=row.review_on,
            )
            reminded += 1
    return reminded


def _rule_for(institution, labels: dict) -> AlertRule | None:
    for rule in AlertRule.objects.filter(institution=institution).select_related("runbook"):
        if all(str(labels.get(k)) == str(v) for k, v in rule.match.items()):
            return rule
    return None


def queue_alerts(actor, institution, alerts: list[dict], group_key: str = "") -> int:
    """Check a large Alertmanager call now (permission, cap, fingerprints) and queue it
    for a worker (runbooks.tasks.receive_alerts); returns how many alerts wait."""
    require(actor, perms.OUTAGE_RUN, institution)
    _check_alerts(alerts)
    from .tasks import receive_alerts as task  # noqa: PLC0415 - tasks import services

    with transaction.atomic():
        task.enqueue(actor.pk, institution.pk, alerts, (group_key or "")[:300])
    return len(alerts)


def _check_alerts(alerts: list[dict]) -> None:
    most = settings.ESCALADE_ALERTS_MAX_PER_CALL
    if len(alerts) > most:
        raise Invalid(
            _("%(count)s alerts in one call: at most %(max)s (set max_alerts in Alertmanager).")
            % {"count": len(alerts), "max": most},
            field="alerts",
            code=Code.TOO_LONG,
        )
    if any(not str(item.get("fingerprint") or "") for item in alerts):
        raise Invalid(
            _("Each alert needs its fingerprint."),
            field="alerts.fingerprint",
            code=Code.REQUIRED,
        )


def receive_alerts(actor, institution, alerts: list[dict], group_key: str = "") -> dict:
    """Prometheus Alertmanager's alerts (webhook version 4), each by its fingerprint: a
    firing alert the pack maps to a runbook opens that outage, or joins the one already
    open; a repeat is folded into what it opened; a resolved one proposes the return to
    normal to the people on the outage (it closes nothing); an alert that maps to nothing
    opens a plain incident with its labels, one per Alertmanager group (`group_key`): the
    others of the group are folded into it. At most ESCALADE_ALERTS_MAX_PER_CALL alerts
    (Alertmanager's `max_alerts`): more is refused whole, and not retried by Alertmanager.
    Returns what each alert did."""
    require(actor, perms.OUTAGE_RUN, institution)
    _check_alerts(alerts)
    group_key = (group_key or "")[:300]
    done: dict[str, list] = {
        "opened": [],
        "joined": [],
        "folded": [],
        "resolved": [],
        "incidents": [],
    }
    for item in alerts:
        fingerprint = str(item.get("fingerprint") or "")[:64]
        labels = {str(k): str(v) for k, v in (item.get("labels") or {}).items()}
        with transaction.atomic():
            seen = (
                Alert.objects.select_for_update()
                .filter(institution=institution, fingerprint=fingerprint)
                .first()
            )
            if item.get("status") == "resolved":
                if seen is not None and seen.status != "resolved":
                    seen.status = "resolved"
                    seen.save(update_fields=["status", "last_seen"])
                    if seen.outage_id and seen.outage.state == OutageState.ACTIVE:
                        _propose_return(seen)
                    done["resolved"].append(fingerprint)
                continue
            if seen is not None and seen.status == "firing":
                seen.repeats += 1
                seen.save(update_fields=["repeats", "last_seen"])
                done["folded"].append(fingerprint)
                continue
            rule = _rule_for(institution, labels)
            summary = labels.get("alertname", fingerprint)
            outage = incident = None
            grouped = (
                Alert.objects.filter(
                    institution=institution,
                    group_key=group_key,
                    status="firing",
                    outage=None,
                    incident__status__in=Status.open_values(),
                )
                .exclude(incident=None)
                .select_related("incident")
                .first()
                if rule is None and group_key
                else None
            )
            if rule is not None:
                outage = (
                    Outage.objects.filter(runbook=rule.runbook, state=OutageState.ACTIVE)
                    .order_by("-started_at")
                    .first()
                )
                if outage is None:
                    outage = activate(
                        actor, institution, rule.runbook.code, note=_alert_text(summary, labels)
                    )
                    done["opened"].append(outage.pk)
                else:
                    done["joined"].append(outage.pk)
                incident = outage.incident
            elif grouped is not None:
                incident = grouped.incident  # one incident for the group's alerts
                done["folded"].append(fingerprint)
            else:
                incident = incidents.log_incident(
                    actor,
                    institution,
                    IncidentInput(
                        channel="api",
                        requester_name="Alertmanager",
                        requester_role="staff",
                        requester_site=institution.label,
                        symptom=institution.setting("alert_symptom") or "",
                        summary=summary[:200],
                        description=_alert_text(summary, labels),
                    ),
                )
                done["incidents"].append(incident.number)
            if seen is None:
                seen = Alert(institution=institution, fingerprint=fingerprint)
            seen.labels, seen.status, seen.outage, seen.incident, seen.group_key = (
                labels,
                "firing",
                outage,
                incident,
                group_key,
            )
            seen.save()
    return done


def _alert_text(summary: str, labels: dict) -> str:
    return summary + "\n" + "\n".join(f"{k}={v}" for k, v in sorted(labels.items()))


def _propose_return(alert: Alert) -> None:
    """Monitoring says it is back: the people on the outage are asked to start the return
    to normal (its starter and whoever ticked its steps)."""
    outage = alert.outage
    ids = {outage.started_by_id, *outage.steps.exclude(by=None).values_list("by_id", flat=True)}
    notify.tell(
        notify.people([i for i in ids if i]),
        kind="outage_back",
        params={"alert": alert.labels.get("alertname", alert.fingerprint), "outage": outage.pk},
        link=f"/outages/{outage.pk}/",
        subject=notify.MESSAGES["outage_back"],
    )
    audit.record(
        action=AuditAction.NOTIFIED,
        obj=outage.incident,
        institution=outage.institution,
        data={"kind": "outage_back", "outage": outage.pk},
    )
