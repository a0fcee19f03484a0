from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class NoticeKind(models.TextChoices):
    PLANNED = "planned", _("Planned interruption")
    UNPLANNED = "unplanned", _("Unplanned interruption")

    @classmethod
    def tones(cls) -> dict:
        """The colour of each value's badge ({% badge %})."""
        return {cls.PLANNED: "status", cls.UNPLANNED: "warn"}


class NoticeState(models.TextChoices):
    PUBLISHED = "published", _("Published")
    RESOLVED = "resolved", _("Resolved")
    # « avis » is masculine: « Annulé », where a session (« séance ») is « Annulée »
    CANCELLED = "cancelled", pgettext_lazy("a service notice", "Cancelled")

    @classmethod
    def tones(cls) -> dict:
        """The colour of each value's badge ({% badge %})."""
        return {cls.PUBLISHED: "major", cls.RESOLVED: "minor", cls.CANCELLED: "status"}
