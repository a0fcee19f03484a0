from django.contrib import admin

from .models import Channel, Licence, Provider


class ChannelInline(admin.TabularInline):
    model = Channel
    extra = 0
    fields = ("code", "kind", "value", "extension", "urgent_only", "schedule", "active")


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    """Providers come from packs; edit the pack and load it again to change them."""

    list_display = ("code", "__str__", "institution", "active")
    list_filter = ("institution", "active")
    inlines = [ChannelInline]


@admin.register(Licence)
class LicenceAdmin(admin.ModelAdmin):
    list_display = ("product", "provider", "institution", "lead_days")
    list_filter = ("institution",)
