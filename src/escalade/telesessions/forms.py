from django import forms
from django.utils.translation import gettext_lazy as _

from escalade.core.fields import LocalDateTimeField
from escalade.core.i18n import pick
from escalade.incidents.models import SymptomCategory

from .choices import SessionKind


class SessionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=SessionKind.choices)
    start = LocalDateTimeField(label=_("Start"))
    end = LocalDateTimeField(label=_("End"), help_text="")
    requesting_site = forms.CharField(label=_("Requesting site"), max_length=200)
    provider_sites = forms.CharField(
        label=_("Provider sites (one per line)"), widget=forms.Textarea(attrs={"rows": 2})
    )
    technical_contact = forms.CharField(
        label=_("Technical contact or autonomous user"), required=False
    )
    clinical_contact = forms.CharField(label=_("Clinical contact"), required=False)
    health_professional = forms.CharField(label=_("Health professional"), required=False)
    coordinator = forms.CharField(label=_("Coordinator"), required=False)
    patients = forms.CharField(
        label=_("Patients (one per line: name; phone; appointment HH:MM)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV export of the scheduling system"))


class TroubleshootForm(forms.Form):
    symptom = forms.ChoiceField(label=_("Symptom"))
    description = forms.CharField(
        label=_("What happens"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, institution=None, **kwargs):
        super().__init__(*args, **kwargs)
        cats = SymptomCategory.objects.filter(institution=institution, active=True)
        self.fields["symptom"].choices = [(c.code, pick(c.label)) for c in cats]
        self.fields["symptom"].initial = "audio_video"


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
