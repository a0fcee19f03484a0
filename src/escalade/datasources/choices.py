"""Choices of the data sources: a report's progress, a rejected message's."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportState(models.TextChoices):
    ROUTED = "routed", _("Routed to the designated persons")
    UNROUTED = "unrouted", _("No designated person: an incident is open")
    IN_PROGRESS = "in_progress", _("Being corrected")
    DONE = "done", _("Every rejected message resubmitted")


class ErrorState(models.TextChoices):
    OPEN = "open", _("To correct")
    RESUBMITTED = "resubmitted", _("Resubmitted")
    DONE = "done", _("Accepted")


class Via(models.TextChoices):
    UPLOAD = "upload", _("Uploaded")
    EMAIL = "email", _("E-mail")


class ProposalState(models.TextChoices):
    """A worksheet received by mail: a person decides."""

    PROPOSED = "proposed", _("Waiting for approval")
    QUEUED = "queued", _("Being imported")  # a large upload, taken by a worker
    APPROVED = "approved", _("Approved and imported")
    REJECTED = "rejected", _("Rejected")
    FAILED = "failed", _("Import failed")
