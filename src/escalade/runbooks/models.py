"""Runbooks (pack data: one per failure case), the outages run from them, the broadcasts
sent to workstations, and the degraded-mode registry (seed 004)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from escalade.core.i18n import pick
from escalade.core.transitions import valid_state

from .choices import (
    BroadcastKind,
    ConfirmedVia,
    EntryState,
    OutageState,
    StepPhase,
    StepState,
    UnitPhase,
)


def public_id() -> str:
    """An id for anonymous reads: 128 random bits, URL-safe."""
    return secrets.token_urlsafe(16)


class WorkstationGroup(models.Model):
    """Recipients of broadcasts (« Destinataires »): workstations by host-name pattern."""

    institution = models.ForeignKey("core.Institution", on_delete=models.CASCADE, related_name="+")
    code = models.SlugField(max_length=40)
    label = models.JSONField(_("label"))
    hosts = models.JSONField(_("host names"), default=list)
    emails = models.JSONField(_("mailing lists"), default=list, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "code"], name="rb_group_code")
        ]

    def __str__(self) -> str:
        return pick(self.label)


class Runbook(models.Model):
    """What to do for one failure case: who notices it, whom to tell, the broadcasts at
    the start and at the end, the degraded-mode steps and the return-to-normal steps
    (some only at certain times), with its version, owner and review date."""

    institution = models.ForeignKey("core.Institution", on_delete=models.CASCADE, related_name="+")
    code = models.SlugField(max_length=40)
    position = models.PositiveIntegerField(default=0)
    system = models.CharField(_("system"), max_length=40)
    symptom = models.CharField(_("symptom"), max_length=40)
    title = models.JSONField(_("title"))
    trigger = models.JSONField(_("trigger"))
    tell = models.JSONField(_("whom to tell"), default=list)
    start_broadcasts = models.JSONField(default=list)
    end_broadcasts = models.JSONField(default=list)
    degraded = models.JSONField(_("degraded-mode steps"), default=list)
    restore = models.JSONField(_("return-to-normal steps"), default=list)
    related = models.JSONField(default=list)
    registry = models.BooleanField(_("degraded-mode registry"), default=False)
    # Case 6 and annex 3: a temporary access code is changed and given by phone; who and
    # when are recorded, never the code.
    access_codes = models.BooleanField(default=False)
    version = models.CharField(_("version"), max_length=20, default="1")
    owner = models.JSONField(_("owner"), default=dict)
    review_on = models.DateField(_("review date"), null=True, blank=True)
    owner_role = models.CharField(_("owner's role"), max_length=40, default="manager")
    # the review date its owners were reminded of (once per date)
    review_reminded_for = models.DateField(null=True, blank=True)
    # a drill announced (the scenario given to the team): activating runs it as a drill
    drill_announced_at = models.DateTimeField(null=True, blank=True)
    drill_announced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    # the units of the broadcasts' groups confirm within this delay, or their lead is
    # paged (0: the units are not asked)
    confirm_within = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "code"]
        constraints = [models.UniqueConstraint(fields=["institution", "code"], name="rb_code")]

    def __str__(self) -> str:
        return pick(self.title)


class Unit(models.Model):
    """A care unit whose workstations are in some broadcast groups (radiology reading
    rooms, nuclear medicine, emergency: pack data): during an outage it confirms it has
    switched to the degraded procedure, then that it is back to normal; its lead is
    paged when it stays silent."""

    institution = models.ForeignKey("core.Institution", on_delete=models.CASCADE, related_name="+")
    code = models.SlugField(max_length=40)
    label = models.JSONField(_("unit"))
    groups = models.JSONField(default=list, help_text="the broadcast groups that ask it")
    lead = models.JSONField(default=dict, help_text="{name, phone, username}")
    position = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "code"]
        constraints = [models.UniqueConstraint(fields=["institution", "code"], name="rb_unit_code")]

    def __str__(self) -> str:
        return pick(self.label)


class Outage(models.Model):
    """A runbook activated: the outage's major incident, its checklist, broadcasts,
    registry, vendor tickets; active (degraded mode), restoring, closed."""

    institution = models.ForeignKey("core.Institution", on_delete=models.PROTECT, related_name="+")
    runbook = models.ForeignKey(Runbook, on_delete=models.PROTECT, related_name="outages")
    # a drill has none: it exercises the procedure without a real incident
    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, null=True, related_name="outages"
    )
    drill = models.BooleanField(_("drill"), default=False)
    # when the failure was noticed (the incident logged, the drill announced): the time
    # to activate the runbook is counted from it
    noticed_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=12, choices=OutageState.choices, default="active")
    note = models.TextField(_("note"), blank=True)
    vendor_refs = models.JSONField(_("vendor tickets"), default=list)
    access_log = models.JSONField(default=list)  # [{event, to, at, by}]: never a code
    started_at = models.DateTimeField(auto_now_add=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    restored_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    review_needed = models.BooleanField(null=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        permissions = [
            ("run_outage", "Can run an outage"),
            ("reconcile_entry", "Can reconcile the degraded-mode registry"),
        ]
        constraints = [valid_state("state", OutageState.values, "rb_outage_state")]

    def __str__(self) -> str:
        return f"{self.runbook} ({self.started_at:%Y-%m-%d %H:%M})"

    @property
    def about(self) -> models.Model:
        """What its audit events are about: its incident (they read on the incident's
        timeline), or the drill itself."""
        return self.incident or self


class OutageStep(models.Model):
    """One line of an outage's checklist: done or not applicable, by whom, when."""

    outage = models.ForeignKey(Outage, on_delete=models.CASCADE, related_name="steps")
    phase = models.CharField(max_length=10, choices=StepPhase.choices)
    n = models.PositiveSmallIntegerField()
    text = models.JSONField()
    when = models.CharField(max_length=40, blank=True)
    state = models.CharField(max_length=16, choices=StepState.choices, default="open")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["outage", "n"]
        constraints = [
            models.UniqueConstraint(fields=["outage", "n"], name="rb_step_n"),
            valid_state("state", StepState.values, "rb_step_state"),
        ]

    def __str__(self) -> str:
        return f"{self.n}. {pick(self.text)}"


