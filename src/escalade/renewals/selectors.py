"""Read queries of renewals, shared by the page and the API."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from escalade.accounts.services import institutions_of
from escalade.core.errors import NotFound
from escalade.core.i18n import pick

from .models import Certificate, HeldLicence
from .services import licence_lead


def certificates(institution):
    """The institution's tracked certificates, the soonest to expire first."""
    return Certificate.objects.filter(institution=institution).select_related(
        "owner", "organisation"
    )


def licences(institution):
    """The institution's held licences, the soonest to end first."""
    return HeldLicence.objects.filter(institution=institution).select_related(
        "owner", "catalogue_entry", "decided_by"
    )


def get_licence(user, licence_id: int) -> HeldLicence:
    """The licence of this id in one of the user's institutions, or NotFound."""
    row = licences_of(user).filter(pk=licence_id).first()
    if row is None:
        raise NotFound(_("No licence #%(id)s.") % {"id": licence_id})
    return row


def licences_of(user):
    """The licences of every institution the user belongs to."""
    return HeldLicence.objects.filter(institution__in=institutions_of(user)).select_related(
        "institution", "owner", "catalogue_entry"
    )


def certificate_view(cert: Certificate, today=None) -> dict:
    """One certificate as the API shows it, with the days left."""
    today = today or timezone.localdate()
    return {
        "id": cert.pk,
        "subject": cert.subject,
        "issuer": cert.issuer,
        "hosts": cert.hosts,
        "expires": cert.not_after,
        "days_left": (cert.not_after.date() - today).days,
        "fingerprint": cert.fingerprint,
        "source": cert.source,
        "owner": cert.owner.username if cert.owner else None,
        "organisation": cert.organisation.code if cert.organisation else None,
        "renewal_process": cert.renewal_process,
        "reminders": [r.key for r in cert.reminders.all()],
    }


def licence_view(lic: HeldLicence, today=None) -> dict:
    """One licence as the API shows it, with the days left and the decision."""
    today = today or timezone.localdate()
    entry = lic.catalogue_entry
    return {
        "id": lic.pk,
        "product": lic.product,
        "holder": lic.holder,
        "holder_email": lic.holder_email,
        "seats": lic.seats,
        "end": lic.end,
        "days_left": (lic.end - today).days,
        "lead_days": licence_lead(lic),
        "renewed_by": pick(entry.renewal_owner) if entry else "",
        "owner": lic.owner.username if lic.owner else None,
        "decision": lic.decision,
        "decision_label": lic.get_decision_display(),
        "decision_note": lic.decision_note,
        "decided_at": lic.decided_at,
        "reminders": [r.key for r in lic.reminders.all()],
    }
