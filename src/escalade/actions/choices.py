"""Choices of action items."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ActionState(models.TextChoices):
    OPEN = "open", _("To do")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")

    @classmethod
    def tones(cls) -> dict:
        """The colour of each value's badge ({% badge %})."""
        return {cls.OPEN: "level", cls.DONE: "minor", cls.CANCELLED: "status"}


class ActionSource(models.TextChoices):
    """What asked for the work: a major incident's report, or a problem's corrective
    measures (seed 000, point 3)."""

    MAJOR_REPORT = "major_report", _("Major-incident report")
    PROBLEM = "problem", _("Problem")
