"""The codes of the telehealth sessions' API errors (beside core.errors.Code)."""

from enum import StrEnum


class SessionError(StrEnum):
    INVALID_PHONE = "invalid_phone"
    DUPLICATE_REFERENCE = "duplicate_reference"  # a session with this scheduling ref exists
    MISSING_COLUMNS = "missing_columns"  # an imported file lacks columns
    NO_PROTOCOL = "no_protocol"  # the institution's pack has no troubleshooting protocol
    SESSION_OVER = "session_over"
    PROTOCOL_RUNNING = "protocol_running"  # troubleshooting is already under way
    NO_PROTOCOL_RUNNING = "no_protocol_running"
