"""Support providers, what they offer and exclude, their contact channels and schedules,
and the licences they renew (seed 003)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from escalade.core.i18n import pick
from escalade.core.models import Institution

from .choices import ChannelKind


class Provider(models.Model):
    """An intervenant offering technology services (seed 003 section 3)."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    code = models.SlugField(max_length=40)
    name = models.JSONField(default=dict)
    summary = models.JSONField(default=dict, blank=True)
    phases = models.JSONField(default=list, blank=True)
    offers = models.JSONField(default=list, blank=True)
    exclusions = models.JSONField(default=list, blank=True)
    examples = models.JSONField(default=list, blank=True)
    how_to_reach = models.JSONField(default=list, blank=True)
    response_delays = models.JSONField(default=list, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("provider")
        verbose_name_plural = _("providers")
        ordering = ["position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "code"], name="cat_provider_code")
        ]

    def __str__(self) -> str:
        return pick(self.name) or self.code


class Channel(models.Model):
    """One way to reach a provider, with its own schedule and an 'urgent only' flag."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="channels")
    code = models.SlugField(max_length=40)
    kind = models.CharField(max_length=12, choices=ChannelKind.choices)
    label = models.JSONField(default=dict, blank=True)
    value = models.JSONField(default=str, help_text="a phone number, address, URL, or {en, fr}")
    extension = models.CharField(max_length=10, blank=True)
    path = models.JSONField(default=dict, blank=True, help_text="where to go in a ticket portal")
    urgent_only = models.BooleanField(default=False)
    schedule = models.JSONField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("contact channel")
        verbose_name_plural = _("contact channels")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "code"], name="cat_channel_code")
        ]

    def __str__(self) -> str:
        return f"{self.provider.code}.{self.code}"

    @property
    def ref(self) -> str:
        return f"{self.provider.code}.{self.code}"


class Licence(models.Model):
    """A licence the offer names, and who prepares its renewal."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    product = models.CharField(_("product"), max_length=100)
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="licences")
    renewal_owner = models.JSONField(default=dict)
    lead_days = models.PositiveIntegerField(null=True, blank=True)
    note = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("licence")
        verbose_name_plural = _("licences")
        ordering = ["product"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "product"], name="cat_licence_product")
        ]

    def __str__(self) -> str:
        return self.product
