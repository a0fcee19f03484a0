"""The on-call app's reads: how much time each response clock has left (the incident
page, the API, the wallboard), and who is on call now and until when."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from escalade.accounts.services import institutions_of
from escalade.core import packs
from escalade.core.errors import NotFound
from escalade.core.hours import Schedule, counted_seconds, is_open, next_open, open_until
from escalade.incidents import selectors as incident_selectors
from escalade.incidents.models import Incident

from . import rules
from .choices import ClockState, ClockTarget
from .errors import OncallError
from .models import Clock, Override, Page, Team


def business_hours(institution) -> Schedule | None:
    """The institution's business hours (oncall.yaml's response clocks), or none."""
    policy = packs.setting_of(institution, "response_clocks")
    return Schedule.from_data(policy.business_hours) if policy else None


def clock_schedule(clock: Clock) -> Schedule | None:
    """The hours a clock counts in: its pack's business hours, or none (24/7)."""
    if not clock.business_hours:
        return None
    return business_hours(clock.incident.institution)


def elapsed(clock: Clock, now: dt.datetime) -> float:
    """The counted seconds of the clock at `now`."""
    if clock.state != ClockState.RUNNING or not clock.running_since:
        return clock.elapsed
    inst = clock.incident.institution
    zone = ZoneInfo(inst.timezone)
    return clock.elapsed + counted_seconds(
        clock_schedule(clock), clock.running_since, now, zone, inst.calendar
    )


def clock_view(clock: Clock, now: dt.datetime) -> dict:
    """{target, label, state, due, remaining_seconds, paused, breached}: remaining is
    negative once the target is passed; due is None while paused or ended."""
    counted = elapsed(clock, now)
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
        .select_related("symptom", "institution")
        .order_by("due_at", "id")[:limit]
    )
    # the headline, not the summary: a summary the product wrote reads in the page's language
    return [
        {"number": i.number, "summary": i.headline, "due": i.due_at, "late": i.due_at <= now}
        for i in rows
    ]


def wallboard_panel(request, institution) -> list[dict]:
    """The wallboard's clocks cell (registered in apps.py): shown even when empty."""
    return due_soon(institution)


def clocks_panel(request, incident: Incident) -> list[dict] | None:
    """The incident page's clocks (registered in apps.py), and the `sla` of its API
    answer; none when the pack gives it no target."""
    return sla_of(incident) or None


# -- who is on call ---------------------------------------------------------------------


def rotation(team: Team) -> rules.Rotation:
    """The team's rotation as the rules read it."""
    members = tuple(
        rules.Member(m["username"], m["name"], m.get("phone", "")) for m in team.members
    )
    return rules.Rotation(members, team.starting, team.handover, team.every_days)


def on_call_of(team: Team, at: dt.datetime, overrides: list[Override]) -> dict:
    """Who of `team` is on call at `at`, and until when (the next hand-over, the end of
    the team's hours or of an override, whichever comes first): {team, name, person,
    phone, until, override, off_duty}. Off duty (outside its hours): no person, `until`
    when its hours begin again."""
    inst = team.institution
    zone, calendar = ZoneInfo(inst.timezone), inst.calendar
    schedule = Schedule.from_data(team.hours)
    swap = next((o for o in overrides if o.starts_at <= at < o.ends_at), None)
    upcoming = min((o.starts_at for o in overrides if o.starts_at > at), default=None)
    out = {"team": team.code, "name": team.label, "override": swap is not None}
    if swap is not None:
        person, phone, until = (swap.username, swap.name), swap.phone, swap.ends_at
    elif not is_open(schedule, at, zone, calendar):
        until = rules.earliest(next_open(schedule, at, zone, calendar), upcoming)
        return {**out, "person": None, "phone": "", "until": until, "off_duty": True}
    else:
        shift = rules.shift_at(rotation(team), at.astimezone(zone))
        if shift is None:
            return {**out, "person": None, "phone": "", "until": upcoming, "off_duty": False}
        person, phone = (shift.member.username, shift.member.name), shift.member.phone
        until = rules.earliest(shift.ends, open_until(schedule, at, zone, calendar), upcoming)
    return {
        **out,
        "person": {"username": person[0], "name": person[1]},
        "phone": phone,
        "until": until,
        "off_duty": False,
    }


def teams_of(institution, code: str | None = None):
    """The institution's active teams, in the pack's order (the one named, if any)."""
    qs = Team.objects.filter(institution=institution, active=True).select_related("institution")
    return qs.filter(code=code) if code else qs


def on_call(institution, at: dt.datetime | None = None, team: str | None = None) -> list[dict]:
    """Every active team of the institution (or the one named) and who is on call at
    `at` (now by default). A team off duty says who answers instead: `covered_by`, the
    code of the first other team of the institution with someone on call then (the
    technicians by day, IT on call at night), else None; and `office_open`, whether the
    institution's business hours (oncall.yaml's response clocks) are open then."""
    at = at or timezone.now()
    rows = on_call_of_teams(list(teams_of(institution)), at)
    on_duty = [r["team"] for r in rows if r["person"] is not None]
    office = None
    for row in rows:
        if row["off_duty"]:
            row["covered_by"] = next((code for code in on_duty if code != row["team"]), None)
            if office is None:
                office = _office_open(institution, at)
            row["office_open"] = office
        else:
            row["covered_by"], row["office_open"] = None, None
    return [r for r in rows if r["team"] == team] if team else rows


