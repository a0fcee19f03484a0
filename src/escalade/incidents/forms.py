"""Forms of the incident pages. Validation of the domain lives in services; forms only
shape the input and show errors in place."""

import phonenumbers
from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from escalade.core import web
from escalade.core.errors import DomainError
from escalade.core.i18n import pick
from escalade.routing.choices import Location, Need, Subject
from escalade.routing.models import Chart

from .choices import (
    Channel,
    Impact,
    Language,
    Level,
    PartnerKind,
    RequesterRole,
    Severity,
    SymptomGroup,
    Urgency,
)
from .models import SymptomCategory
from .services import parse_phone

# Service error fields -> form fields.
FIELD_MAP = {
    "requester.name": "requester_name",
    "requester.role": "requester_role",
    "requester.site": "requester_site",
    "requester.phone": "requester_phone",
    "requester.phone_ext": "requester_phone_ext",
}


def show_errors(form: forms.Form, exc: DomainError) -> None:
    """The intake's service errors on its fields (requester.name -> requester_name)."""
    web.show_errors(form, exc, FIELD_MAP)


class SymptomSelect(forms.Select):
    """The symptom list: each option carries its group, so the page can say at once that
    a major symptom opens a ticket (and ask to confirm a choice made by typing)."""

    groups: dict[str, str] = {}
    names: dict[str, str] = {}  # the symptom's name alone: the summary offered

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        group = self.groups.get(str(value))
        if group:
            option["attrs"]["data-group"] = group
        if str(value) in self.names:
            option["attrs"]["data-summary"] = self.names[str(value)]
        return option


