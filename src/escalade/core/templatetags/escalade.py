"""Template helpers shared by every page."""

import datetime as dt
import functools
import zoneinfo

from django import template
from django.db import models
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from escalade.core.i18n import colon, pick
from escalade.core.text import display_phone, phone_e164, phone_uri

register = template.Library()

# The context names under which a page carries the object it is about; each has an
# `institution` (the incident, the session, the notice, the outage...).
_ABOUT = (
    "incident",
    "session",
    "notice",
    "outage",
    "runbook",
    "report",
    "declaration",
    "source",
    "problem",
    "mailbox",
)


def _page_institution(context):
    value = context.get("institution")
    if value is not None and hasattr(value, "code"):
        return value
    for name in _ABOUT:
        value = context.get(name)
        found = getattr(value, "institution", None) if value is not None else None
        if found is not None and hasattr(found, "code"):
            return found
    return context.get("header_institution")


@register.simple_tag(takes_context=True)
def page_institution(context):
    """The institution whose data the page shows (its `institution`, the incident's, the
    session's, the notice's...), else the one the user works in now: what the header
    names, and whose time zone the page's times are shown in."""
    return _page_institution(context)


@register.simple_tag(takes_context=True)
def page_zone(context) -> str:
    """The time zone of the page's institution (base.html shows the page in it)."""
    inst = _page_institution(context)
    return getattr(inst, "timezone", "") or timezone.get_current_timezone_name()


def zone_of(where) -> dt.tzinfo | None:
    """An institution's, a zone name's or a tzinfo's zone (None: none said)."""
    if where is None or where == "":
        return None
    if isinstance(where, dt.tzinfo):
        return where
    if isinstance(where, str):
        return zoneinfo.ZoneInfo(where)
    name = getattr(where, "timezone", None)
    if isinstance(name, str) and name:
        return zoneinfo.ZoneInfo(name)
    inst = getattr(where, "institution", None)
    return zone_of(inst) if inst is not None else None


def _same_zone(a: dt.tzinfo, b: dt.tzinfo, at: dt.datetime) -> bool:
    return str(a) == str(b) or at.astimezone(a).utcoffset() == at.astimezone(b).utcoffset()


@register.simple_tag
def local_time(value, where=None, fmt="Y-m-d H:i"):
    """`value` as the people of `where` read it (an institution, or what has one: an
    incident, a channel's zone...), with the zone named when it is not the page's: the
    rule for a row that belongs to another institution than the page (a Pau broadcast on
    a list, a Toronto window seen from Montréal). Wrapped in <time datetime=ISO>."""
    if value in (None, ""):
        return ""
    if not isinstance(value, dt.datetime):
        return date_format(value, fmt)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_default_timezone())
    page = timezone.get_current_timezone()
    zone = zone_of(where)
    if zone is None:
        own = value.tzinfo
        zone = own if isinstance(own, zoneinfo.ZoneInfo) and str(own) != "UTC" else page
    local = value.astimezone(zone)
    text = date_format(local, fmt)
    if not _same_zone(zone, page, value) and not fmt.rstrip().endswith(("T", "e", "O")):
        text = f"{text} {local.tzname()}"
    return format_html('<time datetime="{}">{}</time>', local.isoformat(), text)


@register.simple_tag(takes_context=True)
def page_broadcasts(context, broadcasts):
    """The current broadcasts of the page's institution only: a Pau imaging warning is
    for Pau's pages, not above a Montréal agent's call form."""
    here = _page_institution(context)
    if here is None or not broadcasts:
        return []
    return [b for b in broadcasts if b.get("institution_id") == here.pk]


@register.simple_tag(name="colon")
def colon_tag():
    """A colon as the page's language writes it (core.i18n.colon)."""
    return colon()


def _choices_classes(base=models.Choices):
    for cls in base.__subclasses__():
        yield cls
        yield from _choices_classes(cls)


@functools.cache
def badged_field(model: type[models.Model], name: str):
    """The field `name` of `model` and the choices class it was made from, found by its
    labels (the same objects), when that class says the colour of each value (`tones`)."""
    field = model._meta.get_field(name)
    for cls in _choices_classes():
        if "tones" in vars(cls) and len(cls.choices) == len(field.choices or ()):
            if all(a[1] is b[1] for a, b in zip(cls.choices, field.choices, strict=True)):
                return field, cls
    raise LookupError(f"{model.__name__}.{name} has no choices with tones")


@register.simple_tag
def badge(obj, name: str, element_id: str = ""):
    """The badge of a coded field (`{% badge incident "severity" %}`): its label in the
    page's language, its colour from the choices' `tones`, the field's name as title;
    both defined once, in the app's choices.py."""
    field, choices = badged_field(type(obj), name)
    value = getattr(obj, name)
    label = getattr(obj, f"get_{name}_display")()
    tone = choices.tones().get(value, "status")
    if element_id:
        return format_html(
            '<span class="badge {}" id="{}" title="{}">{}</span>',
            tone,
            element_id,
            capfirst(field.verbose_name),
            label,
        )
    return format_html(
        '<span class="badge {}" title="{}">{}</span>', tone, capfirst(field.verbose_name), label
    )


@register.filter
def duration(seconds) -> str:
    """A length of time as people read it on a clock: '2 h 05 min', '12 min' (a time
    left or a lateness: its absolute value)."""
    try:
        total = abs(int(seconds)) // 60
    except (TypeError, ValueError):
        return ""
    hours, minutes = divmod(total, 60)
    if hours:
        return _("%(h)s h %(m)02d min") % {"h": hours, "m": minutes}
    return _("%(m)s min") % {"m": minutes}


def _field(obj, name: str, default=""):
    return obj.get(name, default) if isinstance(obj, dict) else getattr(obj, name, default)


def _with_extension(text: str, extension: str) -> str:
    return format_html("{} {} {}", text, _("ext."), extension) if extension else text


@register.simple_tag(takes_context=True)
def phone_link(context, value: str, extension: str = "", id: str = ""):  # noqa: A002 (the attribute)
    """A phone to tap (tel:, E.164 and its extension), written as the page's
    institution's country writes it; its text when it is not a number. `id`: the link's."""
    region = getattr(_page_institution(context), "region", None)
    e164, own = phone_e164(value or "", region)
    if not e164:
        return _with_extension(value, extension)
    extension = extension or own
    shown = _with_extension(display_phone(e164, region), extension)
    if id:
        return format_html('<a href="{}" id="{}">{}</a>', phone_uri(e164, extension), id, shown)
    return format_html('<a href="{}">{}</a>', phone_uri(e164, extension), shown)


@register.simple_tag(takes_context=True)
def channel_value(context, channel):
    """A channel's value as people use it: a phone to tap, written as the page's
    institution's country writes it, with its extension; an address to write to; a page
    to open (http and https only); else its text."""
    kind, extension = _field(channel, "kind"), _field(channel, "extension") or ""
    value = _field(channel, "value")
    value = pick(value) if isinstance(value, dict) else str(value or "")
    if kind == "phone":
        return phone_link(context, value, extension)
    if kind == "email" and "@" in value:
        return format_html('<a href="mailto:{}">{}</a>', value, value)
    if value.startswith(("https://", "http://")):
        return format_html('<a href="{}">{}</a>', value, value)
    return _with_extension(value, extension)
