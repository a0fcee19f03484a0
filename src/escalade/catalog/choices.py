"""Choices of the service catalogue."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Phase(models.TextChoices):
    """Seed 003 section 3: when in a telehealth project a provider serves."""

    PROJECT_EVALUATION = "project_evaluation", _("Project evaluation")
    DEPLOYMENT = "deployment", _("Deployment and closing")
    AFTER_DEPLOYMENT = "after_deployment", _("After deployment")


class ChannelKind(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    WEB = "web", _("Web page")
    PORTAL = "portal", _("Ticket portal")
    APPOINTMENT = "appointment", _("Appointment")
    PERSON = "person", _("Person to contact")
