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
