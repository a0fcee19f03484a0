from django.contrib import admin

from .models import ActionItem


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ("text", "source", "source_label", "owner", "due", "state")
    list_filter = ("state", "source", "institution")
    readonly_fields = ("reminded", "created_at", "created_by", "done_at")
