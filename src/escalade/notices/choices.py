from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticeKind(models.TextChoices):
    PLANNED = "planned", _("Planned interruption")
    UNPLANNED = "unplanned", _("Unplanned interruption")


class NoticeState(models.TextChoices):
    PUBLISHED = "published", _("Published")
    RESOLVED = "resolved", _("Resolved")
    CANCELLED = "cancelled", _("Cancelled")
