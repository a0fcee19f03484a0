"""Domain rules of incidents: classification, priority, assignment, transitions.

Pure functions over pack data; no web or database imports."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from escalade.core.transitions import Transitions

from .choices import Severity, Status

MANUAL_RULE = "manual"


@dataclass(frozen=True)
class Facts:
    """What classification looks at."""

    symptom: str
    symptom_group: str
    level: int
    resolved_on_first_call: bool = False
    during_live_session: bool = False
    channel: str = ""  # phone, e-mail, web...: "the first call" is a phone call


@dataclass(frozen=True)
class Classification:
    severity: str
    rule: str
    reason: dict[str, str]  # {'en': ..., 'fr': ...}


def _matches(condition: dict, facts: Facts) -> bool:
    for key, expected in (condition or {}).items():
        if key == "symptom_group":
            wanted = expected if isinstance(expected, list) else [expected]
            if facts.symptom_group not in wanted:
                return False
        elif key == "symptom_in":
            if facts.symptom not in expected:
                return False
        elif key == "level_at_least":
            if facts.level < int(expected):
                return False
        elif key == "level_at_most":
            if facts.level > int(expected):
                return False
        elif key == "resolved_on_first_call":
            if facts.resolved_on_first_call != bool(expected):
                return False
        elif key == "channel_in":
            if facts.channel not in expected:
                return False
        elif key == "during_live_session":
            if facts.during_live_session != bool(expected):
                return False
        else:
            raise ValueError(f"unknown condition '{key}'")
    return True


CONDITIONS = {
    "symptom_group",
    "symptom_in",
    "level_at_least",
    "level_at_most",
    "resolved_on_first_call",
    "during_live_session",
    "channel_in",
}


def classify(facts: Facts, rules: list[dict], symptom_label: dict | None = None) -> Classification:
    """The first rule whose conditions all hold decides; its reason is filled in."""
    label = symptom_label or {}
    for rule in rules:
        if _matches(rule.get("if") or {}, facts):
            values = {
                "symptom": facts.symptom,
                "level": facts.level,
            }
            reason = {
                lang: text.format(**values, symptom_label=label.get(lang, facts.symptom))
                for lang, text in (rule.get("reason") or {}).items()
            }
            return Classification(rule["severity"], rule["code"], reason)
    raise ValueError("no classification rule matched: the pack needs a final catch-all rule")


def priority(impact: str, urgency: str, matrix: dict[str, dict[str, int]]) -> int:
    """ITIL priority 1 (critical) to 5 (planning) from impact x urgency."""
    return int(matrix[impact][urgency])


def first_rating(
    given: str | None, symptom: str, during_live_session: bool, default: str, *, urgent: bool
) -> str:
    """The impact (or urgency, `urgent=True`) a new call starts with: what the agent chose,
    else high urgency for trouble during a live session (a patient is waiting), else the
    symptom's own rating from the pack, else the policy's default."""
    if given:
        return given
    if urgent and during_live_session:
        return "high"
    return symptom or default


def roles_to_assign(severity: str, assignment: dict[str, list[str]]) -> list[str]:
    return list(assignment.get(severity, []))


# The transition table: which status may follow which, and through which action.
TRANSITIONS = Transitions(
    {
        "start": {Status.NEW: Status.IN_PROGRESS},
        "resolve": {Status.NEW: Status.RESOLVED, Status.IN_PROGRESS: Status.RESOLVED},
        "close": {Status.RESOLVED: Status.CLOSED},
        "reopen": {Status.RESOLVED: Status.IN_PROGRESS, Status.CLOSED: Status.IN_PROGRESS},
        # merged into the one kept: closed at once, whatever it was
        "merge": {
            Status.NEW: Status.CLOSED,
            Status.IN_PROGRESS: Status.CLOSED,
            Status.RESOLVED: Status.CLOSED,
        },
    }
)


def next_status(action: str, current: str) -> str | None:
    """The status `action` leads to from `current`, or None when not allowed."""
    return TRANSITIONS.target(action, current)


def can_escalate(status: str, level: int, to_level: int, partner: str | None) -> bool:
    if status not in Status.open_values():
        return False
    if to_level > level:
        return to_level <= 3
    # At level 2 or 3 an escalation to the same level records an external partner's
    # reference (seed 002's provincial ticket at level 2, seed 000's partners at level 3).
    return to_level == level >= 2 and bool(partner)


def escalation_targets(level: int) -> list[tuple[int, bool]]:
    """The levels an incident at `level` can be sent to: each higher level, then its own
    level from 2 (with a partner's reference: True), as can_escalate() accepts them."""
    targets = [(n, False) for n in range(level + 1, 4)]
    if level >= 2:
        targets.append((level, True))
    return targets


def needs_resolution_text(severity: str) -> bool:
    return severity == Severity.MAJOR


# -- calls about a known incident in progress --------------------------------------

# how well a call matches a major incident in progress: the call form lists the best first
MATCH_RANK = {"both": 3, "site": 2, "symptom": 1, "outage": 0}


def fold(text: str) -> str:
    """Lower case, accents and punctuation off: « Hôpital Glen - 3e » ~ "hopital glen 3e"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join("".join(c if c.isalnum() else " " for c in plain).split())


def same_site(a: str, b: str) -> bool:
    """Two sites as agents type them: the same once folded, or one holding the other
    ("Glen" and "CUSM Glen, 3e étage")."""
    a, b = fold(a), fold(b)
    if not a or not b:
        return False
    return a == b or f" {a} " in f" {b} " or f" {b} " in f" {a} "


def known_match(
    *, site: str, symptom: str, outage: bool, call_site: str, call_symptom: str
) -> str | None:
    """Whether a call (its site and symptom so far) is about a major incident in
    progress (its site, symptom and whether it is an outage): "both", "site",
    "symptom", "outage" (an outage in progress is shown to every call), or None."""
    by_site = same_site(site, call_site)
    by_symptom = bool(call_symptom) and symptom == call_symptom
    if by_site and by_symptom:
        return "both"
    if by_site:
        return "site"
    if by_symptom:
        return "symptom"
    return "outage" if outage else None
