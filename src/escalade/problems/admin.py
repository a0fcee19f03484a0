from django.contrib import admin

from .models import Problem, ProblemLink


@admin.register(Problem)
class ProblemAdmin(admin.ModelAdmin):
    list_display = ("__str__", "state", "symptom", "site", "institution")
    list_filter = ("institution", "state")
    search_fields = ("title", "suspected_cause", "confirmed_cause")


@admin.register(ProblemLink)
class ProblemLinkAdmin(admin.ModelAdmin):
    list_display = ("problem", "incident", "linked_at")
    raw_id_fields = ("problem", "incident")
