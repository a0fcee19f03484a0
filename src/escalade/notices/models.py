"""Service notices of planned and unplanned interruptions, their updates, the recurring
maintenance windows, and the interruptions organisations report to the desk (seed 002)."""

import datetime as dt
import secrets
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from escalade.catalog.models import Organisation
from escalade.core.i18n import pick
from escalade.core.models import Institution
from escalade.core.transitions import valid_state

from .choices import NoticeKind, NoticeState
from .rules import Window


class Notice(models.Model):
    """An avis de service. Texts are {'en': ..., 'fr': ...}: written in one language or
    both; readers get theirs, else the other."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=NoticeKind.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=NoticeState.choices, default=NoticeState.PUBLISHED
    )
    title = models.JSONField(_("title"), default=dict)
    body = models.JSONField(_("details"), default=dict, blank=True)
    impact = models.JSONField(_("impact"), default=dict, blank=True)
    user_action = models.JSONField(_("what users should do"), default=dict, blank=True)
    services = models.JSONField(_("affected services"), default=list, blank=True)
    organisations = models.ManyToManyField(
        Organisation, related_name="notices", blank=True, verbose_name=_("organisations")
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"), null=True, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    urgent_reason = models.TextField(_("reason for urgency"), blank=True)
    outside_window = models.BooleanField(_("outside the maintenance windows"), default=False)
    public = models.BooleanField(_("public"), default=True)
    resolution = models.JSONField(_("resolution"), default=dict, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    incidents = models.ManyToManyField(
        "incidents.Incident", related_name="notices", blank=True, verbose_name=_("incidents")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("service notice")
        verbose_name_plural = _("service notices")
        ordering = ["-start"]
        indexes = [models.Index(fields=["institution", "state", "start"])]
        constraints = [valid_state("state", NoticeState.values, "nt_state_valid")]

    def __str__(self) -> str:
        return pick(self.title)

    @property
    def label(self) -> str:
        """The window's name in the reader's language."""
        return pick(self.title)


class NoticeUpdate(models.Model):
    """A dated follow-up published on a notice ("service restored at 10:40")."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="updates")
    body = models.JSONField(default=dict)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return pick(self.body)[:60]


class MaintenanceWindow(models.Model):
    """A recurring window (RFC 5545 RRULE) in local wall-clock time of `timezone`:
    seed 002, every Sunday between midnight and 6 a.m."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    code = models.SlugField(max_length=40)
    title = models.JSONField(default=dict)
    rrule = models.CharField(max_length=300, help_text="e.g. FREQ=WEEKLY;BYDAY=SU")
    starting = models.DateField(help_text="the rule applies from this date")
    start_time = models.TimeField(help_text="local wall-clock time the window opens")
    duration_minutes = models.PositiveIntegerField()
    timezone = models.CharField(max_length=64)
    services = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("maintenance window")
        verbose_name_plural = _("maintenance windows")
        constraints = [
            models.UniqueConstraint(fields=["institution", "code"], name="notice_window_code")
        ]

    def __str__(self) -> str:
        return pick(self.title) or self.code

    def spec(self):
        """The window as the pure rules see it."""

        return Window(
            self.rrule,
            dt.datetime.combine(self.starting, self.start_time),
            dt.timedelta(minutes=self.duration_minutes),
            ZoneInfo(self.timezone),
        )


class Interruption(models.Model):
    """An interruption of an organisation's own systems, reported to the desk (seed 002,
    « Interruption de service de l'organisation »); the desk acknowledges it."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="interruptions"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=NoticeKind.choices)
    systems = models.CharField(_("systems affected"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"), null=True, blank=True)
    reporter_name = models.CharField(_("reported by"), max_length=200)
    reporter_contact = models.CharField(_("call-back"), max_length=200, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("organisation interruption")
        verbose_name_plural = _("organisation interruptions")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.organisation.code}: {self.systems}"


def _new_key() -> str:
    return secrets.token_urlsafe(24)


class FeedKey(models.Model):
    """A personal secret for feed URLs: calendar clients send no headers."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_key"
    )
    key = models.CharField(max_length=64, unique=True, default=_new_key)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user} feed"
