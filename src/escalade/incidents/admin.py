"""Admin: incidents can be read and logged here; every write goes through services."""

from django import forms
from django.contrib import admin

from escalade.core.errors import Invalid

from . import services
from .models import Incident, IncidentPolicy, SymptomCategory, Ticket


@admin.register(SymptomCategory)
class SymptomCategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "institution", "group", "active")
    list_filter = ("institution", "group", "active")


@admin.register(IncidentPolicy)
class IncidentPolicyAdmin(admin.ModelAdmin):
    list_display = ("institution", "follow_up_hours")


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ("number", "incident", "opened_at")
    search_fields = ("number", "incident__number")

    def has_change_permission(self, request, obj=None):
        return False


IncidentFields = (
    "institution",
    "channel",
    "requester_name",
    "requester_role",
    "requester_site",
    "requester_phone",
    "requester_phone_ext",
    "session_ref",
    "symptom",
    "summary",
    "description",
    "resolved_on_first_call",
    "impact",
    "urgency",
)


class IncidentAdminForm(forms.ModelForm):
    class Meta:
        model = Incident
        fields = IncidentFields

    def clean(self):
        data = super().clean()
        try:
            services.parse_phone(
                data.get("requester_phone", ""), data.get("requester_phone_ext", "")
            )
        except Invalid as exc:
            self.add_error("requester_phone", exc.errors[0][1])
        return data


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    form = IncidentAdminForm
    list_display = ("number", "summary", "severity", "level", "status", "priority", "created_at")
    list_filter = ("institution", "severity", "level", "status")
    search_fields = ("number", "summary", "requester_name")
    fields = IncidentFields

    def get_readonly_fields(self, request, obj=None):
        return self.fields if obj is not None else ()

    def save_model(self, request, obj, form, change):
        """New incidents logged in the admin take the same path as the phone form."""
        if change:
            return
        created = services.log_incident(
            request.user,
            form.cleaned_data["institution"],
            services.IncidentInput.from_fields(form.cleaned_data),
        )
        obj.pk = created.pk
        obj.number = created.number

    def has_delete_permission(self, request, obj=None):
        return False
