from django.db import models
from django.utils.translation import gettext_lazy as _


class ProblemState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    OPEN = "open", _("Open")
    KNOWN_ERROR = "known_error", _("Known error (workaround)")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    MERGED = "merged", _("Merged")

    @classmethod
    def active(cls) -> list[str]:
        return [cls.PROPOSED, cls.OPEN, cls.KNOWN_ERROR]

    @classmethod
    def tones(cls) -> dict:
        """The colour of each value's badge ({% badge %})."""
        return {
            cls.PROPOSED: "status",
            cls.OPEN: "warn",
            cls.KNOWN_ERROR: "warn",
            cls.CLOSED: "minor",
            cls.REJECTED: "status",
            cls.MERGED: "status",
        }
