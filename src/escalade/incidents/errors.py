"""The codes of the incidents' API errors (beside core.errors.Code): what a client can
act on without reading the message."""

from enum import StrEnum


class IncidentError(StrEnum):
    NO_RULES = "no_incident_rules"  # the institution's pack has no incident rules
    UNKNOWN_SYMPTOM = "unknown_symptom"
    INVALID_PHONE = "invalid_phone"
    NO_REQUESTER_EMAIL = "no_requester_email"  # a note for the requester, who has no address
    NO_MAILBOX = "no_mailbox"  # nothing can send the requester an e-mail
    LEVEL_NOT_ALLOWED = "level_not_allowed"  # an escalation to a level it cannot go to
    # kept for API clients: a partner's reference at level 1 (recorded from level 2)
    PARTNER_AT_LEVEL_3 = "partner_at_level_3"
    REPORT_INCOMPLETE = "report_incomplete"  # a major incident's report is not complete
    NOT_A_PARENT = "not_a_parent"  # attached to what is not a major incident in progress
    MERGE_INVALID = "merge_invalid"  # merged into itself or into one merged already
