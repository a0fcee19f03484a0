from django.contrib import admin

from .models import AuditEvent, FiscalPeriod, Institution, Schedule


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ("code", "label", "timezone", "request_prefix", "ticket_prefix")
    readonly_fields = ("pack_path", "pack_digest")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit log, read-only."""

    list_display = ("at", "actor", "action", "object_type", "object_id")
    list_filter = ("action", "object_type")
    search_fields = ("object_id",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin):
    """The periodic jobs, with their last and next run."""

    list_display = ("name", "cron", "enabled", "last_run_at", "next_run_at", "task")
    readonly_fields = ("task", "last_run_at")


@admin.register(FiscalPeriod)
class FiscalPeriodAdmin(admin.ModelAdmin):
    list_display = ("year", "number", "start", "end")
    list_filter = ("year",)
