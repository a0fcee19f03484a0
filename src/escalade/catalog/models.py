"""Support providers, what they offer and exclude, their contact channels and schedules,
and the licences they renew (seed 003)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from escalade.core.hours import Calendar
from escalade.core.i18n import pick
from escalade.core.models import Institution

from .choices import ChannelKind, ContactRole, OrganisationKind


class Provider(models.Model):
    """An intervenant offering technology services (seed 003 section 3)."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    code = models.SlugField(max_length=40)
    name = models.JSONField(default=dict)
    summary = models.JSONField(default=dict, blank=True)
    phases = models.JSONField(default=list, blank=True)
    offers = models.JSONField(default=list, blank=True)
    exclusions = models.JSONField(default=list, blank=True)
    # Seed 003's « Particularité »: conditions of the offer, not things it excludes.
    particularities = models.JSONField(default=list, blank=True)
    examples = models.JSONField(default=list, blank=True)
    how_to_reach = models.JSONField(default=list, blank=True)
    response_delays = models.JSONField(default=list, blank=True)
    # A vendor or partner called about an outage (seed 004): its equipment references
    # ([{label, value}]) and what to say when calling ([{fr, en}]).
    vendor = models.BooleanField(default=False)
    references = models.JSONField(default=list, blank=True)
    call_sheet = models.JSONField(default=list, blank=True)
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
        """The channel's reference in the pack: `provider/channel`."""
        return f"{self.provider.code}.{self.code}"


class Licence(models.Model):
    """A licence the offer names, and who prepares its renewal."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    product = models.CharField(_("product"), max_length=100)
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="licences")
    renewal_owner = models.JSONField(default=dict)
    lead_days = models.PositiveIntegerField(null=True, blank=True)
    # « Au moins un mois avant la fin » (seed 003): calendar months, not 30 days.
    lead_months = models.PositiveSmallIntegerField(null=True, blank=True)
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


class Organisation(models.Model):
    """An organisation the desk serves (seed 002): it contributes data, consumes it, or
    both; its designated contacts receive the service notices."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    code = models.SlugField(_("code"), max_length=40)
    name = models.JSONField(default=dict)
    kind = models.CharField(
        _("kind"), max_length=12, choices=OrganisationKind.choices, default=OrganisationKind.BOTH
    )
    # Its business days for the notice rule (seed 002: five business days ahead).
    holiday_country = models.CharField(max_length=2, default="CA")
    holiday_subdivision = models.CharField(max_length=10, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="organisations",
        verbose_name=_("signed-in users"),
        help_text="users who see this organisation's notices as a banner",
    )
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["institution", "code"], name="cat_org_code")]

    def __str__(self) -> str:
        return pick(self.name) or self.code

    @property
    def calendar(self):
        """Its business days: the public holidays of its own province or state."""

        return Calendar(self.holiday_country, self.holiday_subdivision)


class Contact(models.Model):
    """A designated contact of an organisation, by role, with channels and language.
    Not confirmed for the pack's period -> stale (the organisation is asked to confirm)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="contacts"
    )
    role = models.CharField(_("role"), max_length=24, choices=ContactRole.choices)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, help_text="E.164")
    extension = models.CharField(_("extension"), max_length=10, blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=[("fr", "Français"), ("en", "English")], default="fr"
    )
    confirmed_at = models.DateTimeField(_("confirmed"), default=timezone.now)
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["organisation", "role", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


class ContactCheck(models.Model):
    """A request to confirm a stale contact, sent once per key (contact, confirmation,
    month of staleness), whatever the number of workers."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="checks")
    key = models.CharField(max_length=40)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contact", "key"], name="cat_check_once")]

    def __str__(self) -> str:
        return f"{self.contact_id} {self.key}"