class Broadcast(models.Model):
    """A message to a group of workstations: a warning when it breaks, information when
    it is back; current from its start until its end."""

    institution = models.ForeignKey("core.Institution", on_delete=models.CASCADE, related_name="+")
    outage = models.ForeignKey(
        Outage, on_delete=models.CASCADE, null=True, blank=True, related_name="broadcasts"
    )
    # the id a workstation reads it by without sign-in (CAP, Atom): not guessable, unlike pk
    public_id = models.CharField(max_length=32, unique=True, default=public_id, editable=False)
    group = models.CharField(max_length=40)
    group_label = models.JSONField(default=dict)
    hosts = models.JSONField(default=list)
    kind = models.CharField(max_length=10, choices=BroadcastKind.choices)
    title = models.JSONField()
    message = models.JSONField()
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["institution", "starts_at"], name="rb_broadcast_start")]
        constraints = [valid_state("kind", BroadcastKind.values, "rb_broadcast_kind")]

    def __str__(self) -> str:
        return pick(self.title)


class BroadcastsVersion(models.Model):
    """One row whose number goes up in the same transaction as any change to broadcasts
    or workstation groups (services.broadcasts_changed, and signals for the writes that
    do not go through the services: packs, the admin). Each process keeps its answers to
    the workstations' polls under the number it read (selectors.public_answer): a new
    number, on any machine, makes them all stale at once."""

    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("broadcasts version")

    def __str__(self) -> str:
        return str(self.value)


class UnitConfirmation(models.Model):
    """A unit asked, by an outage's broadcasts, to confirm it works on paper (or is back
    to normal work): when, how and by whom it answered; when its lead was paged."""

    outage = models.ForeignKey(Outage, on_delete=models.CASCADE, related_name="confirmations")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    phase = models.CharField(max_length=10, choices=UnitPhase.choices)
    asked_at = models.DateTimeField()
    due_at = models.DateTimeField(help_text="silent after this, its lead is paged")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    via = models.CharField(max_length=8, choices=ConfirmedVia.choices, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    by_name = models.CharField(max_length=200, blank=True)
    lead_paged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["outage", "phase", "unit__position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["outage", "unit", "phase"], name="rb_unit_once"),
            valid_state("phase", UnitPhase.values, "rb_confirm_phase"),
            valid_state("via", [*ConfirmedVia.values, ""], "rb_confirm_via"),
        ]
        indexes = [models.Index(fields=["confirmed_at", "due_at"], name="rb_confirm_due")]

    def __str__(self) -> str:
        return f"{self.outage_id} {self.unit_id} {self.phase}"


class RegistryEntry(models.Model):
    """A patient and exam handled by hand during an outage (annex 1 « Fiche REGISTRE
    PANNE RIS»); after the return to normal, a reconciliation task for the referents.
    The identity is personal health information."""

    outage = models.ForeignKey(Outage, on_delete=models.PROTECT, related_name="entries")
    last_name = models.CharField(_("last name"), max_length=100)
    first_name = models.CharField(_("first name"), max_length=100)
    birth_date = models.DateField(_("date of birth"))
    ipp = models.CharField(_("patient id (IPP)"), max_length=20)
    provisional = models.BooleanField(default=False)
    episode = models.CharField(_("episode"), max_length=20, default="0")
    exam = models.CharField(_("exam"), max_length=200)
    modality = models.CharField(_("modality"), max_length=20)
    accession_number = models.CharField(_("accession number"), max_length=40, blank=True)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    state = models.CharField(max_length=14, choices=EntryState.choices, default="recorded")
    final_ipp = models.CharField(max_length=20, blank=True)
    final_episode = models.CharField(max_length=20, blank=True)
    reconciled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    reconciled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["outage", "id"]
        constraints = [valid_state("state", EntryState.values, "rb_entry_state")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.modality}"  # no identity: it is personal health information


class AlertRule(models.Model):
    """Monitoring's alerts mapped to a runbook (pack data): an alert whose labels include
    all of `match` opens (or joins) an outage of that runbook."""

    institution = models.ForeignKey("core.Institution", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(default=0)
    match = models.JSONField()
    runbook = models.ForeignKey(Runbook, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.match} -> {self.runbook.code}"


class Alert(models.Model):
    """One alert from monitoring (Prometheus Alertmanager), by its fingerprint: what it
    opened or joined, how often it repeated, whether it is resolved."""

    institution = models.ForeignKey("core.Institution", on_delete=models.CASCADE, related_name="+")
    fingerprint = models.CharField(max_length=64)
    # Alertmanager's group: the unmapped alerts of one group share one incident
    group_key = models.CharField(max_length=300, blank=True, default="")
    labels = models.JSONField(default=dict)
    status = models.CharField(max_length=10, default="firing")
    outage = models.ForeignKey(
        Outage, on_delete=models.PROTECT, null=True, blank=True, related_name="alerts"
    )
    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, null=True, related_name="+"
    )
    repeats = models.PositiveIntegerField(default=0)
    first_seen = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-first_seen", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "fingerprint"], name="rb_alert_fp")
        ]

    def __str__(self) -> str:
        return f"{self.labels.get('alertname', self.fingerprint)} ({self.status})"
