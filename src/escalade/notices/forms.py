from django import forms
from django.utils.translation import gettext_lazy as _

from escalade.catalog.models import Organisation
from escalade.core.fields import LocalDateTimeField
from escalade.core.i18n import pick

from .choices import NoticeKind


class NoticeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=NoticeKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    start = LocalDateTimeField(label=_("Start"))
    end = LocalDateTimeField(label=_("End"), required=False, help_text=_("Leave empty if unknown."))
    services = forms.CharField(
        label=_("Affected services (comma-separated)"), required=False, max_length=500
    )
    organisations = forms.MultipleChoiceField(
        label=_("Organisations"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every organisation."),
    )
    impact = forms.CharField(
        label=_("Impact"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    user_action = forms.CharField(
        label=_("What users should do"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    body = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    urgent = forms.BooleanField(label=_("Urgent (less than the notice period)"), required=False)
    urgent_reason = forms.CharField(label=_("Reason for urgency"), required=False)
    outside_window_ok = forms.BooleanField(
        label=_("I confirm this work falls outside the maintenance windows"), required=False
    )
    public = forms.BooleanField(label=_("Public (in the public feeds)"), required=False)

    def __init__(self, *args, institution=None, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = Organisation.objects.filter(institution=institution, active=True)
        self.fields["organisations"].choices = [(o.code, pick(o.name)) for o in orgs]

    def data_for_service(self) -> dict:
        d = dict(self.cleaned_data)
        d["services"] = [s.strip() for s in d.get("services", "").split(",") if s.strip()]
        return d


class UpdateForm(forms.Form):
    body = forms.CharField(label=_("Update"), widget=forms.Textarea(attrs={"rows": 2}))
    resolve = forms.BooleanField(label=_("This is the resolution"), required=False)


class InterruptionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=NoticeKind.choices)
    systems = forms.CharField(label=_("Systems affected"), max_length=300)
    start = LocalDateTimeField(label=_("Start"))
    end = LocalDateTimeField(label=_("End"), required=False, help_text="")
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    reporter_name = forms.CharField(label=_("Reported by"), required=False, max_length=200)
    reporter_contact = forms.CharField(
        label=_("Call-back (phone or e-mail)"), required=False, max_length=200
    )
