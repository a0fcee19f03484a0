"""Roles of the coordination centre. Each is a Django group named by its code."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    LEVEL1_AGENT = "level1_agent", _("Level-1 agent")
    LEVEL2_ANALYST = "level2_analyst", _("Level-2 analyst")
    LEVEL3_COORDINATOR = "level3_coordinator", _("Level-3 coordinator")
    TELEHEALTH_TECHNICIAN = "telehealth_technician", _("Telehealth technician")
    CHIEF_TELEHEALTH_TECHNICIAN = "chief_telehealth_technician", _("Chief telehealth technician")
    IT_TECHNICIAN = "it_technician", _("IT technician")
    EVENT_COORDINATOR = "event_coordinator", _("Event coordinator")
    CLINICAL_COORDINATOR = "clinical_coordinator", _("Clinical coordinator")
    MANAGER = "manager", _("Manager")
    REQUESTER = "requester", _("Requester")
