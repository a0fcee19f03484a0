"""Read queries and views of the catalogue: providers, channels open now, search."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from escalade.accounts.services import institutions_of, resolve_institution
from escalade.core import hours
from escalade.core.errors import NotFound
from escalade.core.i18n import pick
from escalade.core.text import normalize, words

from . import rules
from .choices import ChannelKind, Phase
from .models import Channel, Contact, Licence, Organisation, Provider
from .services import confirm_months

_DAY_LABELS = {
    "mon-fri": lambda: _("Monday to Friday"),
    "sat-sun": lambda: _("Saturday and Sunday"),
    "mon-sun": lambda: _("every day"),
}


def describe_schedule(data: dict | None) -> str:
    """'Monday to Friday 07:00-17:00; closed on holidays' in the active language."""
    if not data:
        return ""
    parts = []
    for days, intervals in (data.get("weekly") or {}).items():
        label = _DAY_LABELS.get(days, lambda d=days: d)()
        parts.append(f"{label} {', '.join(i.replace('-', '–') for i in intervals)}")
    holidays = data.get("holidays", "closed")
    if holidays in (None, "closed"):
        parts.append(_("closed on public holidays"))
    else:
        parts.append(_("holidays %(hours)s") % {"hours": ", ".join(holidays).replace("-", "–")})
    return "; ".join(parts)


def channel_view(channel: Channel, at: dt.datetime, institution) -> dict:
    """A channel as pages and the API show it, with its state at `at`."""
    schedule = hours.Schedule.from_data(channel.schedule)
    zone, calendar = institution.zone, institution.calendar
    nxt = hours.next_open(schedule, at, zone, calendar)
    return {
        "ref": channel.ref,
        "kind": channel.kind,
        "kind_label": ChannelKind(channel.kind).label,
        "label": pick(channel.label),
        "value": pick(channel.value) if isinstance(channel.value, dict) else channel.value,
        "extension": channel.extension,
        "path": pick(channel.path),
        "urgent_only": channel.urgent_only,
        "hours": describe_schedule(channel.schedule),
        "open_now": hours.is_open(schedule, at, zone, calendar),
        "next_open": nxt,
    }


def providers(institution):
    """The institution's active providers, with their channels."""
    return list(
        Provider.objects.filter(institution=institution, active=True).prefetch_related("channels")
    )


def get_provider(institution, code: str) -> Provider:
    """The institution's active provider of this code, or NotFound naming the valid codes."""
    provider = Provider.objects.filter(institution=institution, code=code, active=True).first()
    if provider is None:
        valid = ", ".join(
            Provider.objects.filter(institution=institution, active=True).values_list(
                "code", flat=True
            )
        )
        raise NotFound(
            _("Unknown provider '%(code)s': use one of %(valid)s.")
            % {"code": code, "valid": valid},
            field="code",
        )
    return provider


def provider_view(provider: Provider, at: dt.datetime, institution) -> dict:
    """One provider as the API and pages show it: texts in the reader's language and each channel
    open at `at` or not, with its next opening."""
    return {
        "code": provider.code,
        "name": pick(provider.name),
        "summary": pick(provider.summary),
        "phases": [{"code": p, "label": str(Phase(p).label)} for p in provider.phases],
        "offers": [pick(x) for x in provider.offers],
        "exclusions": [pick(x) for x in provider.exclusions],
        "particularities": [pick(x) for x in provider.particularities],
        "examples": [pick(x) for x in provider.examples],
        "how_to_reach": [pick(x) for x in provider.how_to_reach],
        "response_delays": [pick(x) for x in provider.response_delays],
        "channels": [channel_view(c, at, institution) for c in provider.channels.all() if c.active],
        "licences": [
            {
                "product": lic.product,
                "renewal_owner": pick(lic.renewal_owner),
                "lead_days": lic.lead_days,
                "lead_months": lic.lead_months,
                "note": pick(lic.note),
            }
            for lic in Licence.objects.filter(provider=provider)
        ],
    }


def search(institution, q: str, at: dt.datetime) -> list[dict]:
    """Providers whose name, offers, examples, channels or licences mention
    every word of `q` (accents and case ignored), in either language."""
    terms = words(q or "", limit=None)
    views = []
    for provider in providers(institution):
        # What a provider does, not what it excludes: "Zoom" in the CSI's exclusions
        # ("Zoom Santé: see Audiovisual") must not make the CSI an answer.
        texts = [
            provider.name,
            provider.summary,
            *provider.offers,
            *provider.examples,
            *provider.how_to_reach,
        ]
        texts += [lic.product for lic in provider.licences.all()]
        texts += [c.value for c in provider.channels.all()] + [
            c.path for c in provider.channels.all()
        ]
        blob = normalize(
            " ".join(" ".join(t.values()) if isinstance(t, dict) else str(t) for t in texts if t)
        )
        if all(t in blob for t in terms):
            views.append(provider_view(provider, at, institution))
    return views


# -- organisations and their designated contacts (seed 002) --------------------------


def organisations(institution):
    """The institution's active organisations (seed 002's data sources), with their contacts."""
    return Organisation.objects.filter(institution=institution, active=True).prefetch_related(
        "contacts"
    )


def get_organisation(user, code: str, institution_code: str | None = None):
    """The organisation `code` in the user's institution (NotFound elsewhere)."""

    institution = resolve_institution(user, institution_code)
    org = Organisation.objects.filter(institution=institution, code=code).first()
    if org is None:
        raise NotFound(_("No organisation %(code)s.") % {"code": code}, field="code")
    return org


def get_contact(user, contact_id: int):
    """The contact of this id in one of the user's institutions, or NotFound."""
    contact = (
        Contact.objects.filter(pk=contact_id, organisation__institution__in=institutions_of(user))
        .select_related("organisation__institution")
        .first()
    )
    if contact is None:
        raise NotFound(_("No contact #%(id)s.") % {"id": contact_id})
    return contact


def contact_view(contact, now=None) -> dict:
    """One contact as the API shows it, with whether its details are stale (not confirmed
    for the institution's confirmation period)."""
    now = now or timezone.now()
    months = confirm_months(contact.organisation.institution)
    return {
        "id": contact.pk,
        "organisation": contact.organisation.code,
        "role": contact.role,
        "role_label": contact.get_role_display(),
        "name": contact.name,
        "email": contact.email,
        "phone": contact.phone,
        "extension": contact.extension,
        "language": contact.language,
        "active": contact.active,
        "confirmed_at": contact.confirmed_at,
        "stale_since": rules.stale_since(contact.confirmed_at, months),
        "stale": rules.is_stale(contact.confirmed_at, now, months),
    }


def organisation_view(org, now=None) -> dict:
    """One organisation as the API shows it, with its contacts."""
    contacts = [contact_view(c, now) for c in org.contacts.all() if c.active]
    return {
        "code": org.code,
        "name": pick(org.name),
        "kind": org.kind,
        "kind_label": org.get_kind_display(),
        "contacts": contacts,
        "stale_contacts": sum(c["stale"] for c in contacts),
    }
