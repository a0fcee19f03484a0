"""The outage pages' forms: activation, the registry (keyboard only, in seconds), vendor
tickets, reconciliation, closing."""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import rules


class ActivateForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    incident = forms.CharField(
        label=_("Existing incident (number), or empty for a new one"), required=False, max_length=40
    )


# How a typed date is written, in the reader's language (JJ/MM/AAAA in French).
DATE_HINTS = {"dmy": _("DD/MM/YYYY"), "ymd": _("YYYY-MM-DD")}


class EntryForm(forms.Form):
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    first_name = forms.CharField(
        label=_("First name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    # one text field typed in the institution's order (12/03/1957 in Pau): a browser's date
    # control swallows the Tab and follows the workstation's locale
    birth_date = forms.CharField(
        label=_("Date of birth"),
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
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
    confirm_duplicate = forms.BooleanField(
        label=_("Enter it again although this patient is already in the registry"),
        required=False,
    )

    def __init__(self, *args, institution=None, focus=False, **kwargs):
        super().__init__(*args, **kwargs)
        if focus:  # the next entry, typed at once (not when the outage page is opened)
            self.fields["last_name"].widget.attrs["autofocus"] = True
        region = getattr(institution, "region", "CA")
        setting = institution.setting("date_order") if institution is not None else None
        self.order = rules.date_order(region, setting)
        hint = DATE_HINTS[self.order]
        field = self.fields["birth_date"]
        field.widget.attrs["placeholder"] = hint
        field.help_text = _("Typed as %(format)s, digits only are enough.") % {"format": hint}
        if (self.data or {}).get("confirm_duplicate") not in ("on", "true", "True", "1"):
            # asked only when the registry finds the same patient (add_error below)
            self.fields["confirm_duplicate"].widget = forms.HiddenInput()

    def add_error(self, field, error):
        if field == "confirm_duplicate":
            self.fields[field].widget = forms.CheckboxInput()
        super().add_error(field, error)

    def clean_birth_date(self):
        value = rules.parse_typed_date(self.cleaned_data["birth_date"], self.order)
        if value is None:
            raise forms.ValidationError(
                _("Type the date of birth as %(format)s.") % {"format": DATE_HINTS[self.order]}
            )
        return value


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
