"""Data sources of the provincial clinical data repository (seed 002): what each
organisation sends, its local codes mapped to provincial ones, its transmissions, and
the sealed Weekly Conformance Errors reports."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from escalade.catalog.models import Organisation
from escalade.core.i18n import pick
from escalade.core.models import Institution
from escalade.incidents.models import Incident

from .choices import ErrorState, ProposalState, ReportState, Via


class DataSource(models.Model):
    """A system of an organisation that sends data to the repository, with the code
    systems it uses and the limits of its transmissions."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="datasources"
    )
    code = models.SlugField(_("code"), max_length=40)
    label = models.JSONField(_("name"), default=dict)
    system = models.CharField(
        _("system"), max_length=200, help_text="what sends, e.g. the lab's LIS"
    )
    code_systems = models.JSONField(_("code systems"), default=list)
    silence_minutes = models.PositiveIntegerField(_("longest silence (minutes)"), default=120)
    rejection_threshold = models.FloatField(_("rejection rate threshold (%)"), default=5.0)
    unmapped_days = models.PositiveIntegerField(_("longest unmapped (days)"), default=14)
    active = models.BooleanField(_("active"), default=True)
    # Transmissions, as the interface engine reports them
    last_transmission_at = models.DateTimeField(_("last transmission"), null=True, blank=True)
    last_messages = models.PositiveIntegerField(default=0)
    last_rejected = models.PositiveIntegerField(default=0)
    last_error_at = models.DateTimeField(_("last error"), null=True, blank=True)
    # An episode of trouble (silence or rejections) opens one incident, until it ends.
    trouble = models.CharField(max_length=12, blank=True)  # "", "silence", "rejections"
    trouble_incident = models.ForeignKey(
        Incident, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    overdue_incident = models.ForeignKey(
        Incident, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("data source")
        verbose_name_plural = _("data sources")
        ordering = ["organisation__code", "code"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "code"], name="ds_code"),
        ]
        permissions = [
            ("map_codes", "Can map an organisation's local codes"),
            ("report_transmission", "Can report a data source's transmissions"),
        ]

    def __str__(self) -> str:
        return pick(self.label) or self.code


class ProvincialCode(models.Model):
    """A code of the provincial terminology, to map local codes to (from the pack)."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    system = models.CharField(_("code system"), max_length=100)
    code = models.CharField(_("code"), max_length=60)
    display = models.CharField(_("description"), max_length=300)

    class Meta:
        verbose_name = _("provincial code")
        verbose_name_plural = _("provincial codes")
        ordering = ["system", "code"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "system", "code"], name="ds_prov_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.display}"


class Mapping(models.Model):
    """A local code of a data source and the provincial code it maps to (blank: not
    mapped yet, a risk for patients), with who validated it and when."""

    datasource = models.ForeignKey(DataSource, on_delete=models.CASCADE, related_name="mappings")
    system = models.CharField(_("code system"), max_length=100)
    local_code = models.CharField(_("local code"), max_length=60)
    local_display = models.CharField(_("local description"), max_length=300, blank=True)
    target = models.CharField(_("provincial code"), max_length=60, blank=True)
    target_display = models.CharField(_("provincial description"), max_length=300, blank=True)
    validated_by = models.CharField(_("validated by"), max_length=200, blank=True)
    validated_at = models.DateTimeField(_("validated"), null=True, blank=True)
    first_seen = models.DateField(_("first seen"), default=timezone.localdate)
    # Added by the organisation's expert at the bottom of the worksheet (highlighted).
    added_locally = models.BooleanField(_("added by the organisation"), default=False)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("code mapping")
        verbose_name_plural = _("code mappings")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["datasource", "system", "local_code"], name="ds_mapping_once"
            ),
        ]
        indexes = [models.Index(fields=["datasource", "target"], name="ds_mapping_target")]

    def __str__(self) -> str:
        return f"{self.local_code} -> {self.target or '?'}"

    @property
    def mapped(self) -> bool:
        """Whether the local code has its provincial code."""
        return bool(self.target)


class ProposedImport(models.Model):
    """A Codes on the Fly worksheet that arrived by mail: nothing of it changes a mapping
    until a person with the mapping permission has seen what it would change and
    approved it (then the import runs with that person as its actor). A large worksheet
    a person uploads is kept here too, queued for a worker, with its progress."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    datasource = models.ForeignKey(DataSource, on_delete=models.CASCADE, related_name="proposals")
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    via = models.CharField(_("via"), max_length=10, choices=Via.choices, default=Via.EMAIL)
    sender = models.CharField(_("from"), max_length=254, blank=True)
    filename = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size"))
    data = models.BinaryField(editable=False)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    done_rows = models.PositiveIntegerField(_("rows imported"), default=0)  # progress
    state = models.CharField(
        _("state"), max_length=10, choices=ProposalState.choices, default=ProposalState.PROPOSED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    outcome = models.JSONField(default=dict, blank=True)  # the import's counts

    class Meta:
        verbose_name = _("proposed import")
        verbose_name_plural = _("proposed imports")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["datasource", "state", "received_at"], name="ds_proposal_state")
        ]

    def __str__(self) -> str:
        return f"{self.datasource.code}: {self.filename} ({self.state})"


class ConformanceReport(models.Model):
    """A Weekly Conformance Errors report (seed 002): sealed. The desk sees that it
    arrived, when, its size, its organisation and to whom it went; only the
    organisation's designated persons open it."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="conformance_reports"
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    via = models.CharField(_("via"), max_length=10, choices=Via.choices)
    size = models.PositiveIntegerField(_("size"))
    sealed = models.BinaryField(editable=False)
    sealed_name = models.BinaryField(editable=False)  # the file's name may name a patient
    key_id = models.CharField(max_length=12)
    routed_to = models.JSONField(_("routed to"), default=list)
    state = models.CharField(_("state"), max_length=12, choices=ReportState.choices)
    incident = models.ForeignKey(
        Incident, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Progress the desk may see: counts, never what the errors are.
    errors_total = models.PositiveIntegerField(default=0)
    errors_done = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("conformance report")
        verbose_name_plural = _("conformance reports")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=ReportState.values), name="ds_report_state"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.organisation.code} {self.received_at:%Y-%m-%d}"


class ReportError(models.Model):
    """A rejected message a designated person found in a report, and its resubmission.
    Its text is sealed like the report."""

    report = models.ForeignKey(ConformanceReport, on_delete=models.CASCADE, related_name="errors")
    control_id = models.CharField(_("message control id"), max_length=60, blank=True)
    sealed_text = models.BinaryField(editable=False)
    state = models.CharField(
        _("state"), max_length=12, choices=ErrorState.choices, default=ErrorState.OPEN
    )
    resubmitted_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("rejected message")
        verbose_name_plural = _("rejected messages")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=ErrorState.values), name="ds_error_state"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} ({self.state})"
