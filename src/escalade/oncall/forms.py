"""The on-call page's form: a lead's override of the rotation."""

from django import forms
from django.utils.translation import gettext_lazy as _

LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class OverrideForm(forms.Form):
    team = forms.ChoiceField(label=_("Team"))
    starts_at = forms.DateTimeField(label=_("From"), widget=LOCAL)
    ends_at = forms.DateTimeField(label=_("To"), widget=LOCAL)
    username = forms.CharField(
        label=_("Person on call instead"),
        max_length=150,
        help_text=_("A member's username, or anyone's with their name and phone."),
    )
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args, teams=(), zone: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [(t.code, t.label) for t in teams]
        if zone:  # read in the institution's zone (the header's), whatever the person's
            self.fields["starts_at"].help_text = _("In the institution's time (%(zone)s).") % {
                "zone": zone
            }
