from django.contrib import admin

from .models import ConformanceReport, DataSource, Mapping, ProvincialCode


@admin.register(DataSource)
class DataSourceAdmin(admin.ModelAdmin):
    list_display = ("code", "organisation", "system", "last_transmission_at", "trouble", "active")
    list_filter = ("institution", "active")
    exclude = ()


@admin.register(Mapping)
class MappingAdmin(admin.ModelAdmin):
    list_display = ("datasource", "system", "local_code", "target", "validated_by", "first_seen")
    list_filter = ("datasource",)
    search_fields = ("local_code", "local_display", "target")


@admin.register(ProvincialCode)
class ProvincialCodeAdmin(admin.ModelAdmin):
    list_display = ("system", "code", "display")
    search_fields = ("code", "display")


@admin.register(ConformanceReport)
class ConformanceReportAdmin(admin.ModelAdmin):
    """What the desk may know of a sealed report: that it arrived, when, its size, its
    organisation, to whom it went, its progress. Never its content, nor its file name."""

    list_display = (
        "id",
        "organisation",
        "received_at",
        "size",
        "state",
        "errors_done",
        "errors_total",
    )
    list_filter = ("state", "organisation")
    fields = (
        "organisation",
        "received_at",
        "via",
        "size",
        "routed_to",
        "state",
        "incident",
        "errors_total",
        "errors_done",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
