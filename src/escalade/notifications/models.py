"""In-app notifications: the one place that tells people something happened."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import DeliveryState


class Notification(models.Model):
    """A message for one user, rendered in the reader's language when shown."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    params = models.JSONField(default=dict, blank=True)
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notif_user_unread")]

    def __str__(self) -> str:
        return f"{self.kind} -> {self.user_id}"


class OutgoingMail(models.Model):
    """An e-mail to send: kept until it is sent, retried with backoff, never lost."""

    PENDING, SENDING, SENT, FAILED = (
        DeliveryState.PENDING,
        DeliveryState.SENDING,
        DeliveryState.SENT,
        DeliveryState.FAILED,
    )
    STATES = DeliveryState.choices

    to = models.JSONField(default=list)
    # Blank: DEFAULT_FROM_EMAIL. A mailbox's replies come from its own address, so that
    # the requester's answer comes back to it.
    from_email = models.CharField(max_length=254, blank=True)
    # Threading and loop headers (In-Reply-To, References, Auto-Submitted...).
    headers = models.JSONField(default=dict, blank=True)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    attachment_name = models.CharField(max_length=200, blank=True)
    attachment = models.BinaryField(blank=True, default=b"")
    attachment_type = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=8, choices=STATES, default=PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # When a worker took it to send (state "sending"): another worker leaves it alone
    # until the lease is over (the first one died), then sends it again.
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.subject} -> {', '.join(self.to)} ({self.state})"


class Webhook(models.Model):
    """An outgoing webhook: events POSTed as JSON, signed with HMAC-SHA256 of the body."""

    institution = models.ForeignKey("core.Institution", on_delete=models.CASCADE, related_name="+")
    url = models.URLField(_("URL"))
    secret = models.CharField(_("secret"), max_length=200)
    events = models.JSONField(_("events"), default=list, help_text="event names; empty means all")
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event for one webhook, retried with backoff until the receiver accepts it."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=60)
    payload = models.JSONField(default=dict)
    state = models.CharField(
        max_length=8, choices=OutgoingMail.STATES, default=OutgoingMail.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.event} -> {self.webhook_id} ({self.state})"
