"""Choices of the renewals."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Decision(models.TextChoices):
    """What is decided about a licence's renewal."""

    PENDING = "pending", _("To decide")
    RENEW = "renew", _("Renew")
    LET_EXPIRE = "let_expire", _("Let it end")
