"""Types of the JSON API's input schemas, stricter than pydantic's defaults: a boolean is
true or false (not "yes" or 1), a date or an instant is an ISO 8601 text (not 0 taken as
1970), within the years Escalade handles; text carries no NUL character."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Schema
from pydantic import AfterValidator, BeforeValidator, StrictBool
from pydantic_core import PydanticCustomError

FIRST_YEAR, LAST_YEAR = 1900, 2200

__all__ = ["ERRORS", "Day", "ErrorItem", "Errors", "Instant", "StrictBool"]


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
    """A code that must be one of the given values (TextChoices classes or plain strings),
    shown as an `enum` in the OpenAPI schema so that clients and fuzzers know the values.
    The service checks the value, not pydantic, so that a request's every bad field is
    reported at once ("'x' is not valid: use one of ...", beside the other errors)."""
    from pydantic import WithJsonSchema

    values: list[str] = []
    for source in sources:
        for value in getattr(source, "values", None) or [source]:
            if value not in values:
                values.append(value)
    return Annotated[str, WithJsonSchema({"type": "string", "enum": values})]  # type: ignore[return-value]


class ErrorItem(Schema):
    field: str
    message: str


# Every API error: a list of {field, message}, the field empty for the whole request.
class Errors(Schema):
    errors: list[ErrorItem]


# The error answers every operation documents.
ERRORS = {400: Errors, 401: Errors, 403: Errors, 404: Errors, 409: Errors, 422: Errors}


def at_or_now(value: dt.datetime | None) -> dt.datetime:
    """The moment an API question is asked for (`at`), now when not given; a time without
    its zone is refused (which 10:00?)."""
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from .errors import Invalid

    if value is None:
        return timezone.now()
    if value.tzinfo is None:
        raise Invalid(_("Give the time zone of 'at' (e.g. 2026-11-28T10:00:00-05:00)."), field="at")
    return value
