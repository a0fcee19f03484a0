"""Every write on incidents. Views, the API, commands and tasks call these; each function
is one transaction that also writes its audit events. A package: common (input, guards,
pack data), classification, assignment, effects (ticket, technical sheet, webhooks),
intake, lifecycle (the moves); every name is importable from here as before."""

from escalade.accounts.services import require  # the one guard, as it was importable here

from .common import IncidentInput, parse_phone, policy_of, route_snapshot, symptoms_of
from .guides import save_guide
from .intake import log_incident
from .lifecycle import (
    add_note,
    choose_symptom,
    close,
    escalate,
    flag_patient_safety,
    reclassify,
    reopen,
    reprioritize,
    requester_replied,
    resolve,
    set_due,
    start,
)
from .links import (
    attach,
    called_back,
    detach,
    legal_hold,
    merge,
    release_legal_hold,
    to_call_back,
)

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
