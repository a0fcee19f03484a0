"""Service notices (seed 002): published inside the maintenance windows or with a reason,
updated, resolved or cancelled, linked to incidents."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from escalade.accounts.rules import NOTICE_PUBLISH
from escalade.accounts.services import require
from escalade.catalog.models import Organisation
from escalade.core import audit, packs
from escalade.core.choices import AuditAction
from escalade.core.errors import Code, Conflict, Invalid, not_one_of, required
from escalade.core.i18n import current_language, pick

from .. import rules
from ..choices import NoticeKind, NoticeState
from ..errors import NoticeError
from ..models import MaintenanceWindow, Notice, NoticeUpdate
from .announcing import announce
from .common import TEXT_FIELDS, when

# -- notices: published, updated, resolved ----------------------------------------


def as_text(value, lang: str | None = None) -> dict:
    """A text field from a form or the API: a string (in the writer's language) or
    {'en': ..., 'fr': ...}."""
    if value is None or value == "":
        return {}
    if isinstance(value, dict):
        return {k: str(v).strip() for k, v in value.items() if k in ("en", "fr") and v}
    return {lang or current_language(): str(value).strip()}


def business_days(institution) -> int:
    """How many business days ahead a planned interruption is announced (pack setting)."""
    return int(packs.setting_of(institution, "notices").business_days)


def windows_of(institution) -> list[rules.Window]:
    """The institution's maintenance windows (pack data)."""
    return [
        w.spec() for w in MaintenanceWindow.objects.filter(institution=institution, active=True)
    ]


def window_names(institution) -> str:
    """The maintenance windows' names, for a message."""
    return "; ".join(
        f"{pick(w.title)}"
        for w in MaintenanceWindow.objects.filter(institution=institution, active=True)
    )


def _organisations(institution, codes) -> list[Organisation]:
    orgs = Organisation.objects.filter(institution=institution, active=True)
    if not codes:
        return list(orgs)  # no list: every organisation the desk serves
    found = {o.code: o for o in orgs.filter(code__in=codes)}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise Invalid(
            _("Unknown organisations: %(codes)s.") % {"codes": ", ".join(unknown)},
            field="organisations",
            code=NoticeError.UNKNOWN_ORGANISATION,
        )
    return [found[c] for c in codes]


def _check_dates(kind, start, end, errors) -> None:
    if start is None:
        errors.append(("start", _("This field is required."), Code.REQUIRED))
    if end is not None and start is not None and end <= start:
        errors.append(("end", _("The end must come after the start."), Code.END_BEFORE_START))
    if kind == NoticeKind.PLANNED and end is None:
        errors.append(("end", _("A planned interruption needs an end.")))


def check_planned(institution, orgs, start, end, *, now, urgent, urgent_reason, outside_ok):
    """Seed 002's rules for planned work. Returns (late, outside): whether it breaks the
    notice period (allowed only when urgent with a reason) and whether it falls outside the
    maintenance windows (allowed once confirmed). Raises Invalid otherwise."""
    earliest = rules.earliest_planned_start(
        now,
        institution.zone,
        [o.calendar for o in orgs] or [institution.calendar],
        business_days(institution),
    )
    late = start < earliest
    errors = []
    if late and not urgent:
        errors.append(
            (
                "start",
                _(
                    "A planned interruption is announced at least %(n)s business days ahead: "
                    "the earliest start allowed now is %(earliest)s. Mark it urgent, with a "
                    "reason, to publish it anyway."
                )
                % {"n": business_days(institution), "earliest": when(earliest, institution.zone)},
                NoticeError.SHORT_NOTICE,
            )
        )
    if urgent and not (urgent_reason or "").strip():
        errors.append(required("urgent_reason", _("Say why this notice is urgent.")))
    windows = windows_of(institution)
    outside = bool(windows) and rules.window_containing(start, end, windows) is None
    if outside and not outside_ok:
        errors.append(
            (
                "outside_window_ok",
                _(
                    "This work falls outside the maintenance windows (%(windows)s). "
                    "Confirm to publish it anyway."
                )
                % {"windows": window_names(institution)},
                NoticeError.OUTSIDE_WINDOW,
            )
        )
    if errors:
        raise Invalid(errors=errors)
    return late, outside


def publish(actor, institution, data: dict, *, now: dt.datetime | None = None) -> Notice:
    """Publish a service notice to the organisations concerned (planned: at least the notice
    period ahead and within a maintenance window, unless urgent or confirmed)."""
    require(actor, NOTICE_PUBLISH, institution.pk)
    now = now or timezone.now()
    kind = data.get("kind")
    errors = []
    errors += not_one_of("kind", kind, NoticeKind)
    texts = {f: as_text(data.get(f)) for f in TEXT_FIELDS}
    if not texts["title"]:
        errors.append(("title", _("This field is required."), Code.REQUIRED))
    start, end = data.get("start"), data.get("end")
    _check_dates(kind, start, end, errors)
    try:
        orgs = _organisations(institution, data.get("organisations") or [])
    except Invalid as exc:
        errors.extend(exc.errors)
        orgs = []
    if errors:
        raise Invalid(errors=errors)
    urgent = bool(data.get("urgent"))
    late = outside = False
    if kind == NoticeKind.PLANNED:
        late, outside = check_planned(
            institution,
            orgs,
            start,
            end,
            now=now,
            urgent=urgent,
            urgent_reason=data.get("urgent_reason"),
            outside_ok=bool(data.get("outside_window_ok")),
        )
    with transaction.atomic():
        notice = Notice.objects.create(
            institution=institution,
            kind=kind,
            start=start,
            end=end,
            services=[s for s in (data.get("services") or []) if s],
            urgent=urgent,
            urgent_reason=(data.get("urgent_reason") or "").strip(),
            outside_window=outside,
            public=data.get("public", True) is not False,
            created_by=actor,
            created_at=now,
            updated_at=now,
            **texts,
        )
        notice.organisations.set(orgs)
        audit.record(
            action=AuditAction.PUBLISHED,
            obj=notice,
            actor=actor,
            institution=institution,
            data={
                "kind": kind,
                "title": texts["title"],
                "start": start,
                "end": end,
                "organisations": [o.code for o in orgs],
                "outside_window": outside,
            },
        )
        if late:
            audit.record(
                action=AuditAction.URGENT_OVERRIDE,
                obj=notice,
                actor=actor,
                institution=institution,
                data={"reason": notice.urgent_reason, "start": start},
            )
        announce(notice, "published")
    return notice


def change(actor, notice: Notice, data: dict, *, now: dt.datetime | None = None) -> Notice:
    """PATCH: texts, dates, services, state (resolved or cancelled, with a resolution)."""
    require(actor, NOTICE_PUBLISH, notice.institution_id)
    now = now or timezone.now()
    if notice.state != NoticeState.PUBLISHED:
        raise Conflict(
            _("This notice is closed already."), field="state", code=Code.NOT_ALLOWED_NOW
        )
    values = {f: as_text(data[f]) for f in TEXT_FIELDS if data.get(f) is not None}
    if "title" in values and not values["title"]:
        raise Invalid(_("This field is required."), field="title", code=Code.REQUIRED)
    for f in ("start", "end"):
        if data.get(f) is not None:
            values[f] = data[f]
    if data.get("services") is not None:
        values["services"] = [s for s in data["services"] if s]
    start, end = values.get("start", notice.start), values.get("end", notice.end)
    errors = []
    _check_dates(notice.kind, start, end, errors)
    if errors:
        raise Invalid(errors=errors)
    if notice.kind == NoticeKind.PLANNED and ("start" in values or "end" in values):
        urgent = bool(data.get("urgent", notice.urgent))
        late, outside = check_planned(
            notice.institution,
            list(notice.organisations.all()),
            start,
            end,
            now=now,
            urgent=urgent,
            urgent_reason=data.get("urgent_reason") or notice.urgent_reason,
            outside_ok=bool(data.get("outside_window_ok")),
        )
        values.update(outside_window=outside, urgent=urgent)
    state = data.get("state")
    what = "updated"
    if state in (NoticeState.RESOLVED, NoticeState.CANCELLED):
        values["state"] = state
        values["resolution"] = as_text(data.get("resolution"))
        values["resolved_at"] = now
        if notice.kind == NoticeKind.UNPLANNED and end is None:
            values["end"] = now
        what = state
    elif state not in (None, NoticeState.PUBLISHED):
        raise Invalid(errors=not_one_of("state", state, ["resolved", "cancelled"]))
    with transaction.atomic():
        # under the row's lock, through the table: two people closing at once, or an
        # update of a notice closed meanwhile, get a clear refusal
        locked_state = (
            Notice.objects.select_for_update().values_list("state", flat=True).get(pk=notice.pk)
        )
        action = {"resolved": "resolve", "cancelled": "cancel"}.get(what, "update")
        rules.TRANSITIONS.move(action, locked_state, _("This notice is closed already."))
        changes = audit.diff(notice, **values, updated_at=now)
        changes.pop("updated_at", None)
        if not changes:
            return notice
        notice.save()
        audit.record(
            action=AuditAction.RESOLVED if what == "resolved" else AuditAction.NOTICE_UPDATED,
            obj=notice,
            actor=actor,
            institution=notice.institution,
            changes=changes,
        )
        announce(notice, what)
    return notice


def add_update(actor, notice: Notice, body, *, resolve: bool = False) -> NoticeUpdate:
    """Publish a follow-up on an open notice; the organisations are told."""
    require(actor, NOTICE_PUBLISH, notice.institution_id)
    text = as_text(body)
    if not text:
        raise Invalid(_("This field is required."), field="body", code=Code.REQUIRED)
    if notice.state != NoticeState.PUBLISHED:
        raise Conflict(
            _("This notice is closed already."), field="state", code=Code.NOT_ALLOWED_NOW
        )
    with transaction.atomic():
        update = NoticeUpdate.objects.create(notice=notice, body=text, author=actor)
        notice.updated_at = update.created_at
        notice.save(update_fields=["updated_at"])
        audit.record(
            action=AuditAction.NOTE_ADDED,
            obj=notice,
            actor=actor,
            institution=notice.institution,
            data={"update": text},
        )
        if resolve:
            change(actor, notice, {"state": NoticeState.RESOLVED, "resolution": body})
        else:
            announce(notice, "updated", update=update)
    return update


def link_incident(actor, notice: Notice, incident, *, unlink: bool = False) -> None:
    """A notice explains or caused an incident (audited both ways)."""
    require(actor, "add_note", notice.institution_id)
    if incident.institution_id != notice.institution_id:
        raise Invalid(
            _("This incident belongs to another institution."),
            field="number",
            code=Code.OTHER_INSTITUTION,
        )
    with transaction.atomic():
        if unlink:
            notice.incidents.remove(incident)
        else:
            notice.incidents.add(incident)
        for obj in (notice, incident):
            audit.record(
                action=AuditAction.UNLINKED if unlink else AuditAction.LINKED,
                obj=obj,
                actor=actor,
                institution=notice.institution,
                data={"notice": notice.pk, "incident": incident.number},
            )
