"""Choices of telehealth sessions and of the live troubleshooting protocol."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SessionKind(models.TextChoices):
    POINT_TO_POINT = "point_to_point", _("Point to point")
    MULTIPOINT = "multipoint", _("Multipoint (national bridge)")


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    TROUBLESHOOTING = "troubleshooting", _("Troubleshooting")
    CANCELLED = "cancelled", _("Cancelled")
    COMPLETED = "completed", _("Completed")

    @classmethod
    def tones(cls) -> dict:
        """The colour of each value's badge ({% badge %})."""
        return {
            cls.SCHEDULED: "status",
            cls.TROUBLESHOOTING: "major",
            cls.CANCELLED: "status",
            cls.COMPLETED: "minor",
        }


class ProtocolState(models.TextChoices):
    OPEN = "open", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CANCELLED = "cancelled", _("Session cancelled")


class StepState(models.TextChoices):
    PENDING = "pending", _("To do")
    DONE = "done", _("Done")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class Recommendation(models.TextChoices):
    WARN = "warn", _("Tell the patient it will take longer")
    CANCEL = "cancel", _("Cancelling the session is recommended")


class TaskKind(models.TextChoices):
    EXPLAIN_TO_PATIENT = "explain_to_patient", _("Explain the situation to the patient")
    CALL_BACK_PATIENT = "call_back_patient", _("Call the patient back")
    REBOOK = "rebook", _("Book a new appointment")


class TaskState(models.TextChoices):
    OPEN = "open", _("To do")
    DONE = "done", _("Done")
