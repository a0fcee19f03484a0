"""The codes of the reports' and statistics' API errors (beside core.errors.Code)."""

from enum import StrEnum


class ReportError(StrEnum):
    NOT_MAJOR = "not_major"  # only a major incident has a major-incident report
    INVALID_EMAIL = "invalid_email"
    UNKNOWN_PERIOD = "unknown_period"
    PERIOD_REQUIRED = "period_required"  # a period, or from and to dates
