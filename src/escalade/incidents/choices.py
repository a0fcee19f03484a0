"""Choices of incidents: statuses, severities, channels, requester roles, impact, urgency."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")

    @classmethod
    def open_values(cls) -> list[str]:
        return [cls.NEW, cls.IN_PROGRESS]

    @classmethod
    def terminal_values(cls) -> list[str]:
        return [cls.RESOLVED, cls.CLOSED]

    @classmethod
    def tones(cls) -> dict:
        """The colour of each value's badge ({% badge %})."""
        return {
            cls.NEW: "status",
            cls.IN_PROGRESS: "level",
            cls.RESOLVED: "minor",
            cls.CLOSED: "status",
        }


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    MAJOR = "major", _("Major")

    @classmethod
    def tones(cls) -> dict:
        """The colour of each value's badge ({% badge %})."""
        return {cls.MINOR: "minor", cls.MAJOR: "major"}


class SymptomGroup(models.TextChoices):
    MINOR = "minor", _("Minor list")
    MAJOR = "major", _("Major list")
    OTHER = "other", _("Other")


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    WEB = "web", _("Web")
    API = "api", _("API")


class Language(models.TextChoices):
    """The languages a requester is told things in."""

    FR = "fr", _("French")
    EN = "en", _("English")


class RequesterRole(models.TextChoices):
    CLINICIAN = "clinician", _("Clinician")
    STAFF = "staff", _("Staff")
    ADMINISTRATIVE_AGENT = "administrative_agent", _("Administrative agent")
    PATIENT = "patient", _("Patient")


class Level(models.IntegerChoices):
    ONE = 1, _("Level 1")
    TWO = 2, _("Level 2")
    THREE = 3, _("Level 3")

    @classmethod
    def tones(cls) -> dict:
        """The colour of each value's badge ({% badge %})."""
        return {cls.ONE: "level", cls.TWO: "level", cls.THREE: "level"}


class Rating(models.TextChoices):
    """High / medium / low: the scale of both impact and urgency (ITIL)."""

    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


Impact = Urgency = Rating


class PartnerKind(models.TextChoices):
    SUPPLIER = "supplier", _("Supplier")
    NETWORK_OPERATOR = "network_operator", _("Network operator")
    INSTITUTION = "institution", _("Institution")
    OTHER = "other", _("Other partner")


class PatientSafety(models.TextChoices):
    """Seed 000 step 12: an event that had, or may have, an impact on a patient's safety."""

    NONE = "", _("No impact known")
    POSSIBLE = "possible", _("May have an impact on a patient's safety")
    CONFIRMED = "confirmed", _("Had an impact on a patient's safety")

    @classmethod
    def tones(cls) -> dict:
        """The colour of each value's badge ({% badge %})."""
        return {cls.NONE: "status", cls.POSSIBLE: "safety", cls.CONFIRMED: "safety"}
