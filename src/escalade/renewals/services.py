"""Certificates (imported from PEM or read live from a TLS endpoint), licences held, and
their reminders."""

from __future__ import annotations

import datetime as dt
import socket
import ssl

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from escalade.accounts.rules import RENEWAL_CHANGE, RENEWAL_PROBE
from escalade.accounts.services import require
from escalade.catalog.models import Licence as LicenceProduct
from escalade.core import audit, packs
from escalade.core.choices import AuditAction
from escalade.core.errors import Code, Conflict, Invalid, not_one_of
from escalade.notifications import services as notify

from . import rules
from .choices import Decision
from .errors import RenewalError
from .models import Certificate, HeldLicence, Reminder


def _parse(pem: bytes) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(pem)
    except ValueError as exc:
        raise Invalid(
            _("This is not a PEM certificate."), field="pem", code=RenewalError.NOT_PEM
        ) from exc


def _name(name: x509.Name) -> str:
    cn = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return cn[0].value if cn else name.rfc4514_string()


def _hosts(cert: x509.Certificate) -> list[str]:
    try:
        ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        return ext.value.get_values_for_type(x509.DNSName)
    except x509.ExtensionNotFound:
        return [_name(cert.subject)]


def add_certificate(
    actor,
    institution,
    pem: bytes,
    source: str = "PEM",
    owner=None,
    process: str = "",
    organisation=None,
):
    """Track a certificate from its PEM text (audited); Conflict (already_tracked) the second
    time."""
    require(actor, RENEWAL_CHANGE, institution.pk)
    cert = _parse(pem)
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = Certificate.objects.create(
                    institution=institution,
                    subject=_name(cert.subject),
                    issuer=_name(cert.issuer),
                    hosts=_hosts(cert),
                    not_after=cert.not_valid_after_utc,
                    fingerprint=cert.fingerprint(hashes.SHA256()).hex(),
                    source=source,
                    owner=owner or actor,
                    renewal_process=process,
                    organisation=organisation,
                )
        except IntegrityError as exc:
            raise Conflict(
                _("This certificate is tracked already."),
                field="pem",
                code=RenewalError.ALREADY_TRACKED,
            ) from exc
        audit.record(
            action=AuditAction.CREATED,
            obj=row,
            actor=actor,
            institution=institution,
            data={"subject": row.subject, "expires": row.not_after},
        )
    return row


def read_endpoint(actor, institution, host: str, port: int = 443, **kwargs):
    """Read the certificate a TLS server presents (not verified: expired ones are the point).
    Only for roles that may probe (checked before any connection), only to addresses the
    rules allow (the address checked is the one connected to), with a short timeout and one
    plain message whatever went wrong."""

    require(actor, RENEWAL_PROBE, institution.pk)
    failed = _("Could not read a certificate from %(host)s:%(port)s.") % {
        "host": host,
        "port": port,
    }
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise Invalid(
            _("Unknown host %(host)s.") % {"host": host},
            field="host",
            code=RenewalError.UNKNOWN_HOST,
        ) from exc
    addresses = [info[4][0] for info in infos]
    if any(rules.probe_refused(a, settings.ESCALADE_PROBE_ALLOW) for a in addresses):
        raise Invalid(
            _("Escalade does not connect to internal addresses (%(host)s).") % {"host": host},
            field="host",
            code=RenewalError.INTERNAL_ADDRESS,
        )
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    der = None
    for address in addresses:
        try:
            with socket.create_connection(
                (address, port), timeout=settings.ESCALADE_PROBE_TIMEOUT
            ) as raw:
                with context.wrap_socket(raw, server_hostname=host) as tls:
                    der = tls.getpeercert(binary_form=True)
            break
        except (OSError, ssl.SSLError, ValueError):
            continue
    if not der:
        raise Invalid(failed, field="host", code=RenewalError.PROBE_FAILED)
    pem = ssl.DER_cert_to_PEM_cert(der)
    return add_certificate(actor, institution, pem.encode(), source=f"{host}:{port}", **kwargs)


def certificate_leads(institution) -> tuple[int, ...]:
    """The pack's reminder leads for certificates (seed 002: 90, 60 and 30 days)."""
    return tuple(packs.setting_of(institution, "renewals").certificate_days)


def licence_lead(licence: HeldLicence) -> int:
    """Days ahead to remind of a licence's end: its catalogue entry's (Zoom: one calendar
    month before its end, seed 003), else the pack's default."""
    entry = licence.catalogue_entry
    if entry is not None and entry.lead_months:
        return (licence.end - rules.months_before(licence.end, entry.lead_months)).days
    if entry is not None and entry.lead_days:
        return entry.lead_days
    return packs.setting_of(licence.institution, "renewals").licence_days


def _licence_values(institution, data: dict, errors: list) -> dict:
    values = {}
    product = (data.get("product") or "").strip()
    if not product:
        errors.append(("product", _("This field is required."), Code.REQUIRED))
    values["product"] = product[:100]
    values["catalogue_entry"] = (
        LicenceProduct.objects.filter(institution=institution, product__iexact=product).first()
        if product
        else None
    )
    holder = (data.get("holder") or "").strip()
    if not holder:
        errors.append(("holder", _("This field is required."), Code.REQUIRED))
    values["holder"] = holder[:200]
    values["holder_email"] = (data.get("holder_email") or "").strip()
    seats = data.get("seats", 1)
    try:
        seats = int(seats)
        if seats < 1:
            raise ValueError
    except (TypeError, ValueError):
        errors.append(("seats", _("At least %(n)s.") % {"n": 1}, Code.OUT_OF_RANGE))
        seats = 1
    values["seats"] = seats
    if data.get("end") is None:
        errors.append(("end", _("This field is required."), Code.REQUIRED))
    values["end"] = data.get("end")
    return values


