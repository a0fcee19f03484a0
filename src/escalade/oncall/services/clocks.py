"""The response clocks: they start with the incident, stop at its first response and
its resolution, pause while a partner holds it (level 3) and resume, and are recomputed
when its priority is re-evaluated: each in the transaction of the change that moves
them (the incidents' events, published in that transaction), so that a clock is never
lost nor run twice. A scheduled check warns at 75 % and at breach, once each."""

from __future__ import annotations

import datetime as dt
import functools
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from escalade.core import audit, packs
from escalade.core.choices import AuditAction
from escalade.core.hours import add_counted
from escalade.incidents import services as incidents
from escalade.incidents.models import Incident
from escalade.notifications import services as notify

from .. import rules, selectors
from ..choices import ClockState, ClockTarget, Trigger
from ..models import Clock
from .common import _update
from .paging import start_paging

CLOCK_FIELDS = ("state", "elapsed", "running_since", "due_at", "warn_at", "ended_at", "breached_at")


def _policy(institution):
    return packs.setting_of(institution, "response_clocks")


def _at(clock: Clock, start: dt.datetime, seconds: float) -> dt.datetime | None:
    inst = clock.incident.institution
    schedule = selectors.clock_schedule(clock)
    return add_counted(schedule, start, seconds, ZoneInfo(inst.timezone), inst.calendar)


def _run_from(clock: Clock, now: dt.datetime) -> None:
    """Running from `now`: when it warns and when it is due, in counted time."""
    clock.running_since = now
    clock.due_at = _at(clock, now, max(clock.seconds - clock.elapsed, 0))
    warn_left = rules.warn_after(clock.seconds) - clock.elapsed
    clock.warn_at = _at(clock, now, warn_left) if warn_left > 0 else now


def _freeze(clock: Clock, now: dt.datetime) -> None:
    clock.elapsed = selectors.elapsed(clock, now)
    clock.running_since = clock.due_at = clock.warn_at = None


def _facts(incident: Incident) -> dict:
    return {
        "priority": incident.priority,
        "level": incident.level,
        "severity": incident.severity,
        "symptom": incident.symptom.code if incident.symptom_id else "",
        "channel": incident.channel,
    }


def _targets(incident: Incident) -> list[rules.Target]:
    policy = _policy(incident.institution)
    if policy is None:
        return []
    table = [r.model_dump(by_alias=True) for r in policy.rules]  # `if`, as the pack writes it
    return rules.targets_for(table, _facts(incident))


def _record(clock: Clock, action: str, actor=None, **data) -> None:
    audit.record(
        action=action,
        obj=clock.incident,
        actor=actor,
        institution=clock.incident.institution,
        data={"target": clock.target, **data},
    )


def _move(clock: Clock, action: str, now: dt.datetime, actor=None) -> None:
    target = rules.CLOCK.target(action, clock.state)
    if target is None:
        return  # already there (a response after the first one): nothing to do
    if clock.state == ClockState.RUNNING:
        _freeze(clock, now)
    clock.state = target
    if target == ClockState.RUNNING:
        _run_from(clock, now)
        clock.ended_at = None
    elif target in (ClockState.MET, ClockState.STOPPED):
        clock.ended_at = now
        if clock.elapsed > clock.seconds and clock.breached_at is None:
            clock.breached_at = now
    _update(clock, *CLOCK_FIELDS)
    if action in ("pause", "resume"):
        kind = AuditAction.CLOCK_PAUSED if action == "pause" else AuditAction.CLOCK_RESUMED
        _record(clock, kind, actor, elapsed=round(clock.elapsed))


def _sync_due(incident: Incident) -> None:
    """The incident's soonest due time among its running clocks (the "due first" queue)."""
    due = (
        Clock.objects.filter(incident=incident, state=ClockState.RUNNING)
        .order_by("due_at")
        .values_list("due_at", flat=True)
        .first()
    )
    incidents.set_due(incident, due)


def _keeps_due(handler):
    """An event handler of the clocks, followed by the incident's due time kept."""

    @functools.wraps(handler)
    def wrapped(event) -> None:
        handler(event)
        _sync_due(event.incident)

    return wrapped


def _clocks(incident: Incident, *targets: str) -> list[Clock]:
    qs = Clock.objects.select_for_update().select_related("incident__institution")
    return list(qs.filter(incident=incident, target__in=targets or ClockTarget.values))


# -- the incidents' events (published inside their transaction) ---------------------


def incident_created(event) -> None:
    """The clocks of the pack's first rule the new incident meets, running from its
    creation (paused at once when it is logged straight to a partner); the incident's
    due time from them, without reading them back."""
    incident, now = event.incident, event.incident.created_at
    if incident.parent_id:  # an attached call: its parent's clocks run for it
        return
    _start_clocks(incident, now)


def _start_clocks(incident: Incident, now) -> None:
    made = []
    for t in _targets(incident):
        clock = Clock(
            incident=incident,
            target=t.target,
            rule=t.rule,
            seconds=t.seconds,
            business_hours=t.business_hours,
        )
        _run_from(clock, now)
        clock.save()
        if rules.paused_at(incident.level):
            _move(clock, "pause", now)
        made.append(clock)
    running = [c.due_at for c in made if c.state == ClockState.RUNNING and c.due_at]
    incidents.set_due(incident, min(running) if running else None)


