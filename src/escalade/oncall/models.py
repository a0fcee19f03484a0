"""The on-call app's rows: the response clocks of incidents (seed 000 steps 5-6 and 12,
seed 003's delays), the teams on call with their rotations (seed 003's « heures de garde
informatique », seed 004's « astreinte » and « cadre de garde »), and the one-off
overrides their leads make."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from escalade.core.i18n import pick
from escalade.core.models import Institution
from escalade.core.transitions import valid_state
from escalade.incidents.models import Incident

from .choices import ClockState, ClockTarget, PageChannel, PageState, PagingState, Trigger


class Clock(models.Model):
    """One target of one incident. While it runs, `elapsed` holds the counted seconds
    before `running_since` and `due_at` when it reaches its target; paused, `elapsed` is
    all there is."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="clocks")
    target = models.CharField(_("target"), max_length=16, choices=ClockTarget.choices)
    rule = models.CharField(max_length=60, help_text="the pack's rule that set the target")
    seconds = models.PositiveIntegerField(help_text="the target, in counted seconds")
    business_hours = models.BooleanField(default=False)
    state = models.CharField(
        _("state"), max_length=8, choices=ClockState.choices, default=ClockState.RUNNING
    )
    elapsed = models.FloatField(default=0)
    running_since = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("response clock")
        verbose_name_plural = _("response clocks")
        ordering = ["incident_id", "target"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "target"], name="oncall_one_clock"),
            valid_state("state", ClockState.values, "oncall_clock_state"),
        ]
        indexes = [
            models.Index(fields=["state", "warn_at"], name="oncall_clock_warn"),
            models.Index(fields=["state", "due_at"], name="oncall_clock_due"),
        ]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.target} ({self.state})"


class Team(models.Model):
    """A team on call and its rotation (pack data, oncall.yaml): members in order, each
    on call from one hand-over to the next, during the team's hours (none: always)."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="teams")
    code = models.CharField(max_length=40)
    name = models.JSONField(_("name"), default=dict)
    lead_role = models.CharField(max_length=40, help_text="the role whose members lead it")
    hours = models.JSONField(default=dict, blank=True, help_text="when it is on call")
    handover = models.TimeField()
    every_days = models.PositiveSmallIntegerField(default=7)
    starting = models.DateField()
    members = models.JSONField(default=list, help_text="[{username, name, phone}], in order")
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("on-call team")
        verbose_name_plural = _("on-call teams")
        ordering = ["institution_id", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "code"], name="oncall_team_code")
        ]

    def __str__(self) -> str:
        return f"{self.institution_id}:{self.code}"

    @property
    def label(self) -> str:
        """The team's name in the active language."""
        return pick(self.name) or self.code


class Override(models.Model):
    """A one-off change of the rotation (a swap for one night), made by a team lead."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="overrides")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("to"))
    username = models.CharField(_("person"), max_length=150)
    name = models.CharField(max_length=200)
    phone = models.CharField(max_length=40, blank=True)
    reason = models.CharField(_("reason"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("on-call override")
        verbose_name_plural = _("on-call overrides")
        ordering = ["team_id", "starts_at"]
        indexes = [models.Index(fields=["team", "ends_at"], name="oncall_override_end")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="oncall_override_span"
            )
        ]

    def __str__(self) -> str:
        return f"{self.team_id} {self.username} {self.starts_at:%Y-%m-%d %H:%M}"


class Paging(models.Model):
    """An escalation policy running for one incident: its steps page people one after
    the other until someone acknowledges (pack data: oncall.yaml's `policies`)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="pagings")
    policy = models.CharField(max_length=60)
    trigger = models.CharField(max_length=20, choices=Trigger.choices)
    state = models.CharField(
        _("state"), max_length=12, choices=PagingState.choices, default=PagingState.RUNNING
    )
    step = models.PositiveSmallIntegerField(default=0, help_text="the next step to page")
    round = models.PositiveSmallIntegerField(default=1)
    next_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    # a unit silent during an outage: its lead's page is the unit's confirmation
    unit = models.ForeignKey(
        "runbooks.UnitConfirmation", on_delete=models.CASCADE, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("paging")
        verbose_name_plural = _("pagings")
        constraints = [
            models.UniqueConstraint(fields=["incident", "policy"], name="oncall_one_paging"),
            valid_state("state", PagingState.values, "oncall_paging_state"),
        ]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.policy} ({self.state})"


class Page(models.Model):
    """One person paged at one step of a paging, on one channel."""

    paging = models.ForeignKey(Paging, on_delete=models.CASCADE, related_name="pages")
    step = models.PositiveSmallIntegerField()
    round = models.PositiveSmallIntegerField(default=1)
    username = models.CharField(max_length=150)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="pages"
    )
    name = models.CharField(max_length=200)
    channel = models.CharField(_("channel"), max_length=8, choices=PageChannel.choices)
    state = models.CharField(
        _("state"), max_length=12, choices=PageState.choices, default=PageState.SENT
    )
    sent_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    # SMS: the number, the code a reply carries ("OK 482913"), the gateway's answer
    phone = models.CharField(max_length=40, blank=True)
    code = models.CharField(max_length=8, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    accepted_at = models.DateTimeField(null=True, blank=True)  # by the SMS gateway
    # e-mail: the Message-ID a reply names (In-Reply-To), to acknowledge by replying
    message_id = models.CharField(max_length=200, blank=True, db_index=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("page")
        verbose_name_plural = _("pages")
        ordering = ["paging_id", "round", "step", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["paging", "round", "step", "username", "channel"], name="oncall_page_once"
            ),
            valid_state("state", PageState.values, "oncall_page_state"),
        ]

    def __str__(self) -> str:
        return f"{self.paging_id} step {self.step} -> {self.username} ({self.state})"
