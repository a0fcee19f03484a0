"""Users' institutions and API tokens. Roles are Django groups (see choices.Role), which
a membership can narrow at its institution (Membership.roles)."""

import datetime as dt
import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from escalade.core.models import Institution


class Membership(models.Model):
    """A user belongs to an institution and sees only its data."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="members")
    is_default = models.BooleanField(default=False)
    # The roles the user holds at this institution when they are not all the account's
    # (a manager at one hospital, a level-1 agent at another): empty = every role of the
    # account. Only narrows: a role the account does not hold is not given here. The
    # directory's group mapping sets them per institution at each sign-in.
    roles = models.JSONField(default=list, blank=True)
    # How many open incidents the member is assigned in this institution (kept by the
    # incident services in the same transaction; assignment picks the least loaded).
    open_assignments = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "institution"], name="accounts_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.institution.code}"


def hash_token(raw: str) -> str:
    """The SHA-256 digest kept of an API token (the token itself is never stored)."""
    return hashlib.sha256(raw.encode()).hexdigest()


def _token_expiry():
    return timezone.now() + dt.timedelta(days=settings.ESCALADE_TOKEN_DAYS)


class ApiToken(models.Model):
    """A bearer token for the JSON API; only its hash is stored. It stops working at
    `expires_at` (ESCALADE_TOKEN_DAYS after it was made) or when revoked."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), default=_token_expiry)
    revoked = models.BooleanField(default=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class LoginFailure(models.Model):
    """A failed sign-in, kept for throttling (in the database: shared by every process)."""

    username = models.CharField(max_length=150, db_index=True)
    address = models.CharField(max_length=45, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("failed sign-in")
        verbose_name_plural = _("failed sign-ins")

    def __str__(self) -> str:
        return f"{self.username} {self.address} {self.at:%Y-%m-%d %H:%M}"


class Profile(models.Model):
    """A user's preferences: the language of what Escalade sends them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=[("fr-ca", "Français"), ("en", "English")],
        default="fr-ca",
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.language})"


class DirectoryAccount(models.Model):
    """A user whose account lives in the hospital's directory (LDAP / Active Directory)
    or at an OpenID provider: who they are there, the groups seen at their last sign-in,
    and when Escalade ended the account (disabled or removed there)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="directory_account"
    )
    source = models.CharField(_("source"), max_length=60)  # "ldap" or "oidc:<provider>"
    subject = models.CharField(_("identifier"), max_length=500)  # the DN, or the token's sub
    groups = models.JSONField(_("groups"), default=list, blank=True)
    signed_in_at = models.DateTimeField(_("last sign-in"), null=True, blank=True)
    checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_reason = models.CharField(_("why it ended"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("directory account")
        verbose_name_plural = _("directory accounts")
        constraints = [
            models.UniqueConstraint(fields=["source", "subject"], name="accounts_directory_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.source})"
