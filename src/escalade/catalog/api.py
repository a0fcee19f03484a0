"""The catalogue API: providers, offers, exclusions, channels open now."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from escalade.accounts.services import resolve_institution
from escalade.core.errors import Invalid
from escalade.incidents.api import ERRORS

from . import selectors

router = Router(tags=["catalogue"])


class ChannelOut(Schema):
    kind: str
    label: str
    value: str
    extension: str
    path: str
    hours: str
    open_now: bool
    next_open: dt.datetime | None
    urgent_only: bool


class PhaseOut(Schema):
    code: str
    label: str


class LicenceOut(Schema):
    product: str
    renewal_owner: str
    lead_days: int | None
    note: str


class ProviderOut(Schema):
    code: str
    name: str
    summary: str
    phases: list[PhaseOut]
    offers: list[str]
    exclusions: list[str]
    examples: list[str]
    how_to_reach: list[str]
    response_delays: list[str]
    channels: list[ChannelOut]
    licences: list[LicenceOut]


class CatalogQuery(Schema):
    institution: str | None = None
    at: dt.datetime | None = Field(None, description="ISO 8601 instant (default now)")
    q: str | None = Field(None, description="words, e.g. 'licences Zoom'")


def instant(value: dt.datetime | None) -> dt.datetime:
    if value is None:
        return timezone.now()
    if value.tzinfo is None:
        raise Invalid(_("Give the time zone of 'at' (e.g. 2026-11-28T10:00:00-05:00)."), field="at")
    return value


@router.get("/providers", response={200: list[ProviderOut], **ERRORS}, summary="The providers")
def list_providers(request, query: Query[CatalogQuery]):
    institution = resolve_institution(request.auth, query.institution)
    at = instant(query.at)
    if query.q:
        return selectors.search(institution, query.q, at)
    return [selectors.provider_view(p, at, institution) for p in selectors.providers(institution)]


@router.get("/providers/{code}", response={200: ProviderOut, **ERRORS}, summary="One provider")
def get_provider(request, code: str, query: Query[CatalogQuery]):
    institution = resolve_institution(request.auth, query.institution)
    return selectors.provider_view(
        selectors.get_provider(institution, code), instant(query.at), institution
    )
