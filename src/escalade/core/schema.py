"""Types of the JSON API's input schemas, stricter than pydantic's defaults: a boolean is
true or false (not "yes" or 1), a date or an instant is an ISO 8601 text (not 0 taken as
1970), within the years Escalade handles; text carries no NUL character."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.operation import Operation
from pydantic import AfterValidator, BeforeValidator, StrictBool, WithJsonSchema, create_model
from pydantic_core import PydanticCustomError

from .errors import Code, Invalid

# Django Ninja wraps the schema of each answer in a pydantic model of its own for every
# operation and status (7 error statuses x 120 operations: some 1,000 models, 0.8 s of
# every process start). The wrapper depends on the schema wrapped alone: one per schema.
# Every operation module imports this one, so it is in place before their routes.
_WRAPPERS: dict = {}
_wrap_answer = Operation._create_response_model


def _one_wrapper_per_schema(self, response_param):
    try:
        if response_param not in _WRAPPERS:
            _WRAPPERS[response_param] = _wrap_answer(self, response_param)
        return _WRAPPERS[response_param]
    except TypeError:  # a schema that cannot be a key: its own wrapper
        return _wrap_answer(self, response_param)


Operation._create_response_model = _one_wrapper_per_schema

FIRST_YEAR, LAST_YEAR = 1900, 2200

__all__ = ["ERRORS", "Day", "ErrorItem", "Errors", "Instant", "StrictBool", "errors_for"]


def _iso_text(value):
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise PydanticCustomError("iso_text", "an ISO 8601 date or date and time, as text")
    return value


def _in_range(value):
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise PydanticCustomError(
            "year_range",
            "a year between {first} and {last}",
            {"first": FIRST_YEAR, "last": LAST_YEAR},
        )
    return value


Instant = Annotated[dt.datetime, BeforeValidator(_iso_text), AfterValidator(_in_range)]
Day = Annotated[dt.date, BeforeValidator(_iso_text), AfterValidator(_in_range)]


def one_of(*sources) -> type:
    """A code that must be one of the given values (choices classes, plain strings or
    numbers), in a request or an answer,
    shown as an `enum` in the OpenAPI schema so that clients and fuzzers know the values.
    The service checks the value, not pydantic, so that a request's every bad field is
    reported at once ("'x' is not valid: use one of ...", beside the other errors)."""
    values: list = []
    for source in sources:
        for value in getattr(source, "values", None) or [source]:
            if value not in values:
                values.append(value)
    if all(isinstance(v, int) for v in values):  # levels 1-3, priorities 1-5
        return Annotated[int, WithJsonSchema({"type": "integer", "enum": values})]  # type: ignore[return-value]
    return Annotated[str, WithJsonSchema({"type": "string", "enum": values})]  # type: ignore[return-value]


def _codes(*enums) -> list[str]:
    out: list[str] = []
    for enum in (Code, *enums):
        out += [str(member) for member in enum if str(member) not in out]
    return out


class ErrorItem(Schema):
    field: str = Field(description="the field the error is about, empty for the request")
    code: Annotated[str, WithJsonSchema({"type": "string", "enum": _codes()})] = Field(
        description="what went wrong, for programs (stable)"
    )
    message: str = Field(description="what went wrong, for people (in the user's language)")


# Every API error: a list of {field, code, message}, the field empty for the whole request.
class Errors(Schema):
    errors: list[ErrorItem]


def errors_for(name: str, *enums) -> dict[int, type]:
    """The error answers an app's operations document: {"errors": [{field, code,
    message}]} where `code` is an enum of the common codes and the app's own (its
    errors.py), so that clients and the fuzzer know every code an app may answer."""
    item = create_model(
        f"{name}ErrorItem",
        __base__=ErrorItem,
        code=(
            Annotated[str, WithJsonSchema({"type": "string", "enum": _codes(*enums)})],
            Field(description="what went wrong, for programs (stable)"),
        ),
    )
    errors = create_model(f"{name}Errors", __base__=Errors, errors=(list[item], ...))
    # 414: an address longer than the server takes (a cursor far too long), any operation
    return {status: errors for status in (400, 401, 403, 404, 409, 414, 422)}


# The error answers of an operation whose app has no codes of its own.
ERRORS = {status: Errors for status in (400, 401, 403, 404, 409, 414, 422)}


def at_or_now(value: dt.datetime | None) -> dt.datetime:
    """The moment an API question is asked for (`at`), now when not given; a time without
    its zone is refused (which 10:00?)."""

    if value is None:
        return timezone.now()
    if value.tzinfo is None:
        raise Invalid(
            _("Give the time zone of 'at' (e.g. 2026-11-28T10:00:00-05:00)."),
            field="at",
            code=Code.NO_TIME_ZONE,
        )
    return value


class LegalHoldOut(Schema):
    """A legal hold as the incidents' and the sessions' APIs answer it (core/retention.py)."""

    reason: str
    set_by: str
    set_at: dt.datetime
    released_at: dt.datetime | None


def legal_hold_out(hold) -> dict:
    return {
        "reason": hold.reason,
        "set_by": hold.set_by.get_username(),
        "set_at": hold.set_at,
        "released_at": hold.released_at,
    }
