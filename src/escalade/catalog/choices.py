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


class OrganisationKind(models.TextChoices):
    """Seed 002: organisations that contribute data, that consume it (view), or both."""

    CONTRIBUTING = "contributing", _("Contributing")
    CONSUMING = "consuming", _("Consuming")
    BOTH = "both", _("Contributing and consuming")


class ContactRole(models.TextChoices):
    """Seed 002: the designated contacts an organisation keeps current with the desk."""

    SERVICE_DESK = "service_desk", _("Service-desk contact")
    INTERFACE_SPECIALIST = "interface_specialist", _("Interface specialist")
    REGISTRATION_LEAD = "registration_lead", _("Local registration lead")
    PHI_DESIGNATE = "phi_designate", _("Person designated for personal health information")
