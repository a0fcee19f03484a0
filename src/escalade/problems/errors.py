"""The codes of the problems' API errors (beside core.errors.Code)."""

from enum import StrEnum


class ProblemError(StrEnum):
    ALREADY_LINKED = "already_linked"
    NOT_LINKED = "not_linked"
    MERGE_INVALID = "merge_invalid"  # merging a problem into itself or another institution's
    MEASURES_OPEN = "measures_open"  # closing with corrective measures not done
    NOT_QUIET = "not_quiet"  # closing while incidents were linked recently
    UNKNOWN_MEASURE = "unknown_measure"
