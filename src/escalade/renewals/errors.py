"""The codes of the renewals' API errors (beside core.errors.Code)."""

from enum import StrEnum


class RenewalError(StrEnum):
    NOT_PEM = "not_pem"  # the file is not a PEM certificate
    ALREADY_TRACKED = "already_tracked"
    UNKNOWN_HOST = "unknown_host"
    INTERNAL_ADDRESS = "internal_address"  # Escalade does not probe internal addresses
    PROBE_FAILED = "probe_failed"  # no certificate could be read from the host
    UNKNOWN_USER = "unknown_user"
    UNKNOWN_ORGANISATION = "unknown_organisation"