def add_licence(actor, institution, data: dict, owner=None) -> HeldLicence:
    """Track a held licence (audited); Invalid with every bad field at once."""
    require(actor, RENEWAL_CHANGE, institution.pk)
    errors: list = []
    values = _licence_values(institution, data, errors)
    if errors:
        raise Invalid(errors=errors)
    with transaction.atomic():
        row = HeldLicence.objects.create(institution=institution, owner=owner or actor, **values)
        audit.record(
            action=AuditAction.CREATED,
            obj=row,
            actor=actor,
            institution=institution,
            data={k: v for k, v in values.items() if k != "catalogue_entry"},
        )
    return row


def change_licence(actor, licence: HeldLicence, data: dict) -> HeldLicence:
    """Record the renewal decision (renew / let it end, with a note), or a new term
    (end date, seats, holder) once renewed: a new end date starts reminders afresh."""

    require(actor, RENEWAL_CHANGE, licence.institution_id)
    values = {}
    decision = data.get("decision")
    if decision is not None:
        if wrong := not_one_of("decision", decision, Decision):
            raise Invalid(errors=wrong)
        values.update(
            decision=decision,
            decision_note=(data.get("decision_note") or "").strip(),
            decided_at=timezone.now(),
            decided_by=actor,
        )
    for field in ("end", "seats", "holder", "holder_email"):
        if data.get(field) not in (None, ""):
            values[field] = data[field]
    if "end" in values and values["end"] != licence.end and decision is None:
        values["decision"] = Decision.PENDING  # a new term: its decision comes later
    if "seats" in values:
        try:
            values["seats"] = int(values["seats"])
            assert values["seats"] >= 1
        except (TypeError, ValueError, AssertionError) as exc:
            raise Invalid(
                _("At least %(n)s.") % {"n": 1}, field="seats", code=Code.OUT_OF_RANGE
            ) from exc
    with transaction.atomic():
        changes = audit.diff(licence, **values)
        changes.pop("decided_at", None)
        if not changes:
            return licence
        licence.save()
        audit.record(
            action=AuditAction.DECIDED if decision else AuditAction.TERM_CHANGED,
            obj=licence,
            actor=actor,
            institution=licence.institution,
            changes=changes,
        )
    return licence


SUBJECT = gettext_lazy("Certificate %(subject)s expires on %(date)s")
EXPIRED = gettext_lazy("Certificate %(subject)s expired on %(date)s: renew it")


LICENCE_SUBJECT = gettext_lazy(
    "Licence %(product)s (%(holder)s, %(seats)s seats) ends on %(date)s: decide on its renewal"
)
LICENCE_ENDED = gettext_lazy("Licence %(product)s (%(holder)s) ended on %(date)s")


def _managers(institution):
    return list(
        get_user_model().objects.filter(
            groups__name="manager", memberships__institution=institution, is_active=True
        )
    )


def _remind_once(
    *, target: dict, key: str, users, kind: str, params: dict, template, link: str, extra_to=()
) -> bool:
    """Send one reminder unless its (target, key) row exists: the row and the messages
    are written in one transaction, so a reminder is sent exactly once."""

    with transaction.atomic():
        try:
            with transaction.atomic():
                Reminder.objects.create(key=key, **target)
        except IntegrityError:
            return False  # sent already
        notify.to_users(users, kind=kind, params=params, link=link)
        to = [u.email for u in users if u.email] + [e for e in extra_to if e]
        if to:
            notify.send_mail(sorted(set(to)), str(template) % params, str(template) % params)
    return True


def send_reminders(today: dt.date) -> int:
    """The daily job: each due reminder once, in-app and by e-mail to the owner; after
    expiry, every day to the owner and the institution's managers. Certificates at the
    pack's leads (90/60/30); licences at their lead (Zoom: 30 days), unless the decision
    is to let them end."""
    sent = 0
    for cert in Certificate.objects.select_related("owner", "institution"):
        key = rules.due_reminder(cert.not_after.date(), today, certificate_leads(cert.institution))
        if key is None:
            continue
        expired = key.startswith("expired")
        users = [cert.owner] if cert.owner else []
        if expired:
            users += _managers(cert.institution)
        sent += _remind_once(
            target={"certificate": cert},
            key=key,
            users=users,
            kind="certificate_expired" if expired else "certificate_expires",
            params={"subject": cert.subject, "date": cert.not_after.date().isoformat()},
            template=EXPIRED if expired else SUBJECT,
            link="/renewals/",
        )
    licences = HeldLicence.objects.exclude(decision=Decision.LET_EXPIRE).select_related(
        "owner", "institution", "catalogue_entry"
    )
    for lic in licences:
        key = rules.due_reminder(lic.end, today, (licence_lead(lic),))
        if key is None:
            continue
        expired = key.startswith("expired")
        users = [lic.owner] if lic.owner else []
        if expired:
            users += _managers(lic.institution)
        sent += _remind_once(
            target={"licence": lic},
            key=f"{lic.end.isoformat()}:{key}",
            users=users,
            kind="licence_ended" if expired else "licence_ends",
            params={
                "product": lic.product,
                "holder": lic.holder,
                "seats": lic.seats,
                "date": lic.end.isoformat(),
            },
            template=LICENCE_ENDED if expired else LICENCE_SUBJECT,
            link="/renewals/",
            extra_to=[lic.holder_email] if not expired else [],
        )
    return sent
