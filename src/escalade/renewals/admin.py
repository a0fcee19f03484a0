from django.contrib import admin

from .models import Certificate, HeldLicence, Reminder


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ("subject", "not_after", "owner", "source", "institution")
    list_filter = ("institution",)


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ("certificate", "licence", "key", "sent_at")


@admin.register(HeldLicence)
class HeldLicenceAdmin(admin.ModelAdmin):
    list_display = ("product", "holder", "seats", "end", "decision", "owner")
    list_filter = ("institution", "decision")
