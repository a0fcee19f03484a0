from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from escalade.core.errors import DomainError

from . import services
from .choices import State
from .models import Mailbox, Message


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    """The mailboxes (from the packs; the password is an environment variable's name)."""

    list_display = (
        "code",
        "institution",
        "address",
        "active",
        "last_fetch_at",
        "taken",
        "rejected",
        "errors",
    )
    list_filter = ("institution", "active")
    readonly_fields = (
        "uidvalidity",
        "last_uid",
        "last_fetch_at",
        "last_error",
        "fetching_until",
        "taken",
        "rejected",
        "errors",
    )


class RejectedFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return State.choices

    def queryset(self, request, queryset):
        return queryset.filter(state=self.value()) if self.value() else queryset


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Every message received or sent; the rejected ones with their reason, to take
    again. The text is not listed here (it may hold personal health information: it is
    read on the incident's page, by those who may)."""

    list_display = (
        "at",
        "mailbox",
        "direction",
        "state",
        "sender",
        "subject",
        "reason_code",
        "incident",
    )
    list_filter = (RejectedFilter, "direction", "mailbox")
    search_fields = ("sender", "subject", "message_id")
    exclude = ("raw", "text")
    readonly_fields = [
        f
        for f in (
            "institution",
            "mailbox",
            "direction",
            "via",
            "kind",
            "message_id",
            "in_reply_to",
            "references",
            "uid",
            "sender",
            "sender_name",
            "to",
            "subject",
            "language",
            "size",
            "state",
            "reason_code",
            "reason",
            "rule",
            "incident",
            "outgoing",
            "by",
            "at",
        )
    ]
    actions = ["take_again"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Take again (rejected messages)"))
    def take_again(self, request, queryset):
        n, refused = 0, []
        for message in queryset.filter(state=State.REJECTED).select_related("mailbox__institution"):
            try:
                services.retake(request.user, message)
                n += 1
            except DomainError as exc:
                refused.append(str(exc.message))
        messages.info(
            request,
            ngettext("%(n)s message taken again.", "%(n)s messages taken again.", n) % {"n": n},
        )
        for reason in sorted(set(refused)):
            messages.error(request, reason)
