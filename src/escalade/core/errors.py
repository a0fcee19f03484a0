"""Domain errors raised by services; the API turns them into JSON, pages into messages.

Each carries the field it is about (or "" for the whole request), a code a client can
act on (`Code` below, or the app's own enum of codes: `<app>/errors.py`), and a
translatable message for people. The API answers {"errors": [{"field", "code",
"message"}]}; each app's codes are an enum in the OpenAPI schema (core.schema.errors_for).
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext as _


class Code(StrEnum):
    """The codes any part of the API may answer, whatever the app."""

    REQUIRED = "required"  # a value is missing or empty
    INVALID = "invalid"  # a value in the wrong form (a phone number, a date)
    NOT_ONE_OF = "not_one_of"  # a coded value outside its list
    UNKNOWN_FIELD = "unknown_field"
    TOO_LONG = "too_long"
    OUT_OF_RANGE = "out_of_range"
    END_BEFORE_START = "end_before_start"
    NO_TIME_ZONE = "no_time_zone"  # a time without its zone (which 10:00?)
    OTHER_INSTITUTION = "other_institution"  # a linked record of another institution
    NUL = "nul"  # a NUL character, which PostgreSQL cannot store
    JSON_INVALID = "json_invalid"
    MEDIA_TYPE = "media_type"
    TOO_LARGE = "too_large"
    URL_TOO_LONG = "url_too_long"
    BAD_REQUEST = "bad_request"
    UNAUTHENTICATED = "unauthenticated"
    IDLE = "idle"  # signed out after inactivity
    FORBIDDEN = "forbidden"  # the user's roles do not allow it
    NOT_A_MEMBER = "not_a_member"  # the user does not belong to that institution
    NO_ROLE = "no_role"  # the directory's groups give the person no role here
    DIRECTORY_DOWN = "directory_down"  # the hospital's directory did not answer
    BAD_CODE = "bad_code"  # a second-factor code that is not the current one
    BAD_PASSKEY = "bad_passkey"  # a passkey's answer refused (another account's, replayed)
    NO_INSTITUTION = "no_institution"  # the account belongs to no institution
    WHICH_INSTITUTION = "which_institution"  # several institutions: say which one
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    POSSIBLE_DUPLICATE = "possible_duplicate"  # the same thing entered twice? confirm
    ALREADY_RUNNING = "already_running"  # a procedure activated while it is in progress
    NOT_ALLOWED_NOW = "not_allowed_now"  # the state does not allow this move
    UNCHANGED = "unchanged"  # asked to change something to what it is
    IDEMPOTENCY = "idempotency"
    UNAVAILABLE = "unavailable"  # the database cannot be reached: retry
    SERVER_ERROR = "server_error"


class DomainError(Exception):
    status = 400
    code: StrEnum = Code.BAD_REQUEST

    def __init__(self, message, field: str = "", code: StrEnum | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field
        if code is not None:
            self.code = code

    def as_errors(self) -> list[dict]:
        return [{"field": self.field, "code": str(self.code), "message": str(self.message)}]


class Invalid(DomainError):
    """Bad input. Can carry several errors, reported together: (field, message) pairs,
    or (field, message, code) where the code says more than "invalid"."""

    status = 422
    code = Code.INVALID

    def __init__(
        self,
        message="",
        field: str = "",
        errors: list[tuple] | None = None,
        code: StrEnum | None = None,
    ):
        self.errors = list(errors or [(field, message, code or Code.INVALID)])
        super().__init__(self.errors[0][1], self.errors[0][0], code)

    def as_errors(self) -> list[dict]:
        return [
            {
                "field": error[0],
                "code": str(error[2] if len(error) > 2 and error[2] else Code.INVALID),
                "message": str(error[1]),
            }
            for error in self.errors
        ]


class Forbidden(DomainError):
    status = 403
    code = Code.FORBIDDEN


class NotFound(DomainError):
    status = 404
    code = Code.NOT_FOUND


class Conflict(DomainError):
    status = 409
    code = Code.CONFLICT


def required(field: str, message) -> tuple[str, object, Code]:
    """The error for a missing or empty value, to put in an Invalid's list."""
    return (field, message, Code.REQUIRED)


def missing(**values) -> list[tuple[str, object, Code]]:
    """The `required` error of each empty value given as field=value, in that order."""
    return [required(field, _("This field is required.")) for field, v in values.items() if not v]


def not_one_of(field: str, value, valid) -> list[tuple[str, str, Code]]:
    """[] when `value` is one of `valid` (values, or a TextChoices class), else the one
    error every service reports for a coded input: "'x' is not valid: use one of a, b"."""

    values = list(getattr(valid, "values", valid))
    if value in values:
        return []
    return [
        (
            field,
            _("'%(value)s' is not valid: use one of %(valid)s.")
            % {"value": value, "valid": ", ".join(str(v) for v in values)},
            Code.NOT_ONE_OF,
        )
    ]
