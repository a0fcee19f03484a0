"""Reading the response clocks: how much time each target has left, for the incident
page, the API and the queues."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from escalade.incidents.models import Incident

from . import services
from .choices import ClockState, ClockTarget
from .models import Clock


def clock_view(clock: Clock, now: dt.datetime) -> dict:
    """{target, label, state, due, remaining_seconds, paused, breached}: remaining is
    negative once the target is passed; due is None while paused or ended."""
    counted = services.elapsed(clock, now)
    remaining = round(clock.seconds - counted)
    running = clock.state == ClockState.RUNNING
    return {
        "target": clock.target,
        "label": ClockTarget(clock.target).label,
        "state": clock.state,
        "due": clock.due_at if running else None,
        "remaining_seconds": remaining,
        "paused": clock.state == ClockState.PAUSED,
        "breached": clock.breached_at is not None or remaining < 0,
        "business_hours": clock.business_hours,
    }


def sla_of(incident: Incident, now: dt.datetime | None = None) -> list[dict]:
    """The incident's clocks, first response then resolution."""
    now = now or timezone.now()
    clocks = Clock.objects.filter(incident=incident).select_related("incident__institution")
    order = {t: n for n, t in enumerate(ClockTarget.values)}
    return sorted((clock_view(c, now) for c in clocks), key=lambda v: order[v["target"]])


SOON = dt.timedelta(minutes=30)


def due_soon(institution, now: dt.datetime | None = None, limit: int = 6) -> list[dict]:
    """The institution's open incidents whose clock is passed or due within 30 minutes,
    the soonest first: {number, summary, due, late}."""
    now = now or timezone.now()
    rows = (
        Incident.objects.filter(institution=institution, due_at__lte=now + SOON)
        .order_by("due_at", "id")
        .values("number", "summary", "due_at")[:limit]
    )
    return [
        {
            "number": r["number"],
            "summary": r["summary"],
            "due": r["due_at"],
            "late": r["due_at"] <= now,
        }
        for r in rows
    ]


def wallboard_panel(request, institution) -> list[dict]:
    """The wallboard's clocks cell (registered in apps.py): shown even when empty."""
    return due_soon(institution)


def clocks_panel(request, incident: Incident) -> list[dict] | None:
    """The incident page's clocks (registered in apps.py), and the `sla` of its API
    answer; none when the pack gives it no target."""
    return sla_of(incident) or None
