"""Certificates: imported from PEM or read live from a TLS endpoint; reminders."""

from __future__ import annotations

import datetime as dt
import ssl

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from escalade.accounts.services import require
from escalade.core import audit
from escalade.core.choices import AuditAction
from escalade.core.errors import Conflict, Invalid

from . import rules
from .models import Certificate, Reminder


def _parse(pem: bytes) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(pem)
    except ValueError as exc:
        raise Invalid(_("This is not a PEM certificate."), field="pem") from exc


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
    actor, institution, pem: bytes, source: str = "PEM", owner=None, process: str = ""
):
    require(actor, "reclassify_incident", institution.pk)
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
                )
        except IntegrityError as exc:
            raise Conflict(_("This certificate is tracked already."), field="pem") from exc
        audit.record(
            action=AuditAction.CREATED,
            obj=row,
            actor=actor,
            institution=institution,
            data={"subject": row.subject, "expires": row.not_after},
        )
    return row


def read_endpoint(actor, institution, host: str, port: int = 443, **kwargs):
    """Read the certificate a TLS server presents (not verified: expired ones are the point)."""
    try:
        pem = ssl.get_server_certificate((host, port), timeout=10)
    except (OSError, ssl.SSLError) as exc:
        raise Invalid(
            _("Could not read a certificate from %(host)s:%(port)s (%(error)s).")
            % {"host": host, "port": port, "error": exc},
            field="host",
        ) from exc
    return add_certificate(actor, institution, pem.encode(), source=f"{host}:{port}", **kwargs)


SUBJECT = gettext_lazy("Certificate %(subject)s expires on %(date)s")
EXPIRED = gettext_lazy("Certificate %(subject)s expired on %(date)s: renew it")


def send_reminders(today: dt.date) -> int:
    """The daily job: each due reminder once (unique rows), in-app and by e-mail to the owner;
    after expiry, every day to the owner and the institution's managers."""
    from escalade.notifications import services as notify

    sent = 0
    for cert in Certificate.objects.select_related("owner", "institution"):
        key = rules.due_reminder(cert.not_after.date(), today)
        if key is None:
            continue
        with transaction.atomic():
            try:
                with transaction.atomic():
                    Reminder.objects.create(certificate=cert, key=key)
            except IntegrityError:
                continue  # sent already
            params = {"subject": cert.subject, "date": cert.not_after.date().isoformat()}
            users = [cert.owner] if cert.owner else []
            if key.startswith("expired"):
                users += list(
                    get_user_model().objects.filter(
                        groups__name="manager",
                        memberships__institution=cert.institution,
                        is_active=True,
                    )
                )
            kind = "certificate_expired" if key.startswith("expired") else "certificate_expires"
            notify.to_users(users, kind=kind, params=params, link="/admin/renewals/certificate/")
            template = EXPIRED if key.startswith("expired") else SUBJECT
            to = [u.email for u in users if u.email]
            if to:
                notify.send_mail(to, str(template) % params, str(template) % params)
            sent += 1
    return sent
