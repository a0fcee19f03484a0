"""The codes of the catalogue's API errors (beside core.errors.Code)."""

from enum import StrEnum


class CatalogError(StrEnum):
    INVALID_PHONE = "invalid_phone"
    INVALID_EMAIL = "invalid_email"
    NO_WAY_TO_REACH = "no_way_to_reach"  # a contact needs an e-mail address or a phone
