"""Every write on incidents. Views, the API, commands and tasks call these; each function
is one transaction that also writes its audit events. A package: common (input, guards,
pack data), classification (the rules, and the symptom, severity, priority and
patient-safety changes after intake), assignment, effects (ticket, technical sheet,
webhooks), intake, lifecycle (the moves through the transition table), notes, links
(attached calls, merges, call-backs, legal holds), guides; every name is importable from
here as before."""

from escalade.accounts.services import require  # the one guard, as it was importable here

from .classification import choose_symptom, flag_patient_safety, reclassify, reprioritize
from .common import IncidentInput, parse_phone, policy_of, route_snapshot, symptoms_of
from .guides import save_guide
from .intake import log_incident
from .lifecycle import close, escalate, reopen, resolve, set_due, start
from .links import (
    attach,
    called_back,
    detach,
    legal_hold,
    merge,
    release_legal_hold,
    to_call_back,
)
from .notes import add_note, requester_replied

__all__ = [
    "IncidentInput",
    "add_note",
    "attach",
    "called_back",
    "detach",
    "legal_hold",
    "merge",
    "release_legal_hold",
    "to_call_back",
    "choose_symptom",
    "close",
    "escalate",
    "flag_patient_safety",
    "log_incident",
    "parse_phone",
    "policy_of",
    "reclassify",
    "reopen",
    "reprioritize",
    "save_guide",
    "requester_replied",
    "require",
    "resolve",
    "route_snapshot",
    "set_due",
    "symptoms_of",
    "start",
]
