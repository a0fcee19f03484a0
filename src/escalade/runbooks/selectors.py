"""Read queries and views of runbooks, outages and broadcasts. The registry's identities
are personal health information: shown only to roles allowed (patients' information, or
the referents who reconcile), each display recorded."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.db.models import Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from escalade.accounts import rules as perms
from escalade.accounts.services import has_permission, institutions_of
from escalade.catalog.models import Channel, Provider
from escalade.catalog.selectors import channel_view
from escalade.core.errors import NotFound
from escalade.core.i18n import current_language, pick
from escalade.core.models import Institution

from . import rules
from .choices import (
    BroadcastKind,
    ConfirmedVia,
    EntryState,
    OutageState,
    StepPhase,
    StepState,
    UnitPhase,
)
from .models import (
    Broadcast,
    BroadcastsVersion,
    Outage,
    RegistryEntry,
    Runbook,
    UnitConfirmation,
    WorkstationGroup,
)


def runbooks(institution):
    """The institution's active runbooks, in the pack's order."""
    return Runbook.objects.filter(institution=institution, active=True)


def contacts_view(runbook: Runbook, at: dt.datetime) -> list[dict]:
    """Whom to tell now: each contact with its channels open at `at` or not, and when
    they next open (the hotline on business days, the on-call otherwise)."""
    institution = runbook.institution
    refs = {ref for t in runbook.tell for ref in t["channels"]}
    channels = {
        c.ref: c
        for c in Channel.objects.filter(provider__institution=institution).select_related(
            "provider"
        )
        if c.ref in refs
    }
    return [
        {
            "who": pick(t["who"]),
            "channels": [
                channel_view(channels[r], at, institution) for r in t["channels"] if r in channels
            ],
        }
        for t in runbook.tell
    ]


def _step_view(text: dict, when: str) -> dict:
    return {"text": pick(text), "when": when}


def broadcast_specs(institution, specs: list[dict]) -> list[dict]:
    """A runbook's broadcasts as read: title and message in the reader's language, and
    the workstations they go to by their name in the pack (not the group's code)."""
    names = {
        g.code: pick(g.label) for g in WorkstationGroup.objects.filter(institution=institution)
    }
    return [
        {
            "group": b["group"],
            "group_label": names.get(b["group"], b["group"]),
            "type": b.get("type", "info"),
            "title": pick(b["title"]),
            "message": pick(b["message"]),
        }
        for b in specs
    ]


def runbook_view(runbook: Runbook, at: dt.datetime) -> dict:
    """One runbook as pages and the API show it: trigger, whom to tell now, broadcasts,
    steps (time-dependent ones flagged: do they apply at `at`?), related procedures."""
    institution = runbook.institution

    def steps(specs):
        return [
            {
                **_step_view(s["text"], s.get("when", "")),
                "applies_now": rules.step_applies(
                    s.get("schedule"), at, institution.zone, institution.calendar
                ),
            }
            for s in specs
        ]

    def broadcasts(specs):
        return broadcast_specs(institution, specs)

    related = {
        r.code: pick(r.title)
        for r in Runbook.objects.filter(institution=institution, code__in=runbook.related)
    }
    return {
        "code": runbook.code,
        "system": runbook.system,
        "title": pick(runbook.title),
        "trigger": pick(runbook.trigger),
        "registry": runbook.registry,
        "contacts": contacts_view(runbook, at),
        "start_broadcasts": broadcasts(runbook.start_broadcasts),
        "end_broadcasts": broadcasts(runbook.end_broadcasts),
        "degraded": steps(runbook.degraded),
        "restore": steps(runbook.restore),
        "related": [{"code": c, "title": related.get(c, c)} for c in runbook.related],
        "version": runbook.version,
        "owner": pick(runbook.owner),
        "review_on": runbook.review_on,
    }


def get_outage(user, outage_id: int) -> Outage:
    """The outage of this id in one of the user's institutions, or NotFound."""
    outage = (
        Outage.objects.filter(pk=outage_id, institution__in=institutions_of(user))
        .select_related("runbook", "incident", "incident__ticket", "institution")
        .first()
    )
    if outage is None or not has_permission(user, perms.RUNBOOK_VIEW):
        raise NotFound(_("No outage #%(id)s.") % {"id": outage_id}, field="id")
    return outage


def get_entry(user, outage: Outage, entry_id: int) -> RegistryEntry:
    """The registry entry of this id on the outage, or NotFound."""
    entry = RegistryEntry.objects.filter(pk=entry_id, outage=outage).first()
    if entry is None:
        raise NotFound(_("No registry entry #%(id)s.") % {"id": entry_id}, field="entry")
    return entry


def outages(institution, open_only: bool = False):
    """The institution's outages, the latest first (those not closed, if asked)."""
    qs = Outage.objects.filter(institution=institution).select_related("runbook", "incident")
    if open_only:
        qs = qs.exclude(state=OutageState.CLOSED)
    return qs


def can_see_identities(user, where) -> bool:
    """Whether the user may see the registry's patient identities at the institution
    `where` names (an outage, an institution)."""
    return has_permission(user, perms.VIEW_PATIENT, where) or has_permission(
        user, perms.RECONCILE, where
    )


def broadcast_view(b: Broadcast) -> dict:
    """One broadcast as the banner, the kiosk and the workstations' API show it, in the
    reader's language, with both languages for a notifier that picks its own."""
    return {
        "id": b.pk,
        "institution_id": b.institution_id,
        "group": b.group,
        "group_label": pick(b.group_label),
        "type": b.kind,
        "type_label": BroadcastKind(b.kind).label,
        "title": pick(b.title),
        "message": pick(b.message),
        "texts": {"title": b.title, "message": b.message},
        "starts_at": b.starts_at,
        "ends_at": b.ends_at,
    }


def current_public_broadcast(public_id: str, at: dt.datetime | None = None) -> Broadcast:
    """A broadcast current now, by the id workstations read it by (never its sequential
    number, never an ended one); NotFound otherwise."""
    at = at or timezone.now()
    row = (
        Broadcast.objects.select_related("institution")
        .filter(public_id=public_id[:32], starts_at__lte=at)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=at))
        .first()
    )
    if row is None:
        raise NotFound(_("No current broadcast %(id)s.") % {"id": public_id[:32]}, field="id")
    return row


