"""The decision chart (logigramme) of an institution, as loaded from its pack."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from escalade.core.models import Institution


class Chart(models.Model):
    """Reminders and the default answer for combinations the chart does not cover."""

    institution = models.OneToOneField(Institution, on_delete=models.CASCADE, related_name="chart")
    reminders = models.JSONField(default=list)
    fallback = models.JSONField(default=dict, help_text="{requester: [steps]}")

    class Meta:
        verbose_name = _("routing chart")
        verbose_name_plural = _("routing charts")

    def __str__(self) -> str:
        return self.institution.code


class ChartRow(models.Model):
    """requester x need x subject (x location) -> levels 1-3 of steps, and notes."""

    chart = models.ForeignKey(Chart, on_delete=models.CASCADE, related_name="rows")
    requester = models.CharField(max_length=20)
    need = models.CharField(max_length=30)
    subject = models.CharField(max_length=30)
    location = models.CharField(max_length=30, blank=True)
    supported = models.BooleanField(default=True)
    levels = models.JSONField(default=list)
    notes = models.JSONField(default=list, blank=True)
    source = models.CharField(max_length=100, blank=True, help_text="where in the source document")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("chart row")
        verbose_name_plural = _("chart rows")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["chart", "requester", "need", "subject", "location"], name="routing_row_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.requester}/{self.need}/{self.subject}/{self.location or '-'}"
