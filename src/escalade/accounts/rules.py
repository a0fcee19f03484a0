"""Who may do what: the permission matrix of the roles (pure data, no web imports).

Permissions are Django permissions of the `incidents` and `telesessions` apps; `ensure_roles()` gives
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
CLASSIFY = "classify_incident"  # choose the symptom of an e-mail no word of the pack named
# telehealth sessions
SESSION_ADD = "add_telesession"
SESSION_VIEW = "view_telesession"
TROUBLESHOOT = "troubleshoot_telesession"
SESSION_CANCEL = "cancel_telesession"
VIEW_PATIENT = "view_patient"  # personal health information of scheduled patients
SESSION_STAFF = {SESSION_VIEW, TROUBLESHOOT}
# problems (seed 001, important point 3: the IT technician analyses recurring incidents)
PROBLEM_VIEW = "view_problem"
PROBLEM_CHANGE = "change_problem"
PROBLEM_LINK = "add_problemlink"
PROBLEM_STAFF = {PROBLEM_VIEW, PROBLEM_LINK}
PROBLEM_OWNERS = PROBLEM_STAFF | {PROBLEM_CHANGE}

# seed 002: organisations' contacts, service notices, interruptions, renewals
CONTACT_CHANGE = "change_contact"
NOTICE_PUBLISH = "add_notice"
INTERRUPTION_ADD = "add_interruption"
INTERRUPTION_ACK = "change_interruption"
RENEWAL_CHANGE = "change_certificate"
# Connecting to a server from inside the hospital's network: the IT technicians and the
# level-2 analysts who keep the renewals, no one else.
RENEWAL_PROBE = "probe_certificate"
# seed 002: data sources, terminology, the sealed conformance reports (whose content
# only the organisation's designated persons open, whatever their role: datasources)
DATASOURCE_VIEW = "view_datasource"
REPORT_RECEIVE = "add_conformancereport"
MAP_CODES = "map_codes"
HEARTBEAT = "report_transmission"
DESK = {CONTACT_CHANGE, INTERRUPTION_ADD, INTERRUPTION_ACK, DATASOURCE_VIEW, REPORT_RECEIVE}
DESK_LEADS = DESK | {NOTICE_PUBLISH, RENEWAL_CHANGE, MAP_CODES}
# seed 004: runbooks and outages; the degraded-mode registry is keyed in at any
# workstation, and reconciled by the referents (who see the identities they merge)
RUNBOOK_VIEW = "view_runbook"
OUTAGE_RUN = "run_outage"
REGISTRY_ADD = "add_registryentry"
RECONCILE = "reconcile_entry"
OUTAGE_CREW = {RUNBOOK_VIEW, OUTAGE_RUN, REGISTRY_ADD}
# E-mail in: the mailboxes' state, fetching now, taking a rejected message again
MAILBOX_RUN = "change_mailbox"

# On call (issue 27): who is on call is for every staff role; a team's lead (the chief
# telehealth technician, the manager) swaps a turn
ONCALL_VIEW = "view_team"
ONCALL_CHANGE = "add_override"

# Action items (after a major incident's report, a problem's corrective measures): every
# staff role sees and completes its own; the leads add them and complete anyone's
ACTION_CHANGE = "change_actionitem"
# Level 1's diagnostic guides: the centre's technicians keep them (the pack gives the first)
GUIDE_CHANGE = "change_diagnosticguide"
GUIDE_KEEPERS = {GUIDE_CHANGE}
# A legal hold on an incident or a session keeps its personal information past its
# retention period: a manager sets and ends it, with the reason
LEGAL_HOLD = "add_legalhold"

STAFF_BASE = {LOG, VIEW_ALL, NOTE, RUNBOOK_VIEW, REGISTRY_ADD, ONCALL_VIEW}

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.LEVEL1_AGENT: STAFF_BASE
    | {OUTAGE_RUN}
    | {ESCALATE, CLASSIFY, RESOLVE, CLOSE, REOPEN, REQUESTER_HISTORY}
    | SESSION_STAFF
    | {SESSION_ADD}
    | PROBLEM_STAFF
    | DESK,
    Role.LEVEL2_ANALYST: STAFF_BASE
    | {OUTAGE_RUN, RECONCILE, MAILBOX_RUN}
    | {ESCALATE, CLASSIFY, RESOLVE, CLOSE, REOPEN, RECLASSIFY, REPRIORITIZE, REQUESTER_HISTORY}
    | SESSION_STAFF
    | PROBLEM_OWNERS
    | DESK_LEADS
    | {RENEWAL_PROBE, HEARTBEAT, ACTION_CHANGE}
    | GUIDE_KEEPERS,
    Role.LEVEL3_COORDINATOR: STAFF_BASE
    | {OUTAGE_RUN, ACTION_CHANGE}
    | {ESCALATE, CLASSIFY, RESOLVE, CLOSE, REOPEN, REPRIORITIZE, REQUESTER_HISTORY}
    | SESSION_STAFF
    | DESK_LEADS,
    Role.TELEHEALTH_TECHNICIAN: STAFF_BASE
    | {ESCALATE, CLASSIFY, RESOLVE, REQUESTER_HISTORY}
    | SESSION_STAFF
    | {SESSION_CANCEL}
    | PROBLEM_STAFF
    | {INTERRUPTION_ADD}
    | GUIDE_KEEPERS,
    Role.CHIEF_TELEHEALTH_TECHNICIAN: STAFF_BASE
    | {OUTAGE_RUN}
    | {ESCALATE, CLASSIFY, RESOLVE, CLOSE, REOPEN, RECLASSIFY, REPRIORITIZE, REQUESTER_HISTORY}
    | SESSION_STAFF
    | {SESSION_CANCEL, ONCALL_CHANGE, ACTION_CHANGE}
    | GUIDE_KEEPERS
    | PROBLEM_OWNERS
    | (DESK_LEADS - {CONTACT_CHANGE}),
    Role.IT_TECHNICIAN: STAFF_BASE
    | {OUTAGE_RUN, RECONCILE, MAILBOX_RUN}
    | {ESCALATE, CLASSIFY, RESOLVE, CLOSE, RECLASSIFY, REPRIORITIZE, REQUESTER_HISTORY}
    | SESSION_STAFF
    | PROBLEM_OWNERS
    | DESK_LEADS
    | {RENEWAL_PROBE, HEARTBEAT, ACTION_CHANGE}
    | GUIDE_KEEPERS,
    Role.EVENT_COORDINATOR: STAFF_BASE
    | {REQUESTER_HISTORY, SESSION_ADD, VIEW_PATIENT}
    | SESSION_STAFF
    | {INTERRUPTION_ADD},
    Role.CLINICAL_COORDINATOR: {
        LOG,
        VIEW_ALL,
        NOTE,
        SESSION_ADD,
        SESSION_VIEW,
        SESSION_CANCEL,
        VIEW_PATIENT,
    }
    | {INTERRUPTION_ADD, RUNBOOK_VIEW, REGISTRY_ADD, ONCALL_VIEW},
    Role.MANAGER: {VIEW_ALL, NOTE, CLASSIFY, RECLASSIFY, REPRIORITIZE, CLOSE, REOPEN}
    | {ONCALL_VIEW, ONCALL_CHANGE, ACTION_CHANGE, LEGAL_HOLD}
    | GUIDE_KEEPERS
    | {REQUESTER_HISTORY, MAILBOX_RUN}
    | OUTAGE_CREW
    | {SESSION_VIEW, SESSION_CANCEL, VIEW_PATIENT}
    | PROBLEM_OWNERS
    | (DESK_LEADS - {INTERRUPTION_ADD}),
    # A requester logs requests and follows their own; nothing else.
    Role.REQUESTER: {LOG},
}


def sign_in_delay(failures: int, free: int, most: int) -> int:
    """Seconds an account's next sign-in waits after its last failure: none for the first
    `free` failures, then 1, 2, 4... seconds, never more than `most` (slows a guesser who
    changes addresses, never locks the owner out for longer than `most`)."""
    if failures < free:
        return 0
    return min(2 ** (failures - free), most)


# -- roles and institutions from the directory's groups (accounts/directory.py) ---------

# The roles that see personal health information: a group grants one only where the
# mapping says so explicitly (phi: true).
PHI_ROLES = frozenset(role for role, perms in ROLE_PERMISSIONS.items() if VIEW_PATIENT in perms)


def grants(rules_by_institution: dict[str, list], groups) -> dict[str, set[str]]:
    """{institution code: roles} that the directory's `groups` (names, DNs or a token's
    claim values; compared without case) give through each institution's rules (each
    with .group, .role and .phi). A role that sees personal health information is given
    only by a rule that says phi: true."""
    names = {str(g).casefold() for g in groups}
    found: dict[str, set[str]] = {}
    for code, rules in rules_by_institution.items():
        for rule in rules:
            if rule.group.casefold() not in names:
                continue
            if rule.role in PHI_ROLES and not rule.phi:
                continue
            found.setdefault(code, set()).add(rule.role)
    return found