def next_on_call(institution, row: dict) -> dict | None:
    """The team's row at its next change (`row["until"]`), past a time off duty: a night
    team's next is tonight's person, not the day it is off duty; `starts_at` says when.
    None when nothing changes (no `until`)."""
    nxt = row
    for _hop in range(2):  # the hand-over, then when its hours begin again
        at = nxt["until"]
        if at is None:
            return None
        nxt = {**on_call(institution, at, row["team"])[0], "starts_at": at}
        if not nxt["off_duty"]:
            break
    return nxt


def _office_open(institution, at: dt.datetime) -> bool:
    """Whether the institution's business hours are open at `at`; False when its pack
    gives none (no office hours to speak of)."""
    schedule = business_hours(institution)
    if schedule is None:
        return False
    return is_open(schedule, at, ZoneInfo(institution.timezone), institution.calendar)


def on_call_of_teams(teams: list[Team], at: dt.datetime) -> list[dict]:
    """on_call_of for each of `teams` (their institution selected), their overrides read
    in one statement."""
    overrides: dict[int, list[Override]] = {t.pk: [] for t in teams}
    for o in Override.objects.filter(team__in=teams, ends_at__gt=at).order_by("starts_at"):
        overrides[o.team_id].append(o)
    return [on_call_of(t, at, overrides[t.pk]) for t in teams]


def on_call_panel(request, about) -> list[dict] | None:
    """Who is on call now in the institution of `about` (an institution, an outage), for
    the pages that say whom to call; none when its pack has no team."""
    institution = getattr(about, "institution", None) or about
    return on_call(institution) or None


SHIFT_STEPS = 2000  # a bound on the walk (a quarter of nightly turns is ~200)


def shifts(team: Team, start: dt.datetime, end: dt.datetime, overrides: list[Override]) -> list:
    """Who of `team` is on call from `start` to `end`, as consecutive spans [{username,
    name, phone, starts, ends, override}]: the walk follows on_call_of from one change to
    the next (hand-overs, the team's hours, overrides), so the spans are exactly what the
    page and the paging say at each moment."""
    out: list[dict] = []
    at = start
    for _n in range(SHIFT_STEPS):
        if at >= end:
            break
        row = on_call_of(team, at, overrides)
        until = min(row["until"] or end, end)
        if until <= at:
            break
        person = row["person"]
        if person is not None:
            last = out[-1] if out else None
            if last and last["username"] == person["username"] and last["ends"] == at:
                last["ends"] = until  # the same person on: one span
            else:
                out.append(
                    {
                        "username": person["username"],
                        "name": person["name"],
                        "phone": row["phone"],
                        "starts": at,
                        "ends": until,
                        "override": row["override"],
                    }
                )
        at = until
    return out


def shifts_of(user, start: dt.datetime, end: dt.datetime) -> list[dict]:
    """A person's own shifts in every team of their institutions (turns and overrides),
    from `start` to `end`, each with its team: their .ics feed."""
    username = user.get_username()
    teams = Team.objects.filter(institution__in=institutions_of(user), active=True).select_related(
        "institution"
    )
    out = []
    for team in teams:
        overrides = list(
            Override.objects.filter(team=team, ends_at__gt=start).order_by("starts_at")
        )
        named = any(m["username"] == username for m in team.members) or any(
            o.username == username for o in overrides
        )
        if not named:
            continue
        for span in shifts(team, start, end, overrides):
            if span["username"] == username:
                out.append({**span, "team": team})
    return sorted(out, key=lambda s: s["starts"])


def get_team(institution, code: str) -> Team:
    """The institution's active team `code`; NotFound on the `team` field otherwise."""
    team = teams_of(institution, code).first()
    if team is None:
        message = _("No on-call team '%(code)s'.") % {"code": code}
        raise NotFound(message, field="team", code=OncallError.UNKNOWN_TEAM)
    return team


# -- pages --------------------------------------------------------------------------------


def pages_of(incident: Incident):
    """Every page the incident sent, in order (the caller has checked the reader may see
    the incident)."""
    return Page.objects.filter(paging__incident=incident).select_related("paging")


def pages_panel(request, incident: Incident) -> dict | None:
    """The incident page's line on its paging (registered in apps.py): who has it, or
    how many were paged; none when nobody was."""
    paging = incident.pagings.order_by("-started_at").first()
    if paging is None:
        return None
    people = {p.username for p in paging.pages.all()}
    return {"paging": paging, "people": len(people), "number": incident.number}


def get_page(user, page_id: int) -> Page:
    """A page of an incident the user may see (NotFound otherwise: not disclosed)."""
    page = Page.objects.select_related("paging__incident__institution").filter(pk=page_id).first()
    if page is not None:
        try:
            incident_selectors.find(user, page.paging.incident.number)
            return page
        except NotFound:
            pass
    raise NotFound(_("No page #%(id)s.") % {"id": page_id}, field="page_id")


def clock_figures(institution, since: dt.datetime, until: dt.datetime) -> dict:
    """For the period statistics: the response targets passed in [since, until), per
    target and per level (the team) holding the incident now."""
    rows = (
        Clock.objects.filter(
            incident__institution=institution, breached_at__gte=since, breached_at__lt=until
        )
        .values("target", "incident__level")
        .annotate(n=Count("id"))
    )
    by_target: dict[str, int] = {}
    by_level: dict[int, int] = {}
    for r in rows:
        by_target[r["target"]] = by_target.get(r["target"], 0) + r["n"]
        by_level[r["incident__level"]] = by_level.get(r["incident__level"], 0) + r["n"]
    return {
        "breached": sum(by_target.values()),
        "by_target": [
            {"target": t, "label": str(ClockTarget(t).label), "breached": by_target.get(t, 0)}
            for t in ClockTarget.values
        ],
        "by_level": [{"level": lv, "breached": n} for lv, n in sorted(by_level.items())],
    }
