"""The codes of the runbooks' and outages' API errors (beside core.errors.Code)."""

from enum import StrEnum


class OutageError(StrEnum):
    UNKNOWN_RUNBOOK = "unknown_runbook"
    OPEN_WORK = "open_work"  # return steps or reconciliations left: the outage stays open