class IntakeForm(forms.Form):
    """The phone intake form: keyboard-first, in the order of the call. The phone comes
    first (the telephone shows it before the caller speaks): a returning caller's name,
    role and site are then offered from their last call."""

    requester_phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        help_text=_("e.g. 514-934-1934, ext. 36000"),
    )
    requester_phone_ext = forms.CharField(label=_("Extension"), max_length=10, required=False)
    requester_name = forms.CharField(label=_("Requester's name"), max_length=200)
    requester_role = forms.ChoiceField(label=_("Requester's role"), choices=RequesterRole.choices)
    requester_site = forms.CharField(label=_("Site"), max_length=200)
    session_ref = forms.CharField(
        label=_("Telehealth session (if any)"), max_length=60, required=False
    )
    symptom = forms.ChoiceField(label=_("Symptom"), widget=SymptomSelect)
    summary = forms.CharField(label=_("Summary"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    resolved_on_first_call = forms.BooleanField(label=_("Resolved on this call"), required=False)
    # Blank: the symptom's own rating in the pack gives the first priority.
    impact = forms.ChoiceField(
        label=_("Impact"),
        required=False,
        choices=[("", _("— from the symptom —")), *Impact.choices],
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        required=False,
        choices=[("", _("— from the symptom —")), *Urgency.choices],
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    requester_language = forms.ChoiceField(
        label=_("Caller's language"), required=False, choices=Language.choices
    )
    # The major incident in progress this call is about: set by the known incident's
    # button beside the form (Alt+J), which saves the call attached to it.
    attach_to = forms.CharField(max_length=30, required=False, widget=forms.HiddenInput)
    # Solved at this step of the symptom's diagnostic guide (its button beside the form),
    # and the guide's version the agent read.
    guide_step = forms.IntegerField(
        min_value=1, max_value=50, required=False, widget=forms.HiddenInput
    )
    guide_version = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
    # The routing question (seed 003), offered where the institution has a chart.
    need = forms.ChoiceField(label=_("Need"), required=False)
    subject = forms.ChoiceField(label=_("Whom to contact: subject"), required=False)
    location = forms.ChoiceField(label=_("Where is the connection?"), required=False)

    def __init__(self, *args, institution=None, policy=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.region = getattr(institution, "region", "CA")
        if self.region != "CA":  # an example as people of the institution's country write it
            example = phonenumbers.example_number_for_type(
                self.region, phonenumbers.PhoneNumberType.FIXED_LINE
            )
            if example is not None:
                self.fields["requester_phone"].help_text = _("e.g. %(example)s") % {
                    "example": phonenumbers.format_number(
                        example, phonenumbers.PhoneNumberFormat.NATIONAL
                    )
                }
        cats = SymptomCategory.objects.filter(institution=institution, active=True)
        groups = []
        tags = {
            SymptomGroup.MAJOR: _("major, opens a ticket"),
            SymptomGroup.MINOR: _("minor"),
        }
        for group in SymptomGroup:
            tag = tags.get(group)
            options = [
                (c.code, f"{pick(c.label)} ({tag})" if tag else pick(c.label))
                for c in cats
                if c.group == group
            ]
            if options:
                groups.append((group.label, options))
        self.fields["symptom"].choices = [("", _("— choose —")), *groups]
        widget = self.fields["symptom"].widget
        widget.groups = {c.code: c.group for c in cats}
        widget.names = {c.code: pick(c.label) for c in cats}
        widget.attrs.update(
            {
                "data-confirm-major": _(
                    "This symptom is major: saving opens a ticket and assigns it. Keep it?"
                ),
                "aria-describedby": "symptom-severity",
            }
        )
        self.fields["requester_name"].widget.attrs["autocomplete"] = "off"
        phone = self.fields["requester_phone"].widget
        phone.input_type = "tel"
        phone.attrs.update(
            {
                "autocomplete": "off",
                "hx-get": reverse("incidents:caller"),
                "hx-trigger": "change",
                "hx-target": "#caller-card",
                "hx-swap": "outerHTML",
            }
        )
        # The cursor starts where typing begins: on the phone, or on the symptom when
        # the caller is known (the telephony passed the phone in the address).
        first = "symptom" if self.initial.get("requester_name") else "requester_phone"
        if not self.initial.get("requester_name") and self.initial.get("requester_phone"):
            first = "requester_name"
        self.fields[first].widget.attrs["autofocus"] = True

        self.has_chart = Chart.objects.filter(institution=institution).exists()
        if self.has_chart:
            blank = [("", _("— choose —"))]
            self.fields["need"].choices = blank + list(Need.choices)
            self.fields["subject"].choices = blank + list(Subject.choices)
            self.fields["location"].choices = blank + list(Location.choices)
        else:
            for name in ("need", "subject", "location"):
                del self.fields[name]

    def clean(self):
        data = super().clean()

        try:
            parse_phone(
                data.get("requester_phone", ""),
                data.get("requester_phone_ext", ""),
                region=self.region,
            )
        except DomainError as exc:
            show_errors(self, exc)
        return data


class EscalateForm(forms.Form):
    to_level = forms.TypedChoiceField(label=_("To level"), coerce=int, choices=Level.choices)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    partner = forms.CharField(
        label=_("External partner (from level 2)"), max_length=120, required=False
    )
    partner_kind = forms.ChoiceField(
        label=_("Kind of partner"), required=False, choices=[("", "—"), *PartnerKind.choices]
    )
    external_ref = forms.CharField(
        label=_("Partner's ticket reference"), max_length=80, required=False
    )


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label=_("Resolution"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class GuideForm(forms.Form):
    """A guide written again: its steps in French and in English, one per line, the same
    number in both."""

    fr = forms.CharField(
        label=_("Steps in French, one per line"), widget=forms.Textarea(attrs={"rows": 8})
    )
    en = forms.CharField(
        label=_("Steps in English, one per line"), widget=forms.Textarea(attrs={"rows": 8})
    )

    def clean(self):
        data = super().clean()
        fr = [line.strip() for line in data.get("fr", "").splitlines() if line.strip()]
        en = [line.strip() for line in data.get("en", "").splitlines() if line.strip()]
        if fr and en and len(fr) != len(en):
            self.add_error(
                "en",
                _("%(en)s steps in English for %(fr)s in French: give each step in both.")
                % {"en": len(en), "fr": len(fr)},
            )
        data["steps"] = [{"text": {"fr": f, "en": e}} for f, e in zip(fr, en, strict=False)]
        return data


class AttachForm(forms.Form):
    parent = forms.CharField(
        label=_("Number of the major incident in progress"),
        max_length=30,
        widget=forms.TextInput(attrs={"placeholder": "CCT-2026-000412"}),
    )


class MergeForm(forms.Form):
    into = forms.CharField(label=_("Number of the incident kept"), max_length=30)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}))
    to_requester = forms.BooleanField(
        label=_("Also send it to the requester by e-mail"), required=False
    )


class SymptomForm(forms.Form):
    symptom = forms.CharField(label=_("Symptom"), max_length=40)


class ReclassifyForm(forms.Form):
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class PriorityForm(forms.Form):
    impact = forms.ChoiceField(label=_("Impact"), choices=Impact.choices)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class EmptyForm(forms.Form):
    pass


class PatientSafetyForm(forms.Form):
    level = forms.ChoiceField(
        label=_("Impact on a patient's safety"),
        choices=[
            ("possible", _("May have an impact on a patient's safety")),
            ("confirmed", _("Had an impact on a patient's safety")),
        ],
    )
    note = forms.CharField(
        label=_("What happened"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
