"""Choices of the on-call app: the response clocks' targets and states."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ClockTarget(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    RESOLUTION = "resolution", _("Resolution")


class ClockState(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")  # reached: the response given, the incident resolved
    STOPPED = "stopped", _("Stopped")  # closed before it was reached

    @classmethod
    def tones(cls) -> dict:
        """The colour of each value's badge ({% badge %})."""
        return {cls.RUNNING: "level", cls.PAUSED: "status", cls.MET: "minor", cls.STOPPED: "status"}


class PagingState(models.TextChoices):
    RUNNING = "running", _("Paging")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    EXHAUSTED = "exhausted", _("Nobody acknowledged")


class PageState(models.TextChoices):
    SENT = "sent", _("Sent")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    EXPIRED = "expired", _("Expired")  # the next step went out without an answer
    FAILED = "failed", _("Failed")  # not reachable that way (no account, no address)

    @classmethod
    def tones(cls) -> dict:
        """The colour of each value's badge ({% badge %})."""
        return {
            cls.SENT: "warn",
            cls.ACKNOWLEDGED: "minor",
            cls.EXPIRED: "status",
            cls.FAILED: "major",
        }


class PageChannel(models.TextChoices):
    APP = "app", _("In the application")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    WEBHOOK = "webhook", _("The hospital's paging system")


class Trigger(models.TextChoices):
    """What starts an escalation policy."""

    MAJOR_INCIDENT = "major_incident", _("A major incident")
    TROUBLESHOOTING = "troubleshooting", _("A live session in trouble")
    OUTAGE = "outage", _("An outage runbook activated")
    PATIENT_SAFETY = "patient_safety", _("A patient-safety flag")
    BREACH = "breach", _("A response target passed")
    UNIT_SILENT = "unit_silent", _("A unit silent during an outage")