@_keeps_due
def incident_responded(event) -> None:
    """Taken in hand, or a note written: the first response is given."""
    for clock in _clocks(event.incident, ClockTarget.FIRST_RESPONSE):
        _move(clock, "meet", timezone.now(), event.actor)


@_keeps_due
def incident_escalated(event) -> None:
    """An escalation answers the caller (first response); at level 3 the partner holds
    the incident and the resolution clock waits for it."""
    now = timezone.now()
    for clock in _clocks(event.incident):
        if clock.target == ClockTarget.FIRST_RESPONSE:
            _move(clock, "meet", now, event.actor)
        elif rules.paused_at(event.to_level):
            _move(clock, "pause", now, event.actor)
        else:
            _move(clock, "resume", now, event.actor)


def incident_reclassified(event) -> None:
    """A severity given again: the targets of the rule the incident now meets. The
    classification of a new incident needs nothing: incident.created, published after it
    in the same transaction, starts its clocks with it."""
    if not getattr(event, "new", False):
        incident_reprioritized(event)


@_keeps_due
def incident_reprioritized(event) -> None:
    """A re-evaluated priority (seed 002, after level 2) or severity takes the targets of
    the rule the incident now meets; the time already counted stays."""
    now = timezone.now()
    targets = {t.target: t for t in _targets(event.incident)}
    for clock in _clocks(event.incident):
        new = targets.get(clock.target)
        if new is None or (new.seconds, new.business_hours) == (
            clock.seconds,
            clock.business_hours,
        ):
            continue
        running = clock.state == ClockState.RUNNING
        if running:
            _freeze(clock, now)
        clock.seconds, clock.business_hours, clock.rule = new.seconds, new.business_hours, new.rule
        clock.warned_at = None if clock.elapsed < rules.warn_after(new.seconds) else clock.warned_at
        if running:
            _run_from(clock, now)
        _update(clock, *CLOCK_FIELDS, "seconds", "business_hours", "rule", "warned_at")


@_keeps_due
def incident_resolved(event) -> None:
    """Resolved: both targets are met (a resolution answers the caller too)."""
    now = timezone.now()
    for clock in _clocks(event.incident):
        _move(clock, "meet", now, event.actor)


@_keeps_due
def incident_reopened(event) -> None:
    """Reopened: the resolution clock runs again from where it stopped."""
    for clock in _clocks(event.incident, ClockTarget.RESOLUTION):
        _move(clock, "reopen", timezone.now(), event.actor)


@_keeps_due
def incident_attached(event) -> None:
    """Attached to a major incident in progress: its parent's clocks run for it, its own
    wait (paused, as while a partner holds it)."""
    for clock in _clocks(event.incident):
        _move(clock, "pause", timezone.now(), event.actor)


@_keeps_due
def incident_detached(event) -> None:
    """On its own again: its clocks run again, or from now (a call attached at intake
    had none)."""
    clocks = _clocks(event.incident)
    if not clocks:
        _start_clocks(event.incident, timezone.now())
    for clock in clocks:
        _move(clock, "resume", timezone.now(), event.actor)


@_keeps_due
def incident_closed(event) -> None:
    """Closed before a target was met: its clock stops where it was."""
    for clock in _clocks(event.incident):
        _move(clock, "stop", timezone.now(), event.actor)


# -- the scheduled check: warnings at 75 % and at breach, once each ------------------


SUBJECTS = {
    "clock_warning": gettext_lazy("Incident %(number)s: 75 %% of its time is gone"),
    "clock_breached": gettext_lazy("Incident %(number)s: its target is passed"),
}


def _tell(clock: Clock, kind: str) -> None:
    """The holder (the people assigned) and the pack's leads, once each, in the app and
    by e-mail, in their language."""
    incident = clock.incident
    holders = incident.assignments.filter(active=True, user__isnull=False)
    ids = set(holders.values_list("user_id", flat=True))
    policy = _policy(incident.institution)
    ids |= set(notify.members(incident.institution, policy.warn if policy else []))
    params = {"number": incident.number, "summary": incident.summary}
    notify.tell(
        notify.people(ids),
        kind=f"{kind}_{clock.target}",  # the message says which target
        params=params,
        link=f"/incidents/{incident.number}/",
        subject=SUBJECTS[kind],
    )


def check_clocks(now: dt.datetime | None = None) -> int:
    """Warn the holder and the lead of each running clock past 75 % of its target, then
    past its target; each warning once, whatever the number of workers (rows locked,
    skipped by the others). Returns how many warnings went out."""
    now = now or timezone.now()
    sent = 0
    with transaction.atomic():
        due = (
            Clock.objects.select_for_update(skip_locked=True)
            .select_related("incident__institution")
            .filter(state=ClockState.RUNNING, warn_at__lte=now)
            .exclude(warned_at__isnull=False, breached_at__isnull=False)
        )
        for clock in due:
            if clock.warned_at is None:
                clock.warned_at = now
                _tell(clock, "clock_warning")
                _record(clock, AuditAction.CLOCK_WARNED)
                sent += 1
            if clock.breached_at is None and clock.due_at and clock.due_at <= now:
                clock.breached_at = now
                _tell(clock, "clock_breached")
                _record(clock, AuditAction.CLOCK_BREACHED)
                start_paging(clock.incident, Trigger.BREACH)
                sent += 1
            clock.save(update_fields=["warned_at", "breached_at"])
    return sent
