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
