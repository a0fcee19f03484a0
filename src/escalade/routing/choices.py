"""The questions of the routing chart (seed 003 section 4): who, why, what, where."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Requester(models.TextChoices):
    STAFF = "staff", _("A clinician, a physician or an administrative agent")
    PATIENT = "patient", _("A patient")


class Need(models.TextChoices):
    TECHNICAL_PROBLEM = "technical_problem", _("A technical problem")
    APP_QUESTION = "app_question", _("A question on how an application works")


class Subject(models.TextChoices):
    ORG_EQUIPMENT = (
        "org_equipment",
        _("Equipment of the institution (workstation, tablet, camera, remote-access token…)"),
    )
    BIOMEDICAL_EQUIPMENT = "biomedical_equipment", _("Biomedical equipment")
    LENT_EQUIPMENT = "lent_equipment", _("Equipment lent to the patient by the institution")
    PERSONAL_EQUIPMENT = "personal_equipment", _("Personal equipment (workstation, camera…)")
    INTERNET_CONNECTION = "internet_connection", _("The Internet connection")
    TEAMS = "teams", _("Teams")
    PROVINCIAL_PLATFORM = "provincial_platform", _("A provincial platform (PSV, SVMV)")
    REACTS = "reacts", _("Reacts")
    OTHER_CLINICAL_APP = "other_clinical_app", _("Another clinical application (e.g. eClinibase)")


class Location(models.TextChoices):
    ON_SITE = "on_site", _("On a site of the institution")
    PERSONAL_CONNECTION = "personal_connection", _("On a personal connection (e.g. at home)")
