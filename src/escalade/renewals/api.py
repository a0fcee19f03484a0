"""Certificates and licences to renew (seeds 002 and 003)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from escalade.accounts import rules as perms
from escalade.accounts.services import resolve_institution
from escalade.catalog.models import Organisation
from escalade.core.errors import Invalid
from escalade.core.pagination import PageQuery, page_of, paginate
from escalade.core.schema import Day, errors_for, one_of
from escalade.renewals.choices import Decision

from . import selectors, services
from .errors import RenewalError

router = Router(tags=["renewals"])
ERRORS = errors_for("Renewals", RenewalError)


class CertificateOut(Schema):
    id: int
    subject: str
    issuer: str
    hosts: list[str]
    expires: dt.datetime
    days_left: int
    fingerprint: str
    source: str
    owner: str | None
    organisation: str | None
    renewal_process: str
    reminders: list[str]


class CertificateIn(Schema):
    institution: str | None = None
    pem: str = Field(description="the certificate, PEM")
    owner: str | None = Field(None, description="username (default: you)")
    renewal_process: str = ""
    organisation: str | None = Field(None, description="organisation code")


class ProbeIn(Schema):
    institution: str | None = None
    host: str
    port: int = Field(443, ge=1, le=65535)
    owner: str | None = None
    renewal_process: str = ""
    organisation: str | None = None


class HeldLicenceOut(Schema):
    id: int
    product: str
    holder: str
    holder_email: str
    seats: int
    end: dt.date
    days_left: int
    lead_days: int
    renewed_by: str
    owner: str | None
    decision: one_of(Decision)
    decision_label: str
    decision_note: str
    decided_at: dt.datetime | None
    reminders: list[str]


class LicenceIn(Schema):
    institution: str | None = None
    product: str = Field(
        min_length=1, max_length=100, description="e.g. Zoom Santé, Reacts, Microsoft 365"
    )
    holder: str = Field(min_length=1, max_length=200)
    holder_email: str = ""
    seats: int = Field(1, ge=1)
    end: Day
    owner: str | None = None


class LicencePatch(Schema):
    decision: one_of(Decision) | None = Field(None, description="pending, renew or let_expire")
    decision_note: str | None = None
    end: Day | None = Field(None, description="the new end date once renewed")
    seats: int | None = Field(None, ge=1)
    holder: str | None = None
    holder_email: str | None = None


class InstitutionQuery(Schema):
    institution: str | None = None


def _owner(institution, username: str | None, field: str = "owner"):
    if not username:
        return None
    user = (
        get_user_model()
        .objects.filter(username=username, memberships__institution=institution)
        .first()
    )
    if user is None:
        raise Invalid(
            _("No user %(name)s here.") % {"name": username},
            field=field,
            code=RenewalError.UNKNOWN_USER,
        )
    return user


def _organisation(institution, code: str | None):
    if not code:
        return None
    org = Organisation.objects.filter(institution=institution, code=code).first()
    if org is None:
        raise Invalid(
            _("Unknown organisations: %(codes)s.") % {"codes": code},
            field="organisation",
            code=RenewalError.UNKNOWN_ORGANISATION,
        )
    return org


@router.get(
    "/certificates", response={200: page_of(CertificateOut), **ERRORS}, summary="Certificates"
)
def list_certificates(request, q: Query[InstitutionQuery], page: Query[PageQuery]):
    institution = resolve_institution(request.auth, q.institution, need=perms.VIEW_ALL)
    rows = selectors.certificates(institution).prefetch_related("reminders")
    return paginate(
        rows, page, order=("not_after", "id"), serialize=lambda c: selectors.certificate_view(c)
    )


@router.post(
    "/certificates", response={201: CertificateOut, **ERRORS}, summary="Track a certificate (PEM)"
)
def add_certificate(request, payload: CertificateIn):
    institution = resolve_institution(request.auth, payload.institution)
    cert = services.add_certificate(
        request.auth,
        institution,
        payload.pem.encode(),
        owner=_owner(institution, payload.owner),
        process=payload.renewal_process,
        organisation=_organisation(institution, payload.organisation),
    )
    return Status(201, selectors.certificate_view(cert))


@router.post(
    "/certificates/probe",
    response={201: CertificateOut, **ERRORS},
    summary="Read the certificate a TLS server presents, and track it",
)
def probe_certificate(request, payload: ProbeIn):
    institution = resolve_institution(request.auth, payload.institution)
    cert = services.read_endpoint(
        request.auth,
        institution,
        payload.host,
        payload.port,
        owner=_owner(institution, payload.owner),
        process=payload.renewal_process,
        organisation=_organisation(institution, payload.organisation),
    )
    return Status(201, selectors.certificate_view(cert))


@router.get("/licences", response={200: page_of(HeldLicenceOut), **ERRORS}, summary="Licences held")
def list_licences(request, q: Query[InstitutionQuery], page: Query[PageQuery]):
    institution = resolve_institution(request.auth, q.institution, need=perms.VIEW_ALL)
    rows = selectors.licences(institution).prefetch_related("reminders")
    return paginate(rows, page, order=("end", "id"), serialize=lambda x: selectors.licence_view(x))


@router.post("/licences", response={201: HeldLicenceOut, **ERRORS}, summary="Track a licence")
def add_licence(request, payload: LicenceIn):
    institution = resolve_institution(request.auth, payload.institution)
    row = services.add_licence(
        request.auth,
        institution,
        payload.dict(exclude={"institution", "owner"}),
        owner=_owner(institution, payload.owner),
    )
    return Status(201, selectors.licence_view(row))


@router.patch(
    "/licences/{int:licence_id}",
    response={200: HeldLicenceOut, **ERRORS},
    summary="Record the renewal decision or the new term",
)
def patch_licence(request, licence_id: int, payload: LicencePatch):
    row = selectors.get_licence(request.auth, licence_id)
    row = services.change_licence(request.auth, row, payload.dict(exclude_unset=True))
    return selectors.licence_view(row)
