"""SSL certificates (seed 002: reminders 90, 60 and 30 days before they expire) and
licences held (seed 003: Zoom prepared at least a month before its end) to renew."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from escalade.catalog.models import Licence as LicenceProduct
from escalade.catalog.models import Organisation
from escalade.core.models import Institution

from .choices import Decision


class Certificate(models.Model):
    """A TLS certificate whose expiry is tracked (pasted, uploaded or read from a host)."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(_("subject"), max_length=300)
    issuer = models.CharField(_("issuer"), max_length=300)
    hosts = models.JSONField(_("hosts"), default=list)
    not_after = models.DateTimeField(_("expires"))
    fingerprint = models.CharField(max_length=64)
    source = models.CharField(
        _("read from"), max_length=200, blank=True, help_text="a host:port, or 'PEM'"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    renewal_process = models.TextField(_("renewal process"), blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="certificates",
        verbose_name=_("organisation"),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["not_after"]
        permissions = [("probe_certificate", "Can read a certificate from a TLS server")]
        constraints = [
            models.UniqueConstraint(fields=["institution", "fingerprint"], name="cert_once")
        ]

    def __str__(self) -> str:
        return f"{self.subject} ({self.not_after:%Y-%m-%d})"


class HeldLicence(models.Model):
    """A licence held for a term: product, holder, seats, end date, who renews it (the
    catalogue's licence entry, seed 003) and the renewal decision."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    product = models.CharField(_("product"), max_length=100)
    catalogue_entry = models.ForeignKey(
        LicenceProduct,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="held",
        verbose_name=_("catalogue entry"),
    )
    holder = models.CharField(_("holder"), max_length=200)
    holder_email = models.EmailField(_("holder's e-mail"), blank=True)
    seats = models.PositiveIntegerField(_("seats"), default=1)
    end = models.DateField(_("end date"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    decision = models.CharField(
        _("renewal decision"), max_length=12, choices=Decision.choices, default=Decision.PENDING
    )
    decision_note = models.TextField(_("note on the decision"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("licence held")
        verbose_name_plural = _("licences held")
        ordering = ["end", "product"]

    def __str__(self) -> str:
        return f"{self.product} ({self.holder}, {self.end:%Y-%m-%d})"


class Reminder(models.Model):
    """A reminder sent: unique per certificate (or licence) and key ('90', '60', '30',
    'expired:DATE'; a licence's keys carry its end date), so that it goes out exactly
    once, whatever the number of workers or restarts."""

    certificate = models.ForeignKey(
        Certificate, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    licence = models.ForeignKey(
        HeldLicence, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    key = models.CharField(max_length=40)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["certificate", "key"], name="reminder_once"),
            models.UniqueConstraint(fields=["licence", "key"], name="licence_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.certificate_id or self.licence_id} {self.key}"
