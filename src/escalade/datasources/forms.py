from django import forms
from django.utils.translation import gettext_lazy as _


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File"))


class ReportForm(forms.Form):
    organisation = forms.ChoiceField(label=_("Organisation"))
    file = forms.FileField(label=_("Report file (as received)"))

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = list(organisations)


class ErrorForm(forms.Form):
    control_id = forms.CharField(label=_("Message control id"), max_length=60)
    text = forms.CharField(
        label=_("Error"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecisionForm(forms.Form):
    """Approve or reject a worksheet received by mail (the button pressed says which)."""

    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("reject", _("Reject"))], widget=forms.HiddenInput
    )
    reason = forms.CharField(
        label=_("Why it is rejected"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