def host_institutions(host: str, institutions=None) -> list:
    """The institutions a workstation belongs to: those with a group whose own host-name
    patterns name it ("*", every workstation, names no one in particular)."""
    groups = WorkstationGroup.objects.select_related("institution")
    if institutions is not None:
        groups = groups.filter(institution__in=institutions)
    found = {}
    for g in groups:
        specific = [p for p in g.hosts if p.strip() != "*"]
        if specific and rules.host_matches(specific, host):
            found[g.institution_id] = g.institution
    return list(found.values())


def public_broadcasts(host: str, institution_code: str = "", at: dt.datetime | None = None):
    """What a workstation may read without sign-in: the current broadcasts of its own
    institutions that its groups receive."""
    return current_broadcasts(public_institutions(host, institution_code), host=host, at=at)


@dataclass(frozen=True)
class Answer:
    """A workstation's answer as sent: its body, its ETag, and until when (a process
    clock reading) it holds, whatever is written, because a broadcast starts or ends."""

    body: bytes
    etag: str
    until: float


_ANSWERS: dict[tuple, Answer] = {}
_MOST = 20_000  # answers kept per process (one per set of broadcasts and language)
_LONGEST = 60.0  # seconds an answer is kept at most, whatever


def broadcasts_version() -> int:
    """The number that changes with any write to broadcasts or workstation groups."""
    # asked at every poll: the statement without the ORM's compiling
    with connection.cursor() as cursor:
        cursor.execute(_VERSION_SQL)
        row = cursor.fetchone()
    return row[0] if row else 0


_VERSION_SQL = f'SELECT value FROM "{BroadcastsVersion._meta.db_table}" WHERE id = 1'


@dataclass(frozen=True)
class _Scene:
    """Every workstation group and every broadcast current, as of one broadcasts version,
    kept in the process until a broadcast starts or ends (60 s at most): each poll picks
    its workstation's part of it without a statement."""

    version: int
    until: float
    groups: tuple  # (institution, institution code, the group's own host-name patterns)
    broadcasts: tuple  # current, in current_broadcasts' order


_SCENE: dict[str, _Scene] = {}


def _scene(version: int) -> _Scene:
    now = time.monotonic()
    scene = _SCENE.get("public")
    if scene is not None and scene.version == version and now < scene.until:
        return scene
    at = timezone.now()
    groups = tuple(
        (g.institution, g.institution.code, [p for p in g.hosts if p.strip() != "*"])
        for g in WorkstationGroup.objects.select_related("institution").order_by("id")
    )
    rows = current_broadcasts(Institution.objects.all(), at=at)
    bounds = Broadcast.objects.aggregate(
        starts=Min("starts_at", filter=Q(starts_at__gt=at)),
        ends=Min("ends_at", filter=Q(ends_at__gt=at)),
    )
    changes = [b for b in bounds.values() if b is not None]
    hold = min([(c - at).total_seconds() for c in changes] + [_LONGEST])
    scene = _Scene(version, now + max(hold, 0), groups, tuple(rows))
    _SCENE["public"] = scene
    return scene


