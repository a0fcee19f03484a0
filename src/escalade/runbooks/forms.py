"""The outage pages' forms: activation, the registry (keyboard only, in seconds), vendor
tickets, reconciliation, closing."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ActivateForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    incident = forms.CharField(
        label=_("Existing incident (number), or empty for a new one"), required=False, max_length=40
    )


class EntryForm(forms.Form):
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )
    first_name = forms.CharField(
        label=_("First name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    birth_date = forms.DateField(
        label=_("Date of birth"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ipp = forms.CharField(
        label=_("Patient id (IPP), if known"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    exam = forms.CharField(label=_("Exam"), max_length=200)
    modality = forms.CharField(label=_("Modality"), max_length=20)
    accession_number = forms.CharField(label=_("Accession number"), required=False, max_length=40)


class VendorRefForm(forms.Form):
    vendor = forms.CharField(label=_("Vendor or partner"), max_length=60)
    reference = forms.CharField(label=_("Their ticket reference"), max_length=60)


class ReconcileForm(forms.Form):
    ipp = forms.CharField(label=_("Patient id (IPP)"), max_length=20)
    episode = forms.CharField(label=_("Episode"), max_length=20)


class CloseForm(forms.Form):
    review_needed = forms.ChoiceField(
        label=_("Does the runbook need review (seed 004, section VII)?"),
        choices=[("no", _("No")), ("yes", _("Yes: a malfunction or a risk was found"))],
        widget=forms.RadioSelect,
    )
