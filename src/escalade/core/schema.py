"""Types of the JSON API's input schemas, stricter than pydantic's defaults: a boolean is
true or false (not "yes" or 1), a date or an instant is an ISO 8601 text (not 0 taken as
1970), within the years Escalade handles; text carries no NUL character."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, StrictBool
from pydantic_core import PydanticCustomError

FIRST_YEAR, LAST_YEAR = 1900, 2200

__all__ = ["Day", "Instant", "StrictBool"]


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
