from django.contrib import admin

from .models import Chart, ChartRow


class ChartRowInline(admin.TabularInline):
    model = ChartRow
    extra = 0
    fields = ("requester", "need", "subject", "location", "supported", "source")
    readonly_fields = fields
    can_delete = False


@admin.register(Chart)
class ChartAdmin(admin.ModelAdmin):
    """The chart comes from the institution's pack (chart.yaml)."""

    list_display = ("institution",)
    inlines = [ChartRowInline]
