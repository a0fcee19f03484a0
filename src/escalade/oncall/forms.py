"""The on-call page's form: a lead's override of the rotation."""

from django import forms
from django.utils.translation import gettext_lazy as _

from escalade.core.fields import LocalDateTimeField


class OverrideForm(forms.Form):
    team = forms.ChoiceField(label=_("Team"))
    starts_at = LocalDateTimeField(label=_("From"))
    ends_at = LocalDateTimeField(label=_("To"), help_text="")
    username = forms.CharField(
        label=_("Person on call instead"),
        max_length=150,
        help_text=_("A member's username, or anyone's with their name and phone."),
    )
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [(t.code, t.label) for t in teams]
