"""Who may do what: the permission matrix of the roles (pure data, no web imports).

Permissions are Django permissions of the `incidents` app; `ensure_roles()` gives
each role's group exactly these, so `user.has_perm()` answers everywhere."""

from .choices import Role

LOG = "add_incident"
VIEW_ALL = "view_incident"
NOTE = "add_note"
ESCALATE = "escalate_incident"
RECLASSIFY = "reclassify_incident"
REPRIORITIZE = "reprioritize_incident"
RESOLVE = "resolve_incident"
CLOSE = "close_incident"
REOPEN = "reopen_incident"
REQUESTER_HISTORY = "view_requester_history"

STAFF_BASE = {LOG, VIEW_ALL, NOTE}

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.LEVEL1_AGENT: STAFF_BASE | {ESCALATE, RESOLVE, CLOSE, REOPEN, REQUESTER_HISTORY},
    Role.LEVEL2_ANALYST: STAFF_BASE
    | {ESCALATE, RESOLVE, CLOSE, REOPEN, RECLASSIFY, REPRIORITIZE, REQUESTER_HISTORY},
    Role.LEVEL3_COORDINATOR: STAFF_BASE
    | {ESCALATE, RESOLVE, CLOSE, REOPEN, REPRIORITIZE, REQUESTER_HISTORY},
    Role.TELEHEALTH_TECHNICIAN: STAFF_BASE | {ESCALATE, RESOLVE, REQUESTER_HISTORY},
    Role.CHIEF_TELEHEALTH_TECHNICIAN: STAFF_BASE
    | {ESCALATE, RESOLVE, CLOSE, REOPEN, RECLASSIFY, REPRIORITIZE, REQUESTER_HISTORY},
    Role.IT_TECHNICIAN: STAFF_BASE
    | {ESCALATE, RESOLVE, CLOSE, RECLASSIFY, REPRIORITIZE, REQUESTER_HISTORY},
    Role.EVENT_COORDINATOR: STAFF_BASE | {REQUESTER_HISTORY},
    Role.CLINICAL_COORDINATOR: {LOG, VIEW_ALL, NOTE},
    Role.MANAGER: {VIEW_ALL, NOTE, RECLASSIFY, REPRIORITIZE, CLOSE, REOPEN, REQUESTER_HISTORY},
    # A requester logs requests and follows their own; nothing else.
    Role.REQUESTER: {LOG},
}
