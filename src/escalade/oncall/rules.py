"""The response clocks' rules, pure functions over pack data (no database, no web): which
targets an incident gets, when a clock pauses, when it warns."""

from __future__ import annotations

import re
from dataclasses import dataclass

from escalade.core.transitions import Transitions

from .choices import ClockState, ClockTarget

WARN_AT = 0.75  # the holder and the lead are warned at 75 % of a target, then at breach
PAUSED_AT_LEVEL = 3  # a partner's ticket (level 3): the clock waits for the partner

_DURATION = re.compile(r"^\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?\s*$")

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


def parse_duration(text: str) -> int:
    """'15m' -> 900, '4h' -> 14400, '1h30m' -> 5400 (seconds); ValueError otherwise."""
    match = _DURATION.match(str(text))
    if not match or not any(match.groups()):
        raise ValueError(f"'{text}' is not a duration (15m, 4h, 1h30m)")
    hours, minutes = (int(g or 0) for g in match.groups())
    seconds = hours * 3600 + minutes * 60
    if seconds <= 0:
        raise ValueError(f"'{text}': a target must be longer than zero")
    return seconds


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
