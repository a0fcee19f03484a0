from django.contrib import admin

from .models import Clock


@admin.register(Clock)
class ClockAdmin(admin.ModelAdmin):
    list_display = ("incident", "target", "state", "seconds", "due_at", "breached_at")
    list_filter = ("state", "target")
    raw_id_fields = ("incident",)
    readonly_fields = ("elapsed", "running_since", "due_at", "warn_at", "warned_at", "breached_at")