def public_answer(host: str, institution_code: str, render: Callable[[list], bytes]) -> Answer:
    """What a workstation reads without sign-in (public_broadcasts), rendered by the API's
    `render`, kept in this process under the broadcasts' version: a poll costs one read of
    that number until a broadcast or a group changes (on any machine) or a broadcast
    starts or ends. Workstations that receive the same broadcasts share one answer."""
    version = broadcasts_version()
    scene = _scene(version)
    mine = {
        institution.pk
        for institution, code, patterns in scene.groups
        if (not institution_code or code == institution_code)
        and patterns
        and rules.host_matches(patterns, host)
    }
    rows = [
        b
        for b in scene.broadcasts
        if b.institution_id in mine and rules.host_matches(b.hosts, host)
    ]
    key = (version, scene.until, tuple(b.pk for b in rows), current_language())
    found = _ANSWERS.get(key)
    if found is not None:
        return found
    body = render(rows)
    if len(_ANSWERS) >= _MOST:
        _ANSWERS.clear()
    found = Answer(body, f'"{hashlib.sha256(body).hexdigest()[:32]}"', scene.until)
    _ANSWERS[key] = found
    return found


def public_institutions(host: str, institution_code: str = "") -> list:
    """The institutions a workstation reads without sign-in (its own; the one named, if
    it has several)."""
    institutions = Institution.objects.all()
    if institution_code:
        institutions = institutions.filter(code=institution_code)
    return host_institutions(host, institutions)


def recent_broadcasts(institutions, days: int = 7):
    """The broadcasts of these institutions started in the last `days` days, latest first."""
    since = timezone.now() - dt.timedelta(days=days)
    return Broadcast.objects.filter(institution__in=institutions, starts_at__gte=since)[:200]


def current_broadcasts(
    institutions, *, host: str | None = None, at: dt.datetime | None = None, drills: bool = True
):
    """The broadcasts current at `at` (default now) in these institutions, warnings first;
    with `host`, only those whose group names that workstation; without drills' (the
    banner of every page: a drill reaches its drill group's screens only)."""
    at = at or timezone.now()
    rows = Broadcast.objects.filter(institution__in=institutions, starts_at__lte=at).filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=at)
    )
    if not drills:
        rows = rows.exclude(outage__drill=True)
    out = [b for b in rows if host is None or rules.host_matches(b.hosts, host)]
    return sorted(out, key=lambda b: (b.kind != BroadcastKind.WARNING, -b.starts_at.timestamp()))


def outage_view(user, outage: Outage, at: dt.datetime | None = None) -> dict:
    """The outage as its page and the API show it: incident, elapsed time, whom to call
    now, broadcasts, checklist, vendor tickets, registry (identities only to roles
    allowed; services.show_outage records their display)."""
    at = at or timezone.now()
    incident = outage.incident
    ticket = getattr(incident, "ticket", None) if incident else None
    end = outage.closed_at or at
    steps = list(outage.steps.select_related("by"))
    entries = list(outage.entries.select_related("by", "reconciled_by"))
    show = can_see_identities(user, outage)

    def entry_view(e: RegistryEntry) -> dict:
        row = {
            "id": e.pk,
            "exam": e.exam,
            "modality": e.modality,
            "accession_number": e.accession_number,
            "at": e.at,
            "by": e.by.get_username() if e.by else None,
            "state": e.state,
            "state_label": EntryState(e.state).label,
            "provisional": e.provisional,
            "episode": e.episode,
        }
        if show:
            row.update(
                last_name=e.last_name,
                first_name=e.first_name,
                birth_date=e.birth_date,
                ipp=e.ipp,
                final_ipp=e.final_ipp,
                final_episode=e.final_episode,
            )
        return row

    return {
        "id": outage.pk,
        "runbook": {"code": outage.runbook.code, "title": pick(outage.runbook.title)},
        "state": outage.state,
        "state_label": OutageState(outage.state).label,
        "incident": {
            "number": incident.number,
            "severity": incident.severity,
            "ticket": ticket.number if ticket else None,
            # the calls logged about it (attached at the call form)
            "attached_calls": incident.attached.count(),
        }
        if incident
        else None,
        "drill": outage.drill,
        "figures": run_figures(outage),
        "started_at": outage.started_at,
        "restored_at": outage.restored_at,
        "closed_at": outage.closed_at,
        "elapsed_s": int((end - outage.started_at).total_seconds()),
        "elapsed_min": int((end - outage.started_at).total_seconds()) // 60,
        "note": outage.note,
        "vendor_refs": outage.vendor_refs,
        # the partner's procedure and the hospital's run as outages of one incident
        "siblings": [
            {"id": o.pk, "runbook": pick(o.runbook.title), "state": o.state}
            for o in (
                incident.outages.exclude(pk=outage.pk).select_related("runbook") if incident else []
            )
        ],
        "access_codes": outage.runbook.access_codes,
        "access_log": outage.access_log,
        "review_needed": outage.review_needed,
        "contacts": contacts_view(outage.runbook, at),
        "broadcasts": [broadcast_view(b) for b in outage.broadcasts.all()],
        "steps": [
            {
                "n": s.n,
                "phase": s.phase,
                "phase_label": StepPhase(s.phase).label,
                "text": pick(s.text),
                "when": s.when,
                "state": s.state,
                "state_label": StepState(s.state).label,
                "by": s.by.get_username() if s.by else None,
                "at": s.at,
            }
            for s in steps
        ],
        "entries": [entry_view(e) for e in entries],
        "units": units_of(outage, at),
        "identities_shown": show,
        "left": {
            "steps": sum(
                1 for s in steps if s.phase == StepPhase.RESTORE and s.state == StepState.OPEN
            ),
            "reconciliations": sum(1 for e in entries if e.state != EntryState.RECONCILED),
        },
    }


