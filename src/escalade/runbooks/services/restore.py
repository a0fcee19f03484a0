"""The return to normal: end broadcasts, return steps, reconciliation, closing, and the
runbooks' reviews."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from escalade.accounts import rules as perms
from escalade.accounts.services import require
from escalade.core import audit, events
from escalade.core.choices import AuditAction
from escalade.core.errors import Code, Conflict, Invalid, missing
from escalade.core.i18n import pick
from escalade.notifications import services as notify

from .. import rules
from ..choices import EntryState, StepPhase, StepState, UnitPhase
from ..errors import OutageError
from ..events import OutageClosed, OutageRestored
from ..models import (
    Broadcast,
    Outage,
    RegistryEntry,
    Runbook,
)
from .activation import _broadcast, _locked, _steps
from .common import INFO_HOURS, REVIEW_LEAD, broadcasts_changed
from .units import ask_units

# -- the return to normal ---------------------------------------------------------


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
        broadcasts_changed()  # .update() sends no signal
        sent = end_broadcasts(locked.runbook) if broadcasts is None else broadcasts
        for spec in sent:
            _broadcast(actor, locked, spec, at, ends_at=at + dt.timedelta(hours=INFO_HOURS))
        ask_units(actor, locked, UnitPhase.NORMAL, {spec["group"] for spec in sent}, at)
        last = locked.steps.order_by("-n").values_list("n", flat=True).first() or 0
        _steps(locked, StepPhase.RESTORE, locked.runbook.restore, last + 1, at)
        entries = locked.entries.filter(state=EntryState.RECORDED).update(
            state=EntryState.TO_RECONCILE
        )
        audit.change(
            locked,
            action=AuditAction.OUTAGE_RESTORED,
            actor=actor,
            about=locked.about,
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
            about=entry.outage.about,
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
            about=locked.about,
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
