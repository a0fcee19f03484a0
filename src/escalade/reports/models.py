"""Major-incident reports (seed 000, important point 4 and step 11)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MajorReport(models.Model):
    """The report every major incident needs before it closes: what happened, why, how
    it was solved, and its organisational and clinical repercussions."""

    incident = models.OneToOneField(
        "incidents.Incident", on_delete=models.PROTECT, related_name="major_report"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cause = models.TextField(_("cause"), blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    organisational_repercussions = models.TextField(_("organisational repercussions"), blank=True)
    clinical_repercussions = models.TextField(_("clinical repercussions"), blank=True)
    sessions_cancelled = models.PositiveIntegerField(_("sessions cancelled"), default=0)
    patients_affected = models.PositiveIntegerField(_("patients affected"), default=0)
    care_delayed = models.TextField(_("care delayed"), blank=True)
    distribution = models.JSONField(
        _("distribution"),
        default=list,
        blank=True,
        help_text="e-mail addresses: colleagues, event coordinators, clinical coordinator",
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    REQUIRED = ("cause", "resolution", "organisational_repercussions", "clinical_repercussions")

    class Meta:
        verbose_name = _("major-incident report")
        verbose_name_plural = _("major-incident reports")

    def __str__(self) -> str:
        return f"report {self.incident_id}"

    @property
    def resolution_text(self) -> str:
        """The report's resolution, else the incident's own (written when it was resolved)."""
        return self.resolution.strip() or self.incident.resolution.strip()

    def missing(self) -> list[str]:
        """The required parts of the report not written yet (empty when complete)."""
        missing = [
            f
            for f in self.REQUIRED
            if not (self.resolution_text if f == "resolution" else getattr(self, f).strip())
        ]
        if not self.distribution:
            missing.append("distribution")
        return missing

    def missing_labels(self) -> list[str]:
        """The missing parts as the report page names them, in the user's language."""
        return [str(self._meta.get_field(f).verbose_name) for f in self.missing()]


class IncidentDeclaration(models.Model):
    """The incident declaration (AH-223) prepared for a patient-safety event, prefilled from
    the incident for the person who files it."""

    incident = models.OneToOneField(
        "incidents.Incident", on_delete=models.PROTECT, related_name="declaration"
    )
    form = models.CharField(_("form"), max_length=20)
    keyword = models.CharField(_("keyword"), max_length=60)
    level = models.CharField(max_length=10)
    event_at = models.DateTimeField(_("when it happened"))
    site = models.CharField(_("site"), max_length=200)
    description = models.TextField(_("description"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    filed_at = models.DateTimeField(null=True, blank=True)
    external_number = models.CharField(
        _("number given by the declaration system"), max_length=60, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("incident declaration")
        verbose_name_plural = _("incident declarations")

    def __str__(self) -> str:
        return f"{self.form} {self.incident_id}"


class PeriodReport(models.Model):
    """The statistics of one fiscal period sent to the supervisor: once (unique), resendable."""

    institution = models.ForeignKey("core.Institution", on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=10)
    recipients = models.JSONField(default=list)
    sent_at = models.DateTimeField(default=timezone.now)
    resent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["institution", "period"], name="period_report_once")
        ]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.period}"