def _unit_view(c: UnitConfirmation, at: dt.datetime) -> dict:
    lead = c.unit.lead or {}
    return {
        "code": c.unit.code,
        "label": pick(c.unit.label),
        "phase": c.phase,
        "phase_label": UnitPhase(c.phase).label,
        "lead": {"name": lead.get("name", ""), "phone": lead.get("phone", "")},
        "asked_at": c.asked_at,
        "due_at": c.due_at,
        "confirmed_at": c.confirmed_at,
        "via": c.via or None,
        "via_label": ConfirmedVia(c.via).label if c.via else "",
        "by": c.by_name or None,
        "lead_paged_at": c.lead_paged_at,
        "late": c.confirmed_at is None and c.due_at <= at,
        "after_s": int((c.confirmed_at - c.asked_at).total_seconds()) if c.confirmed_at else None,
    }


def units_of(outage: Outage, at: dt.datetime | None = None) -> list[dict]:
    """The units asked to confirm on this outage, by phase (on paper, then back to
    normal): who answered, when, how; who is late and whether their lead was paged."""
    at = at or timezone.now()
    rows = outage.confirmations.select_related("unit").order_by("phase", "unit__position")
    return [_unit_view(c, at) for c in rows]


def units_panel(request, institution) -> list[dict]:
    """The wallboard's cell (registered in apps.py): each outage in progress with its
    units' answers for the phase it is in; shown even when there is none."""
    now = timezone.now()
    out = []
    for outage in outages(institution, open_only=True):
        phase = UnitPhase.DEGRADED if outage.state == OutageState.ACTIVE else UnitPhase.NORMAL
        units = [u for u in units_of(outage, now) if u["phase"] == phase]
        if units:
            out.append(
                {
                    "id": outage.pk,
                    "title": pick(outage.runbook.title),
                    "phase_label": UnitPhase(phase).label,
                    "confirmed": sum(1 for u in units if u["confirmed_at"]),
                    "units": units,
                }
            )
    return out


def kiosk_confirmation(institution_ids, unit_code: str) -> UnitConfirmation | None:
    """The question a unit's kiosk screen asks now: its unconfirmed confirmation of an
    outage in progress, for the phase the outage is in (the newest)."""
    if not unit_code:
        return None
    rows = (
        UnitConfirmation.objects.select_related("outage", "unit")
        .filter(
            outage__institution__in=institution_ids,
            unit__code=unit_code,
            confirmed_at__isnull=True,
        )
        .exclude(outage__state=OutageState.CLOSED)
        .order_by("-asked_at")
    )
    for c in rows:
        active = c.outage.state == OutageState.ACTIVE
        if (c.phase == UnitPhase.DEGRADED) == active:
            return c
    return None


def _seconds(start, end) -> int | None:
    return int((end - start).total_seconds()) if start and end else None


