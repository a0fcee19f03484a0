"""Telehealth sessions, their scheduled patients, the live troubleshooting protocol of
seed 000 (12 steps and the 15-30 minute window) and the follow-up work after a cancel."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from escalade.core.models import Institution
from escalade.core.transitions import valid_state

from .choices import (
    ProtocolState,
    Recommendation,
    SessionKind,
    SessionStatus,
    StepState,
    TaskKind,
    TaskState,
)


class TeleSession(models.Model):
    """A scheduled synchronous session between a requesting site and provider site(s)."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=SessionKind.choices)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    requesting_site = models.CharField(_("requesting site"), max_length=200)
    provider_sites = models.JSONField(_("provider sites"), default=list)
    technical_contact = models.CharField(
        _("technical contact or autonomous user"), max_length=200, blank=True
    )
    clinical_contact = models.CharField(_("clinical contact"), max_length=200, blank=True)
    health_professional = models.CharField(_("health professional"), max_length=200, blank=True)
    coordinator = models.CharField(_("coordinator"), max_length=200, blank=True)
    external_ref = models.CharField(_("scheduling reference"), max_length=60, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    cancel_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("telehealth session")
        verbose_name_plural = _("telehealth sessions")
        ordering = ["start", "id"]
        permissions = [
            ("troubleshoot_telesession", "Can run the live troubleshooting protocol"),
            ("cancel_telesession", "Can cancel a session"),
            ("view_patient", "Can see the personal data of a session's patients"),
        ]
        constraints = [
            valid_state("status", SessionStatus.values, "ts_status_valid"),
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="ts_end_after_start"
            ),
            models.UniqueConstraint(
                fields=["institution", "external_ref"],
                condition=~Q(external_ref=""),
                name="ts_external_ref",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.requesting_site} {self.start:%Y-%m-%d %H:%M}"


class SessionPatient(models.Model):
    """A patient scheduled in the session block: personal health information."""

    session = models.ForeignKey(TeleSession, on_delete=models.CASCADE, related_name="patients")
    name = models.CharField(_("name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    appointment = models.DateTimeField(_("appointment"), null=True, blank=True)

    class Meta:
        verbose_name = _("scheduled patient")
        verbose_name_plural = _("scheduled patients")
        ordering = ["appointment", "id"]

    def __str__(self) -> str:
        return f"patient #{self.pk}"  # never the name: no PHI in logs


class Protocol(models.Model):
    """One run of the live troubleshooting protocol on a session."""

    session = models.ForeignKey(TeleSession, on_delete=models.PROTECT, related_name="protocols")
    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="protocols"
    )
    state = models.CharField(
        max_length=12, choices=ProtocolState.choices, default=ProtocolState.OPEN
    )
    started_at = models.DateTimeField(default=timezone.now)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    warn_after_s = models.PositiveIntegerField(default=15 * 60)
    cancel_after_s = models.PositiveIntegerField(default=30 * 60)
    recommendation = models.CharField(max_length=10, choices=Recommendation.choices, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    cancel_recommended_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(
        default=0, help_text="bumped on every change: screens poll it"
    )

    class Meta:
        verbose_name = _("troubleshooting protocol")
        verbose_name_plural = _("troubleshooting protocols")
        constraints = [
            models.UniqueConstraint(
                fields=["session"], condition=Q(state="open"), name="ts_one_open_protocol"
            ),
            valid_state("state", ProtocolState.values, "ts_protocol_state_valid"),
        ]

    def __str__(self) -> str:
        return f"protocol #{self.pk} ({self.session_id})"

    def elapsed_s(self, now=None) -> int:
        """Seconds since troubleshooting started."""
        end = self.ended_at or now or timezone.now()
        return max(0, int((end - self.started_at).total_seconds()))


class ProtocolStep(models.Model):
    """One of the twelve steps of seed 000's troubleshooting protocol: done or not applicable, by
    whom, when."""

    protocol = models.ForeignKey(Protocol, on_delete=models.CASCADE, related_name="steps")
    n = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=16, choices=StepState.choices, default=StepState.PENDING)
    note = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["n"]
        constraints = [
            models.UniqueConstraint(fields=["protocol", "n"], name="ts_step_once"),
            models.CheckConstraint(condition=Q(n__gte=1, n__lte=12), name="ts_step_1_12"),
            valid_state("state", StepState.values, "ts_step_state_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.protocol_id}.{self.n}"


class FollowUpTask(models.Model):
    """Work after a cancelled session (seed 000 steps 7-9), tracked to done."""

    session = models.ForeignKey(TeleSession, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(max_length=24, choices=TaskKind.choices)
    patient = models.ForeignKey(
        SessionPatient, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    assignee_role = models.CharField(max_length=40)
    # Steps 7-8: a person of the requesting site (its health professional or coordinator,
    # as the session names them), who has no account here; step 9: blank (the role).
    assignee_name = models.CharField(max_length=200, blank=True)
    state = models.CharField(max_length=8, choices=TaskState.choices, default=TaskState.OPEN)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("follow-up task")
        verbose_name_plural = _("follow-up tasks")
        ordering = ["created_at", "id"]
        constraints = [valid_state("state", TaskState.values, "ts_task_state_valid")]

    def __str__(self) -> str:
        return f"{self.kind} ({self.session_id})"
