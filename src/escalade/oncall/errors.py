"""The on-call app's own error codes (beside the kernel's, core.errors.Code)."""

import enum


class OncallError(enum.StrEnum):
    NO_CLOCK_RULES = "no_clock_rules"
