"""The response clocks of incidents (seed 000 steps 5-6 and 12, seed 003's delays):
time to first response and to resolution, counted 24/7 or in business hours, paused
while a partner holds the incident."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from escalade.core.transitions import valid_state
from escalade.incidents.models import Incident

from .choices import ClockState, ClockTarget


class Clock(models.Model):
    """One target of one incident. While it runs, `elapsed` holds the counted seconds
    before `running_since` and `due_at` when it reaches its target; paused, `elapsed` is
    all there is."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="clocks")
    target = models.CharField(_("target"), max_length=16, choices=ClockTarget.choices)
    rule = models.CharField(max_length=60, help_text="the pack's rule that set the target")
    seconds = models.PositiveIntegerField(help_text="the target, in counted seconds")
    business_hours = models.BooleanField(default=False)
    state = models.CharField(
        _("state"), max_length=8, choices=ClockState.choices, default=ClockState.RUNNING
    )
    elapsed = models.FloatField(default=0)
    running_since = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("response clock")
        verbose_name_plural = _("response clocks")
        ordering = ["incident_id", "target"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "target"], name="oncall_one_clock"),
            valid_state("state", ClockState.values, "oncall_clock_state"),
        ]
        indexes = [
            models.Index(fields=["state", "warn_at"], name="oncall_clock_warn"),
            models.Index(fields=["state", "due_at"], name="oncall_clock_due"),
        ]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.target} ({self.state})"
