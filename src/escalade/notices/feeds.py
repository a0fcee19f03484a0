"""Feeds of the service notices: Atom and iCalendar (RFC 5545, with the maintenance
windows as recurring events and their VTIMEZONE). Public notices need no sign-in; a
personal secret URL gives a user's own notices, as calendar clients send no headers."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils import timezone, translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vRecur

from escalade.accounts.services import institutions_of, language_of
from escalade.core.i18n import current_language, pick
from escalade.core.models import Institution

from .choices import NoticeState
from .models import FeedKey, MaintenanceWindow, Notice
from .selectors import visible_notices
from .services import when


def _scope(request, key: str | None):
    """(notices, institutions) the feed covers."""
    institution = request.GET.get("institution")
    if key is None:
        notices = Notice.objects.filter(public=True)
        institutions = Institution.objects.all()
    else:
        row = FeedKey.objects.filter(key=key).select_related("user").first()
        if row is None or not row.user.is_active:
            raise Http404
        notices = visible_notices(row.user)
        institutions = institutions_of(row.user)
    if institution:
        notices = notices.filter(institution__code=institution)
        institutions = institutions.filter(code=institution)
    notices = notices.select_related("institution").prefetch_related("organisations", "updates")
    return notices.order_by("-updated_at")[:200], institutions


def _language(request, key: str | None) -> str:
    """The feed's language: ?lang=fr|en first (a calendar subscription's address keeps
    it), then the reader's Accept-Language, then for a personal feed its owner's language
    (calendar clients often send no header), else the product's default."""
    asked = request.GET.get("lang", "").lower()
    if asked in ("fr", "fr-ca", "en"):
        return "fr-ca" if asked.startswith("fr") else "en"
    if request.headers.get("Accept-Language"):
        return translation.get_language_from_request(request)
    if key is not None:
        row = FeedKey.objects.filter(key=key).select_related("user").first()
        if row is not None:
            return language_of(row.user)
    return settings.LANGUAGE_CODE


def _localized(view):
    """The feed written in _language(), whatever the session's or cookie's language."""

    def wrapper(request, key: str | None = None):
        lang = _language(request, key)
        with translation.override(lang):
            response = view(request, key)
        response["Vary"] = "Accept-Language"
        response["Content-Language"] = lang
        return response

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _describe(notice: Notice) -> str:
    zone = notice.institution.zone
    parts = [
        f"{notice.get_kind_display()} · {notice.get_state_display()}",
        f"{_('Start')}: {when(notice.start, zone)}",
        f"{_('End')}: {when(notice.end, zone)}",
    ]
    if notice.services:
        parts.append(f"{_('Affected services')}: {', '.join(notice.services)}")
    for label, field in ((_("Impact"), "impact"), (_("What users should do"), "user_action")):
        if pick(getattr(notice, field)):
            parts.append(f"{label}: {pick(getattr(notice, field))}")
    if pick(notice.body):
        parts.append(pick(notice.body))
    for update in notice.updates.all():
        parts.append(f"{_('Update')} ({when(update.created_at, zone)}): {pick(update.body)}")
    if pick(notice.resolution):
        parts.append(f"{_('Resolution')}: {pick(notice.resolution)}")
    return "\n".join(parts)


@_localized
def atom(request, key: str | None = None):
    notices, _institutions = _scope(request, key)
    base = settings.ESCALADE_BASE_URL
    feed = Atom1Feed(
        title=_("Service notices"),
        link=f"{base}/notices/",
        description=_("Planned and unplanned interruptions"),
        language=current_language(),
        feed_url=request.build_absolute_uri(),
    )
    for notice in notices:
        feed.add_item(
            title=f"[{notice.get_kind_display()}] {pick(notice.title)}",
            link=f"{base}/notices/{notice.pk}/",
            description=_describe(notice),
            unique_id=f"{base}/notices/{notice.pk}/",
            pubdate=notice.created_at,
            updateddate=notice.updated_at,
            categories=[notice.kind, notice.state],
        )
    return HttpResponse(
        feed.writeString("utf-8"), content_type="application/atom+xml; charset=utf-8"
    )


def calendar_of(notices, institutions) -> Calendar:
    base = settings.ESCALADE_BASE_URL
    cal = Calendar()
    cal.add("prodid", "-//Escalade//Service notices//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", _("Service notices"))
    now = timezone.now()
    for notice in notices:
        event = Event()
        event.add("uid", f"notice-{notice.pk}@escalade")
        event.add("dtstamp", now)
        event.add("last-modified", notice.updated_at)
        event.add("dtstart", notice.start)
        if notice.end:
            event.add("dtend", notice.end)
        event.add("summary", f"[{notice.get_kind_display()}] {pick(notice.title)}")
        event.add("description", _describe(notice))
        event.add("url", f"{base}/notices/{notice.pk}/")
        event.add("categories", [notice.kind])
        event.add("status", "CANCELLED" if notice.state == NoticeState.CANCELLED else "CONFIRMED")
        cal.add_component(event)
    for window in MaintenanceWindow.objects.filter(institution__in=institutions, active=True):
        spec = window.spec()
        event = Event()
        event.add("uid", f"window-{window.institution_id}-{window.code}@escalade")
        event.add("dtstamp", now)
        first = spec.first()
        event.add("dtstart", first)
        event.add("dtend", (first.replace(tzinfo=None) + spec.duration).replace(tzinfo=spec.zone))
        event.add("rrule", vRecur.from_ical(window.rrule))
        event.add("summary", pick(window.title))
        event.add("categories", ["maintenance"])
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal


@_localized
def ics(request, key: str | None = None):
    notices, institutions = _scope(request, key)
    return HttpResponse(
        calendar_of(notices, institutions).to_ical(), content_type="text/calendar; charset=utf-8"
    )
