"""The coded values of runbooks and outages."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OutageState(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("an outage", "Degraded mode")
    RESTORING = "restoring", pgettext_lazy("an outage", "Returning to normal")
    CLOSED = "closed", pgettext_lazy("an outage", "Closed")


class StepPhase(models.TextChoices):
    DEGRADED = "degraded", _("Degraded mode")
    RESTORE = "restore", _("Return to normal")


class StepState(models.TextChoices):
    OPEN = "open", pgettext_lazy("a step", "To do")
    DONE = "done", pgettext_lazy("a step", "Done")
    NOT_APPLICABLE = "not_applicable", pgettext_lazy("a step", "Not applicable")


class BroadcastKind(models.TextChoices):
    WARNING = "warning", _("Warning")
    INFO = "info", _("Information")


class EntryState(models.TextChoices):
    RECORDED = "recorded", _("Recorded by hand")
    TO_RECONCILE = "to_reconcile", _("To reconcile")
    RECONCILED = "reconciled", _("Reconciled")


class UnitPhase(models.TextChoices):
    """What a unit confirms: it works on paper (the start broadcasts), or it is back to
    normal work (the end broadcasts)."""

    DEGRADED = "degraded", _("On the degraded procedure")
    NORMAL = "normal", _("Back to normal work")


class ConfirmedVia(models.TextChoices):
    KIOSK = "kiosk", _("Kiosk screen")
    LINK = "link", _("Link")
    SMS = "sms", _("SMS reply")
    EMAIL = "email", _("E-mail reply")
    APP = "app", _("In the app")
