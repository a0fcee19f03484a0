from django import forms
from django.utils.translation import gettext_lazy as _


class MajorReportForm(forms.Form):
    cause = forms.CharField(
        label=_("Cause"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    resolution = forms.CharField(
        label=_("Resolution"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    organisational_repercussions = forms.CharField(
        label=_("Organisational repercussions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    clinical_repercussions = forms.CharField(
        label=_("Clinical repercussions"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    sessions_cancelled = forms.IntegerField(label=_("Sessions cancelled"), min_value=0)
    patients_affected = forms.IntegerField(label=_("Patients affected"), min_value=0)
    care_delayed = forms.CharField(
        label=_("Care delayed"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    distribution = forms.CharField(
        label=_("Distribution (e-mail addresses, one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Colleagues, event coordinators, the clinical coordinator."),
    )

    def clean_distribution(self):
        return [
            line.strip() for line in self.cleaned_data["distribution"].splitlines() if line.strip()
        ]


class ActionItemForm(forms.Form):
    """An action item the report asks for: what, who, by when."""

    text = forms.CharField(label=_("What is to be done"), max_length=2000)
    owner = forms.ChoiceField(label=_("Owner"))
    due = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "—"), *[(u, u) for u in members]]


class AccessReportForm(forms.Form):
    name = forms.CharField(label=_("Patient's first and last names"), max_length=200)
    birth_date = forms.DateField(
        label=_("Birth date"), widget=forms.DateInput(attrs={"type": "date"})
    )
