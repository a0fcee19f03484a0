"""The codes of the data sources' errors (beside core.errors.Code)."""

from enum import StrEnum


class DataSourceError(StrEnum):
    NOT_A_WORKSHEET = "not_a_worksheet"  # the file is not a Codes on the Fly worksheet
    UNKNOWN_CODE = "unknown_provincial_code"  # not a code of the provincial list
    NOT_A_CONCEPTMAP = "not_a_conceptmap"  # FHIR said no
    SEALED = "sealed"  # only the organisation's designated persons open it
    EMPTY_FILE = "empty_file"
    ALREADY_DECIDED = "already_decided"  # a proposed worksheet was approved or rejected
