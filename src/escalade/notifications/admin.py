from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Notification, OutgoingMail
from .tasks import deliver_mail


@admin.register(OutgoingMail)
class OutgoingMailAdmin(admin.ModelAdmin):
    """Failed e-mails are shown here and can be sent again."""

    list_display = ("created_at", "subject", "state", "attempts", "next_attempt_at", "last_error")
    list_filter = ("state",)
    readonly_fields = (
        "to",
        "subject",
        "body",
        "attachment_name",
        "state",
        "attempts",
        "last_error",
        "sent_at",
    )
    exclude = ("attachment",)
    actions = ["retry"]

    @admin.action(description=_("Send again"))
    def retry(self, request, queryset):
        n = 0
        for mail in queryset.exclude(state__in=[OutgoingMail.SENT, OutgoingMail.SENDING]):
            OutgoingMail.objects.filter(pk=mail.pk).update(
                state=OutgoingMail.PENDING, attempts=0, next_attempt_at=timezone.now()
            )
            deliver_mail.enqueue(mail.pk)
            n += 1
        messages.info(
            request,
            ngettext("%(n)s e-mail queued again.", "%(n)s e-mails queued again.", n) % {"n": n},
        )


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "kind", "read_at")


from .models import Webhook, WebhookDelivery  # noqa: E402


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    list_display = ("url", "institution", "events", "active")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """Deliveries that did not go through are shown here with their last error."""

    list_display = ("created_at", "event", "webhook", "state", "attempts", "last_error")
    list_filter = ("state", "event")
