"""Action items: the work a major-incident report or a problem asks for (what, who, by
when), followed until done."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from escalade.core.models import Institution
from escalade.core.transitions import valid_state

from .choices import ActionSource, ActionState


class ActionItem(models.Model):
    """One thing to change after a major incident (its report names it) or to remove a
    problem's cause (a corrective measure): its owner is told, reminded before its due
    date and while it is overdue, and the report, the follow-up report and the
    statistics show its state."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("asked by"), max_length=20, choices=ActionSource.choices)
    # the major incident (its report) or the problem: by id, as the audit log names rows
    source_id = models.PositiveBigIntegerField()
    # what the owner is sent to (the report's page, the problem's)
    link = models.CharField(max_length=200, blank=True)
    # how the source reads in a list ("CCT-2026-000412", "#7 Codec freezes")
    source_label = models.CharField(max_length=200, blank=True)
    text = models.TextField(_("what"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action_items",
        verbose_name=_("owner"),
    )
    due = models.DateField(_("due date"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=ActionState.choices, default=ActionState.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    # the reminders sent (rules.reminder_key), each once
    reminded = models.JSONField(default=list, blank=True, editable=False)

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due", "id"]
        indexes = [
            models.Index(fields=["source", "source_id"], name="act_source"),
            models.Index(fields=["institution", "state", "due"], name="act_inst_due"),
            models.Index(fields=["owner", "state"], name="act_owner"),
        ]
        constraints = [valid_state("state", ActionState.values, "act_state_valid")]

    def __str__(self) -> str:
        return self.text[:40]
