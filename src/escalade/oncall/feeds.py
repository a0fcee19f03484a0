"""A person's own shifts as an iCalendar feed (RFC 5545), to subscribe to from a phone's
or a desktop's calendar: their turns in every team of their institutions and the
overrides that give them a night, for the weeks ahead. Calendar clients send no
headers: the address carries the person's secret feed key (the one of their notices
feed; renewing it on the notices page ends both)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from escalade.accounts.services import language_of
from escalade.notices import selectors as notices

from . import selectors

WEEKS_AHEAD = 12
DAYS_BEHIND = 7  # last week's shifts stay visible (a calendar keeps what it was sent)


def calendar_of(user, now: dt.datetime) -> Calendar:
    """The person's shifts from a week ago to twelve weeks ahead."""
    spans = selectors.shifts_of(
        user, now - dt.timedelta(days=DAYS_BEHIND), now + dt.timedelta(weeks=WEEKS_AHEAD)
    )
    cal = Calendar()
    cal.add("prodid", "-//Escalade//On-call shifts//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", _("My on-call shifts"))
    for span in spans:
        team = span["team"]
        zone = team.institution.zone
        event = Event()
        start = span["starts"].astimezone(dt.UTC)
        event.add("uid", f"shift-{team.pk}-{start:%Y%m%dT%H%M%SZ}-{span['username']}@escalade")
        event.add("dtstamp", now)
        event.add("dtstart", span["starts"].astimezone(zone))
        event.add("dtend", span["ends"].astimezone(zone))
        summary = _("On call: %(team)s") % {"team": team.label}
        if span["override"]:
            summary += " " + _("(swap)")
        event.add("summary", summary)
        event.add("description", f"{team.institution.label}\n{settings.ESCALADE_BASE_URL}/oncall/")
        event.add("url", f"{settings.ESCALADE_BASE_URL}/oncall/")
        event.add("categories", ["on-call"])
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal


def shifts_ics(request, key: str):
    """GET /feeds/<key>/shifts.ics: the owner's shifts, in their language."""
    user = notices.feed_owner(key)
    if user is None:
        raise Http404
    with translation.override(language_of(user)):
        body = calendar_of(user, timezone.now()).to_ical()
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")
