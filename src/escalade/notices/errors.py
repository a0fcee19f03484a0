"""The codes of the notices' API errors (beside core.errors.Code)."""

from enum import StrEnum


class NoticeError(StrEnum):
    SHORT_NOTICE = "short_notice"  # a planned interruption announced too late
    OUTSIDE_WINDOW = "outside_window"  # outside the maintenance windows, not confirmed
    UNKNOWN_ORGANISATION = "unknown_organisation"