def run_figures(outage: Outage) -> dict:
    """What a run of the runbook measured (seed 004 section VII: the review has figures),
    in seconds: from the failure noticed (the drill announced) to the activation; from the
    activation until every unit asked had confirmed the degraded procedure; from the
    return to normal until the last registry entry was reconciled (or the outage closed,
    when there was none). None while not reached."""
    confirmations = [c for c in outage.confirmations.all() if c.phase == UnitPhase.DEGRADED]
    confirmed = (
        max(c.confirmed_at for c in confirmations)
        if confirmations and all(c.confirmed_at for c in confirmations)
        else None
    )
    reconciled = [e.reconciled_at for e in outage.entries.all()]
    if reconciled and all(reconciled):
        back = max(reconciled)
    else:
        back = outage.closed_at if not reconciled else None
    return {
        "activate_s": _seconds(outage.noticed_at, outage.started_at),
        "units": len(confirmations),
        "all_confirmed_s": _seconds(outage.started_at, confirmed),
        "reconcile_s": _seconds(outage.restored_at, back),
    }


def runs_of(runbook: Runbook, limit: int = 20) -> list[dict]:
    """The last runs of a runbook, drills and real outages, with their figures: the
    runbook's page shows them for its review."""
    rows = (
        Outage.objects.filter(runbook=runbook)
        .select_related("incident")
        .prefetch_related("confirmations", "entries")
        .order_by("-started_at")[:limit]
    )
    return [
        {
            "id": o.pk,
            "drill": o.drill,
            "state": o.state,
            "state_label": OutageState(o.state).label,
            "incident": o.incident.number if o.incident else None,
            "started_at": o.started_at,
            **run_figures(o),
        }
        for o in rows
    ]


def outage_figures(institution, since: dt.datetime, until: dt.datetime) -> dict:
    """For the period statistics: outages started in [since, until), their minutes in
    degraded mode (to the return to normal, or now), per system."""
    now = timezone.now()
    per: dict[str, dict] = {}
    rows = Outage.objects.filter(
        institution=institution, started_at__gte=since, started_at__lt=until, drill=False
    ).select_related("runbook")
    for o in rows:
        end = o.restored_at or o.closed_at or now
        row = per.setdefault(
            o.runbook.system, {"system": o.runbook.system, "count": 0, "minutes": 0}
        )
        row["count"] += 1
        row["minutes"] += max(0, int((end - o.started_at).total_seconds() // 60))
    by_system = sorted(per.values(), key=lambda r: (-r["minutes"], r["system"]))
    return {
        "count": sum(r["count"] for r in by_system),
        "minutes": sum(r["minutes"] for r in by_system),
        "by_system": by_system,
    }


def vendors(institution):
    """The institution's vendors and partners (catalogue providers marked as such)."""
    return Provider.objects.filter(
        institution=institution, active=True, vendor=True
    ).prefetch_related("channels")


def get_vendor(institution, code: str) -> Provider:
    """The vendor of this code, or NotFound."""
    row = vendors(institution).filter(code=code).first()
    if row is None:
        raise NotFound(_("No vendor %(code)s.") % {"code": code}, field="code")
    return row


def vendor_view(vendor: Provider, at: dt.datetime) -> dict:
    """A vendor as the directory shows it: references, channels open now or not."""
    return {
        "code": vendor.code,
        "name": pick(vendor.name),
        "summary": pick(vendor.summary),
        "references": [{"label": pick(r["label"]), "value": r["value"]} for r in vendor.references],
        "channels": [
            channel_view(c, at, vendor.institution) for c in vendor.channels.filter(active=True)
        ],
    }


def call_sheet(
    user, vendor: Provider, outage: Outage | None, entry: RegistryEntry | None = None
) -> dict:
    """What to say when calling a vendor about an outage (seed 004 annex 5): the equipment
    references, who calls and from which site, when to call back, the exam concerned; the
    vendor's ticket reference is recorded back on the outage. No patient identity."""
    now = timezone.now()
    institution = vendor.institution
    sheet = {
        **vendor_view(vendor, now),
        "say": [pick(line) for line in vendor.call_sheet],
        "caller": user.get_full_name() or user.get_username(),
        "site": institution.label,
        "call_back_from": now,
        "outage": None,
        "exam": None,
    }
    if outage is not None:
        sheet["outage"] = {
            "id": outage.pk,
            "runbook": pick(outage.runbook.title),
            "incident": outage.incident.number if outage.incident else None,
            "since": outage.started_at,
            "vendor_refs": outage.vendor_refs,
        }
    if entry is not None:
        sheet["exam"] = {
            "accession_number": entry.accession_number,
            "date": entry.at,
            "modality": entry.modality,
            "exam": entry.exam,
        }
    return sheet
