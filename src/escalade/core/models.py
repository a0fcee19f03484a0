"""Shared kernel: institutions, request numbers, the audit log, idempotency records."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import AuditAction
from .hours import Calendar
from .i18n import pick

# Countries whose English is a regional variety of its own (en-CA, en-GB...).
ENGLISH_REGIONS = frozenset({"CA", "US", "GB", "IE", "AU", "NZ"})


class Institution(models.Model):
    """An établissement: owns a pack, its catalogue, rules, hours and incidents."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.JSONField(_("name"), default=dict, help_text="{'en': ..., 'fr': ...}")
    timezone = models.CharField(_("time zone"), max_length=64, default="America/Montreal")
    request_prefix = models.CharField(_("request number prefix"), max_length=10)
    ticket_prefix = models.CharField(_("formal ticket prefix"), max_length=10)
    holiday_country = models.CharField(max_length=2, default="CA")
    holiday_subdivision = models.CharField(max_length=10, blank=True, default="QC")
    settings = models.JSONField(_("settings"), default=dict, blank=True)
    pack_path = models.CharField(max_length=255, blank=True)
    pack_digest = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The institution's name in the reader's language."""
        return pick(self.name) or self.code

    @property
    def zone(self) -> ZoneInfo:
        """The institution's time zone, in which its times are shown."""
        return ZoneInfo(self.timezone)

    @property
    def calendar(self):
        """Public holidays of the pack's country and subdivision plus the institution's
        own closure days (settings['closures'], ISO dates)."""

        closures = frozenset(dt.date.fromisoformat(d) for d in self.setting("closures", []))
        return Calendar(self.holiday_country, self.holiday_subdivision, closures)

    @property
    def region(self) -> str:
        """The institution's country (ISO 3166, the pack's holidays' country): how its
        phone numbers are read and written."""
        return (self.holiday_country or "CA").upper()

    def language_tag(self, lang: str) -> str:
        """The BCP 47 tag of the institution's text in 'fr' or 'en' (fr-CA in Montréal,
        fr-FR in Pau): the pack's settings['language_tags'] or the language in its country."""
        tag = self.setting("language_tags", {}).get(lang)
        if tag:
            return tag
        if lang == "en" and self.region not in ENGLISH_REGIONS:
            return "en"  # English written in Pau is no regional English
        return f"{lang}-{self.region}"

    def setting(self, key: str, default=None):
        """One of the pack's settings of the institution, or `default`."""
        return (self.settings or {}).get(key, default)


class NumberSequence(models.Model):
    """The last number given for a prefix and a year. Incremented in one statement
    (INSERT ... ON CONFLICT DO UPDATE ... RETURNING) inside the caller's transaction:
    no duplicates across processes and no gaps from concurrency."""

    prefix = models.CharField(max_length=10)
    year = models.PositiveIntegerField()
    last = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="core_numberseq_prefix_year")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"


class AuditEventQuerySet(models.QuerySet):
    """Audit events can be read and added, never changed nor deleted."""

    def for_object(self, object_type: str, object_id) -> "AuditEventQuerySet":
        """The events of one object, oldest first."""
        return self.filter(object_type=object_type, object_id=str(object_id))

    def update(self, **kwargs):  # noqa: D401 - the log is append-only
        """Refused: the audit log is append-only."""
        raise PermissionError("The audit log is append-only.")

    def delete(self):
        """Refused: the audit log is append-only."""
        raise PermissionError("The audit log is append-only.")


