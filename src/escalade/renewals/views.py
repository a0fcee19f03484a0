"""The renewals page: certificates (paste a PEM or read a TLS endpoint) and licences held
(end date, holder, seats, the renewal decision)."""

from __future__ import annotations

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from escalade.accounts import rules as perms
from escalade.accounts.rules import RENEWAL_CHANGE
from escalade.accounts.services import has_permission
from escalade.accounts.web import current_institution, requires
from escalade.core.errors import DomainError
from escalade.core.web import done, posted_id, show_errors

from . import selectors, services
from .choices import Decision


class CertificateForm(forms.Form):
    pem = forms.CharField(
        label=_("Certificate (PEM)"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    host = forms.CharField(label=_("or read it from host"), required=False, max_length=253)
    port = forms.IntegerField(label=_("Port"), initial=443, min_value=1, max_value=65535)
    renewal_process = forms.CharField(
        label=_("Renewal process"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class LicenceForm(forms.Form):
    product = forms.CharField(label=_("Product"), max_length=100)
    holder = forms.CharField(label=_("Holder"), max_length=200)
    holder_email = forms.EmailField(label=_("Holder's e-mail"), required=False)
    seats = forms.IntegerField(label=_("Seats"), min_value=1, initial=1)
    end = forms.DateField(label=_("End date"), widget=forms.DateInput(attrs={"type": "date"}))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Renewal decision"), choices=Decision.choices)
    decision_note = forms.CharField(label=_("Note on the decision"), required=False)
    end = forms.DateField(
        label=_("New end date (once renewed)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


@requires(perms.VIEW_ALL)
def renewals(request):
    institution = current_institution(request)
    action = request.POST.get("action") if request.method == "POST" else None
    cert_form = CertificateForm(request.POST if action == "certificate" else None)
    licence_form = LicenceForm(request.POST if action == "licence" else None)
    error = None
    try:
        if action == "certificate" and cert_form.is_valid():
            d = cert_form.cleaned_data
            if d["host"]:
                services.read_endpoint(
                    request.user,
                    institution,
                    d["host"].strip(),
                    d["port"],
                    process=d["renewal_process"],
                )
            else:
                services.add_certificate(
                    request.user, institution, d["pem"].encode(), process=d["renewal_process"]
                )
            return done(request, _("Certificate added: its reminders are set."), "renewals:list")
        if action == "licence" and licence_form.is_valid():
            services.add_licence(request.user, institution, licence_form.cleaned_data)
            return done(request, _("Licence added: its reminder is set."), "renewals:list")
        if action == "decide":
            form = DecisionForm(request.POST)
            if form.is_valid():
                row = selectors.get_licence(request.user, posted_id(request, "licence"))
                services.change_licence(request.user, row, form.cleaned_data)
                return done(request, _("Decision saved."), "renewals:list")
            error = "; ".join(str(e) for errs in form.errors.values() for e in errs)
    except DomainError as exc:
        form = cert_form if action == "certificate" else licence_form
        if action in ("certificate", "licence"):
            show_errors(form, exc)
        else:
            error = exc.message
    certificates = [
        selectors.certificate_view(c)
        for c in selectors.certificates(institution).prefetch_related("reminders")
    ]
    licences = [
        selectors.licence_view(x)
        for x in selectors.licences(institution).prefetch_related("reminders")
    ]
    invalid = bool(cert_form.errors or licence_form.errors or error)
    return render(
        request,
        "renewals/list.html",
        {
            "institution": institution,
            "certificates": certificates,
            "licences": licences,
            "cert_form": cert_form,
            "licence_form": licence_form,
            "decision_form": DecisionForm(),
            "error": error,
            "can_change": has_permission(request.user, RENEWAL_CHANGE),
        },
        status=422 if invalid else 200,
    )
