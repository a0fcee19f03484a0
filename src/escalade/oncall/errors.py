"""The on-call app's own error codes (beside the kernel's, core.errors.Code)."""

import enum


class OncallError(enum.StrEnum):
    UNKNOWN_TEAM = "unknown_team"  # no active team of that code in the institution
