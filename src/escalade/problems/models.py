"""Problems: the cause behind recurring incidents with the same symptoms (seed 001,
important point 3) and the incidents linked to them; their corrective measures are
action items (actions app)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from escalade.core.i18n import pick
from escalade.core.models import Institution
from escalade.core.transitions import valid_state

from .choices import ProblemState


class Problem(models.Model):
    """The cause behind recurring incidents (ITIL problem): proposed by detection, accepted or
    rejected, a known error once it has a workaround, closed when its corrective measures are
    done."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    state = models.CharField(
        _("state"), max_length=12, choices=ProblemState.choices, default=ProblemState.PROPOSED
    )
    symptom = models.ForeignKey(
        "incidents.SymptomCategory", on_delete=models.PROTECT, null=True, related_name="+"
    )
    site = models.CharField(_("site"), max_length=200, blank=True)
    suspected_cause = models.TextField(_("suspected cause"), blank=True)
    confirmed_cause = models.TextField(_("confirmed cause"), blank=True)
    workaround = models.TextField(_("workaround"), blank=True)
    evidence = models.JSONField(default=dict, blank=True, help_text="why it was proposed")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        ordering = ["-created_at", "-id"]
        constraints = [valid_state("state", ProblemState.values, "pb_state_valid")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.label}"

    @property
    def label(self) -> str:
        """The title in the reader's language: a title detection wrote from the symptom and
        the site (in whatever language its job ran) is written again in the reader's; a
        title someone typed is theirs."""

        if self.symptom_id and self.symptom and self.symptom.label:
            generated = {f"{text} — {self.site}" for text in self.symptom.label.values()}
            if self.title in generated:
                return f"{pick(self.symptom.label)} — {self.site}"
        return self.title


class ProblemLink(models.Model):
    """An incident linked to a problem (by detection or by hand)."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="links")
    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="problem_links"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["problem", "incident"], name="problem_link_once")
        ]

    def __str__(self) -> str:
        return f"{self.problem_id} <- {self.incident_id}"


class DetectionCursor(models.Model):
    """The last incident an incremental detection looked at, per institution."""

    institution = models.OneToOneField(Institution, on_delete=models.CASCADE, related_name="+")
    last_incident_id = models.BigIntegerField(default=0)
    ran_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.institution_id}: {self.last_incident_id}"