class AuditEvent(models.Model):
    """One state change: who, when, what, before -> after. Append-only."""

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    action = models.CharField(_("what"), max_length=32, choices=AuditAction.choices)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40)
    changes = models.JSONField(default=dict, blank=True, help_text="{field: [before, after]}")
    data = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["object_type", "object_id", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        """Add the event; saving it again is refused (the log is append-only)."""
        if self.pk is not None:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        """Refused: the audit log is append-only."""
        raise PermissionError("The audit log is append-only.")


class IdempotencyRecord(models.Model):
    """The first answer to a POST carrying an Idempotency-Key, to answer its retries.

    Never the answer in clear: either `replay_path`, the GET that gives the resource again
    (run as the user asking now: permissions checked, personal health information audited
    as any read), or the body encrypted (Fernet) for answers without such a GET. Served
    only for the same request (`fingerprint`) by the same user with the same roles
    (`access`), and only for ESCALADE_IDEMPOTENCY_HOURS."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    fingerprint = models.CharField(max_length=64, default="")
    access = models.CharField(max_length=64, default="")
    status = models.PositiveSmallIntegerField(default=0)
    replay_path = models.CharField(max_length=300, blank=True, default="")
    body = models.BinaryField(default=b"")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="core_idem_user_key")]
        indexes = [models.Index(fields=["created_at"], name="core_idem_created")]

    def __str__(self) -> str:
        return f"{self.key} {self.method} {self.path}"


class FiscalPeriod(models.Model):
    """An official period of the network's fiscal year (P1-P13), as published each year.
    Without rows for a year, core.fiscal generates the periods by its default rule."""

    year = models.PositiveIntegerField(_("fiscal year"), help_text="2026 = 2026-2027")
    number = models.PositiveSmallIntegerField(_("period"))
    start = models.DateField(_("start"))
    end = models.DateField(_("end (inclusive)"))

    class Meta:
        verbose_name = _("fiscal period")
        verbose_name_plural = _("fiscal periods")
        ordering = ["year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="core_fiscal_period_once"),
            models.CheckConstraint(
                condition=models.Q(number__gte=1, number__lte=13), name="core_fiscal_1_13"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}-P{self.number:02d}"


class Schedule(models.Model):
    """A periodic job: which task, when (cron, in the product's time zone), last and next run.
    One scheduler for the whole product (`escalade run_scheduler`); several may run: a due
    row is claimed under a lock, so a run is queued once."""

    name = models.SlugField(_("name"), max_length=60, unique=True)
    task = models.CharField(
        _("task"), max_length=200, help_text="dotted path of a django-tasks task"
    )
    cron = models.CharField(_("when (cron)"), max_length=60)
    enabled = models.BooleanField(_("enabled"), default=True)
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)
    next_run_at = models.DateTimeField(_("next run"), null=True, blank=True)

    class Meta:
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.cron})"


class Heartbeat(models.Model):
    """A background process that is alive: task workers and schedulers write theirs every
    few seconds. A task held by a worker whose heartbeat stopped is taken again
    (core.workers.reap); /healthz reads the scheduler's."""

    WORKER, SCHEDULER = "worker", "scheduler"
    KINDS = [(WORKER, _("task worker")), (SCHEDULER, _("scheduler"))]

    process_id = models.CharField(_("process"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=KINDS)
    host = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("pid"))
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    seen_at = models.DateTimeField(_("last seen"), default=timezone.now)

    class Meta:
        verbose_name = _("background process")
        verbose_name_plural = _("background processes")
        ordering = ["kind", "-seen_at"]
        indexes = [models.Index(fields=["kind", "seen_at"], name="core_heartbeat_kind_seen")]

    def __str__(self) -> str:
        return f"{self.kind} {self.host}:{self.pid}"


class LegalHold(models.Model):
    """A legal hold on an incident or a telehealth session: while it lasts, the retention
    job keeps every personal health information of it (set and released by a manager,
    with the reason; both audited)."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    object_type = models.CharField(max_length=40)  # "incident", "telesession"
    object_id = models.CharField(max_length=40)
    reason = models.TextField(_("reason"))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(default=timezone.now)
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    release_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        indexes = [models.Index(fields=["object_type", "object_id"], name="core_hold_object")]
        constraints = [
            models.UniqueConstraint(
                fields=["object_type", "object_id"],
                condition=models.Q(released_at__isnull=True),
                name="core_one_hold_in_force",
            )
        ]

    def __str__(self) -> str:
        return f"hold {self.object_type} {self.object_id}"
