from django.contrib import admin

from .models import Channel, Contact, Licence, Organisation, Provider


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


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("code", "__str__", "kind", "institution")
    list_filter = ("institution", "kind")
    filter_horizontal = ("members",)
    inlines = [ContactInline]
