from django.contrib import admin

from .models import FeedKey, Interruption, MaintenanceWindow, Notice, NoticeUpdate


class UpdateInline(admin.TabularInline):
    model = NoticeUpdate
    extra = 0
    readonly_fields = ("body", "author", "created_at")


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ("__str__", "kind", "state", "start", "end", "urgent", "institution")
    list_filter = ("institution", "kind", "state")
    inlines = [UpdateInline]
    readonly_fields = ("created_by", "created_at", "updated_at")


@admin.register(MaintenanceWindow)
class MaintenanceWindowAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "__str__",
        "rrule",
        "starting",
        "start_time",
        "duration_minutes",
        "timezone",
    )
    list_filter = ("institution",)


@admin.register(Interruption)
class InterruptionAdmin(admin.ModelAdmin):
    list_display = ("organisation", "kind", "systems", "start", "acknowledged_at")
    list_filter = ("institution", "kind")


admin.site.register(FeedKey)
