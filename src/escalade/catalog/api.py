"""The catalogue API: providers, offers, exclusions, channels open now."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema, Status

from escalade.accounts import rules as perms
from escalade.accounts.services import require, resolve_institution
from escalade.core.pagination import PageQuery, page_of, paginate
from escalade.core.schema import Instant, StrictBool, at_or_now, errors_for, one_of

from . import selectors, services
from .choices import ContactRole, OrganisationKind
from .errors import CatalogError
from .schemas import ChannelOut

router = Router(tags=["catalogue"])
ERRORS = errors_for("Catalog", CatalogError)


class PhaseOut(Schema):
    code: str
    label: str


class LicenceOut(Schema):
    product: str
    renewal_owner: str
    lead_days: int | None
    lead_months: int | None = Field(None, description="reminder this many calendar months ahead")
    note: str


class ProviderOut(Schema):
    code: str
    name: str
    summary: str
    phases: list[PhaseOut]
    offers: list[str]
    exclusions: list[str]
    particularities: list[str] = Field(
        default_factory=list, description="conditions of the offer (seed 003: Particularité)"
    )
    examples: list[str]
    how_to_reach: list[str]
    response_delays: list[str]
    channels: list[ChannelOut]
    licences: list[LicenceOut]


class CatalogQuery(Schema):
    institution: str | None = None
    at: Instant | None = Field(None, description="ISO 8601 instant (default now)")
    q: str | None = Field(None, description="words, e.g. 'licences Zoom'")


@router.get("/providers", response={200: page_of(ProviderOut), **ERRORS}, summary="The providers")
def list_providers(request, query: Query[CatalogQuery], page: Query[PageQuery]):
    institution = resolve_institution(request.auth, query.institution)
    at = at_or_now(query.at)
    if query.q:
        return paginate(selectors.search(institution, query.q, at), page)
    return paginate(
        [selectors.provider_view(p, at, institution) for p in selectors.providers(institution)],
        page,
    )


@router.get("/providers/{code}", response={200: ProviderOut, **ERRORS}, summary="One provider")
def get_provider(request, code: str, query: Query[CatalogQuery]):
    institution = resolve_institution(request.auth, query.institution)
    return selectors.provider_view(
        selectors.get_provider(institution, code), at_or_now(query.at), institution
    )


# -- organisations and designated contacts (seed 002) ----------------------------------


class ContactOut(Schema):
    id: int
    organisation: str
    role: one_of(ContactRole)
    role_label: str
    name: str
    email: str
    phone: str
    extension: str
    language: one_of("fr", "en")
    active: bool
    confirmed_at: dt.datetime
    stale_since: dt.datetime
    stale: bool = Field(description="not confirmed for the pack's period: ask the organisation")


class OrganisationOut(Schema):
    code: str
    name: str
    kind: one_of(OrganisationKind)
    kind_label: str
    contacts: list[ContactOut]
    stale_contacts: int


class ContactIn(Schema):
    role: one_of(ContactRole) = Field(
        description="service_desk, interface_specialist, registration_lead, phi_designate"
    )
    name: str
    email: str = ""
    phone: str = ""
    extension: str = ""
    language: one_of("fr", "en") = Field(
        "fr", description="the language of the notices it receives"
    )


class ContactPatch(Schema):
    role: one_of(ContactRole) | None = None
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    extension: str | None = None
    language: one_of("fr", "en") | None = None
    active: StrictBool | None = None


class InstitutionQuery(Schema):
    institution: str | None = None


@router.get(
    "/organisations", response={200: page_of(OrganisationOut), **ERRORS}, summary="Organisations"
)
def list_organisations(request, q: Query[InstitutionQuery], page: Query[PageQuery]):
    institution = resolve_institution(request.auth, q.institution, need=perms.VIEW_ALL)
    return paginate(
        [selectors.organisation_view(o) for o in selectors.organisations(institution)], page
    )


@router.get(
    "/organisations/{code}/contacts",
    response={200: page_of(ContactOut), **ERRORS},
    summary="An organisation's designated contacts",
)
def list_contacts(request, code: str, q: Query[InstitutionQuery], page: Query[PageQuery]):
    require(request.auth, perms.VIEW_ALL, None)  # names, e-mails and phones of people
    org = selectors.get_organisation(request.auth, code, q.institution)
    return paginate(
        org.contacts.filter(active=True),
        page,
        order=("role", "name", "id"),
        serialize=selectors.contact_view,
    )


@router.post(
    "/organisations/{code}/contacts",
    response={201: ContactOut, **ERRORS},
    summary="Add a designated contact",
)
def add_contact(request, code: str, payload: ContactIn, q: Query[InstitutionQuery]):
    org = selectors.get_organisation(request.auth, code, q.institution)
    contact = services.add_contact(request.auth, org, payload.dict())
    return Status(201, selectors.contact_view(contact))


@router.patch(
    "/contacts/{int:contact_id}",
    response={200: ContactOut, **ERRORS},
    summary="Change a contact (saving confirms it)",
)
def patch_contact(request, contact_id: int, payload: ContactPatch):
    contact = selectors.get_contact(request.auth, contact_id)
    return selectors.contact_view(
        services.update_contact(request.auth, contact, payload.dict(exclude_unset=True))
    )


@router.post(
    "/contacts/{int:contact_id}/confirm",
    response={200: ContactOut, **ERRORS},
    summary="Confirm a contact is still right",
)
def confirm_contact(request, contact_id: int):
    contact = selectors.get_contact(request.auth, contact_id)
    return selectors.contact_view(services.confirm_contact(request.auth, contact))
