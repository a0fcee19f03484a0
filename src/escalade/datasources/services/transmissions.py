"""The transmissions' monitoring: heartbeats from the interface engine, silence and
rejections checked, unmapped codes reminded weekly."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from escalade.accounts import rules as perms
from escalade.accounts.services import require
from escalade.core.errors import Code, Invalid
from escalade.core.i18n import colon, in_language, pick
from escalade.notifications import services as notify

from .. import rules
from ..models import (
    DataSource,
    Mapping,
)
from .organisation_incidents import _incident_on, _tell_specialists
from .terminology import mapping_contacts

log = logging.getLogger("escalade.datasources")


# -- transmissions --------------------------------------------------------------------------------


HEARTBEAT_CLOCK_SKEW_MINUTES = 5  # how far ahead of ours an engine's clock may be


def heartbeat(actor, datasource: DataSource, at: dt.datetime, messages: int, rejected: int):
    """What the interface engine reports of a source's transmission: its time and its
    counts. A rejection rate over the source's threshold opens an incident and tells
    its interface specialists, once per episode; a good transmission ends the episode
    (of silence or of rejections)."""
    require(actor, perms.HEARTBEAT, datasource)
    errors = []
    if messages < 0 or rejected < 0:
        errors.append(("messages", _("Counts are zero or more."), Code.OUT_OF_RANGE))
    if rejected > messages:
        errors.append(("rejected", _("More rejected than sent."), Code.OUT_OF_RANGE))
    # a clock may drift a little; a date in the future would hide the "source silent" alarm
    if at > timezone.now() + dt.timedelta(minutes=HEARTBEAT_CLOCK_SKEW_MINUTES):
        errors.append(
            (
                "at",
                _("This transmission is dated in the future: check the engine's clock."),
                Code.OUT_OF_RANGE,
            )
        )
    if errors:
        raise Invalid(errors=errors)
    rate = rules.rejection_rate(messages, rejected)
    with transaction.atomic():
        source = (
            DataSource.objects.select_for_update()
            .select_related("organisation__institution")
            .get(pk=datasource.pk)
        )
        if source.last_transmission_at is None or at >= source.last_transmission_at:
            source.last_transmission_at = at
            source.last_messages, source.last_rejected = messages, rejected
        if rejected:
            source.last_error_at = at
        fields = ["last_transmission_at", "last_messages", "last_rejected", "last_error_at"]
        if rate > source.rejection_threshold:
            if source.trouble != "rejections":
                what = (
                    gettext_lazy("%(rate).1f%% of the messages rejected (threshold %(limit)s%%)"),
                    {"rate": rate, "limit": f"{source.rejection_threshold:g}"},
                )
                source.trouble = "rejections"
                source.trouble_incident = _trouble_incident(source, "rejections", what)
                fields += ["trouble", "trouble_incident"]
        elif source.trouble:
            source.trouble, source.trouble_incident = "", None  # the episode is over
            fields += ["trouble", "trouble_incident"]
        source.save(update_fields=fields)
    return source


def _trouble_incident(source: DataSource, kind: str, what: tuple):
    """The incident of an episode, in the product's language (it is stored); the
    specialists are told in theirs. `what`: (message, params)."""
    with translation.override(settings.LANGUAGE_CODE):
        text = str(what[0]) % what[1]
        incident = _incident_on(
            source.organisation,
            kind,
            lambda: f"{pick(source.label)}{colon()} {str(what[0]) % what[1]}"[:200],
            _("Data source %(source)s (%(system)s): %(what)s.")
            % {"source": pick(source.label), "system": source.system, "what": text},
        )
    _tell_specialists(source, incident, what)
    return incident


def check_silence(now: dt.datetime | None = None) -> list[str]:
    """Open one incident per source silent longer than its limit (the scheduled check);
    several workers running it at once open one: the row's episode is claimed by a
    conditional update first. Returns the sources that went silent."""
    now = now or timezone.now()
    opened = []
    for source in DataSource.objects.filter(active=True, trouble="").exclude(
        last_transmission_at=None
    ):
        if not rules.silent(source.last_transmission_at, now, source.silence_minutes):
            continue
        with transaction.atomic():
            claimed = DataSource.objects.filter(pk=source.pk, trouble="").update(trouble="silence")
            if not claimed:
                continue  # another worker took this episode
            source.refresh_from_db()
            minutes = int((now - source.last_transmission_at).total_seconds() // 60)
            what = (
                gettext_lazy("no transmission for %(minutes)s minutes (limit %(limit)s)"),
                {"minutes": minutes, "limit": source.silence_minutes},
            )
            incident = _trouble_incident(source, "silence", what)
            DataSource.objects.filter(pk=source.pk).update(trouble_incident=incident)
        opened.append(source.code)
    return opened


def remind_unmapped(today: dt.date | None = None) -> dict[str, int]:
    """The weekly job: each source's designated persons and interface specialists get its
    unmapped codes with their age; codes unmapped longer than the source's limit open
    an incident on the organisation (one while it is open)."""
    today = today or timezone.localdate()
    out = {}
    for source in DataSource.objects.filter(active=True).select_related(
        "organisation__institution", "overdue_incident"
    ):
        unmapped = list(Mapping.objects.filter(datasource=source, target="").order_by("first_seen"))
        if not unmapped:
            continue
        out[source.code] = len(unmapped)
        lines = "\n".join(
            f"- {m.local_code} {m.local_display} ({(today - m.first_seen).days} d)"
            for m in unmapped
        )
        for contact in mapping_contacts(source.organisation):
            with in_language(contact.language):
                notify.send_mail(
                    [contact.email],
                    _("%(source)s: %(n)s local codes to map")
                    % {"source": pick(source.label), "n": len(unmapped)},
                    _(
                        "Hello,\n\nThese local codes of %(source)s have no provincial code yet "
                        "(their age in days). Documents that use them may not display in the "
                        "clinical viewer: a risk for patients.\n\n%(lines)s\n\n%(link)s"
                    )
                    % {
                        "source": pick(source.label),
                        "lines": lines,
                        "link": f"{settings.ESCALADE_BASE_URL}/datasources/{source.code}/",
                    },
                )
        overdue = [m for m in unmapped if (today - m.first_seen).days > source.unmapped_days]
        current = source.overdue_incident
        if overdue and (current is None or not current.is_open):
            with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
                incident = _incident_on(
                    source.organisation,
                    "unmapped",
                    lambda source=source, overdue=overdue: (
                        _("%(source)s: %(n)s codes unmapped for more than %(days)s days")
                        % {
                            "source": pick(source.label),
                            "n": len(overdue),
                            "days": source.unmapped_days,
                        }
                    ),
                    _("Unmapped local codes (a risk for patients):\n%(codes)s")
                    % {"codes": "\n".join(f"- {m.local_code} {m.local_display}" for m in overdue)},
                )
                DataSource.objects.filter(pk=source.pk).update(overdue_incident=incident)
    return out
