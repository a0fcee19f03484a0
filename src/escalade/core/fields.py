"""Form fields every app's pages share (core/web.py: their views' helpers)."""

from django import forms
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext


def _zone_hint() -> str:
    # the zone active for the request: the institution picked in the header (accounts'
    # middleware), so that a person working for Montréal and Pau knows which time it is
    return gettext("In the institution's time (%(zone)s).") % {
        "zone": timezone.get_current_timezone_name()
    }


zone_hint = lazy(_zone_hint, str)


class LocalDateTimeField(forms.DateTimeField):
    """A date and time in the browser's own picker (`datetime-local`), read in the
    institution's zone and shown back in it after an error (the picker takes only
    2026-12-08T20:00); its help says which zone, unless it has a help of its own."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget",
            forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        )
        kwargs.setdefault("help_text", zone_hint())
        super().__init__(**kwargs)
