"""Names every part of the package shares."""

from __future__ import annotations

import datetime as dt

from django.utils import formats
from django.utils.translation import gettext as _

TEXT_FIELDS = ("title", "body", "impact", "user_action")


def when(value: dt.datetime | None, zone) -> str:
    """A date and time for people, in `zone`, in the active language."""
    if value is None:
        return _("until further notice")
    local = value.astimezone(zone)
    return f"{formats.date_format(local, 'l j F Y')} {local:%H:%M} ({local.tzname()})"
