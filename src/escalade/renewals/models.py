"""SSL certificates to renew (seed 002: reminders 90, 60 and 30 days before they expire)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from escalade.core.models import Institution


class Certificate(models.Model):
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
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["not_after"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "fingerprint"], name="cert_once")
        ]

    def __str__(self) -> str:
        return f"{self.subject} ({self.not_after:%Y-%m-%d})"


class Reminder(models.Model):
    """A reminder sent: unique per certificate and key ('90', '60', '30', 'expired:DATE'),
    so that it goes out exactly once, whatever the number of workers or restarts."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="reminders")
    key = models.CharField(max_length=24)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["certificate", "key"], name="reminder_once")]

    def __str__(self) -> str:
        return f"{self.certificate_id} {self.key}"
