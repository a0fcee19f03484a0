"""The codes of the action items' API errors (beside core.errors.Code)."""

from enum import StrEnum


class ActionError(StrEnum):
    OWNER_NOT_MEMBER = "owner_not_member"  # the owner does not work for the institution
    UNKNOWN_ACTION = "unknown_action"
