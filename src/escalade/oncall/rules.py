"""The on-call rules, pure functions over pack data (no database, no web): which targets
an incident's response clocks get, when a clock pauses and warns, and whose turn it is
in a team's rotation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from escalade.core.hours import parse_duration  # noqa: F401 (the rules read durations)
from escalade.core.transitions import Transitions

from .choices import ClockState, ClockTarget

WARN_AT = 0.75  # the holder and the lead are warned at 75 % of a target, then at breach
PAUSED_AT_LEVEL = 3  # a partner's ticket (level 3): the clock waits for the partner

# A clock runs, pauses while a partner holds the incident, resumes; it is met when the
# response is given or the incident resolved (a resolution reopened runs again), and
# stopped when the incident closes before.
CLOCK = Transitions(
    {
        "pause": {ClockState.RUNNING: ClockState.PAUSED},
        "resume": {ClockState.PAUSED: ClockState.RUNNING},
        "meet": {ClockState.RUNNING: ClockState.MET, ClockState.PAUSED: ClockState.MET},
        "reopen": {ClockState.MET: ClockState.RUNNING},
        "stop": {ClockState.RUNNING: ClockState.STOPPED, ClockState.PAUSED: ClockState.STOPPED},
    }
)


@dataclass(frozen=True)
class Target:
    target: str  # ClockTarget
    seconds: int
    business_hours: bool
    rule: str


def _matches(when: dict, facts: dict) -> bool:
    for key, allowed in (when or {}).items():
        values = allowed if isinstance(allowed, list) else [allowed]
        if facts.get(key) not in values:
            return False
    return True


def targets_for(rules: list[dict], facts: dict) -> list[Target]:
    """The targets of the first rule whose `if` the incident's facts meet (priority,
    level, severity, symptom, channel): its first response and its resolution, each
    counted in business hours when the rule says so. No rule met: no clock."""
    for rule in rules:
        if not _matches(rule.get("if") or {}, facts):
            continue
        business = rule.get("counted") == "business_hours"
        return [
            Target(target, parse_duration(rule[target]), business, rule["code"])
            for target in ClockTarget.values
            if rule.get(target)
        ]
    return []


def warn_after(seconds: int) -> float:
    """The counted seconds after which a clock of `seconds` warns."""
    return seconds * WARN_AT


def paused_at(level: int) -> bool:
    """Whether a clock waits at this level (a partner's ticket is open)."""
    return level >= PAUSED_AT_LEVEL


# -- who is on call -------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    username: str
    name: str
    phone: str = ""


@dataclass(frozen=True)
class Rotation:
    """A team's rotation as its pack gives it: members in order, each on call for
    `every_days` days from one hand-over to the next, the first from `starting`."""

    members: tuple[Member, ...]
    starting: dt.date
    handover: dt.time
    every_days: int = 7


@dataclass(frozen=True)
class Shift:
    member: Member
    starts: dt.datetime  # the hand-over that began it (local)
    ends: dt.datetime  # the next hand-over (local)


def shift_at(rotation: Rotation, local: dt.datetime) -> Shift | None:
    """Whose turn it is at the local instant `local` (aware, in the institution's zone),
    from the hand-over before it to the next; None without members or before `starting`."""
    if not rotation.members:
        return None
    days = (local.date() - rotation.starting).days - (local.time() < rotation.handover)
    if days < 0:
        return None
    turn = days // rotation.every_days
    start_day = rotation.starting + dt.timedelta(days=turn * rotation.every_days)
    begin = dt.datetime.combine(start_day, rotation.handover, tzinfo=local.tzinfo)
    end = dt.datetime.combine(
        start_day + dt.timedelta(days=rotation.every_days), rotation.handover, tzinfo=local.tzinfo
    )
    return Shift(rotation.members[turn % len(rotation.members)], begin, end)


def after(rotation: Rotation, member: Member) -> Member:
    """The member who comes after `member` in the rotation's order (the next to page
    when the person on call does not answer)."""
    names = [m.username for m in rotation.members]
    if member.username not in names:
        return rotation.members[0]
    return rotation.members[(names.index(member.username) + 1) % len(names)]


def earliest(*instants: dt.datetime | None) -> dt.datetime | None:
    """The earliest of the instants given (None ones left out)."""
    known = [i for i in instants if i is not None]
    return min(known) if known else None


# -- paging until someone acknowledges ------------------------------------------------


def next_position(step: int, round_: int, steps: int, rounds: int) -> tuple[int, int] | None:
    """The step (and round) that follows `step` of `round_` in a policy of `steps` steps
    run `rounds` times; None when the policy is exhausted."""
    if step + 1 < steps:
        return step + 1, round_
    if round_ < rounds:
        return 0, round_ + 1
    return None


def policy_for(policies: list[dict], trigger: str) -> dict | None:
    """The first policy of the pack that this trigger starts."""
    return next((p for p in policies if trigger in p.get("triggers", [])), None)
