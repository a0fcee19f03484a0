from django.contrib import admin

from .models import Certificate, Reminder


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ("subject", "not_after", "owner", "source", "institution")
    list_filter = ("institution",)


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ("certificate", "key", "sent_at")
