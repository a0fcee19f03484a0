"""The catalogue page: providers, what they offer and exclude, how to reach them now;
organisations and their designated contacts."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from escalade.accounts import rules as perms
from escalade.accounts.rules import CONTACT_CHANGE
from escalade.accounts.services import has_permission, institutions_of
from escalade.accounts.web import current_institution, requires
from escalade.core import panels
from escalade.core.errors import DomainError
from escalade.core.web import done, posted_id, refused, show_errors, shows_errors

from . import selectors, services
from .choices import ContactRole
from .models import Provider
from .services import confirm_months


@login_required
def catalogue(request):
    mine = institutions_of(request.user)
    institution = mine.filter(code=request.GET.get("institution", "")).first()
    if institution is None:
        current = current_institution(request)
        has = Provider.objects.filter(institution=current).exists()
        institution = (
            current
            if has
            else mine.filter(pk__in=Provider.objects.values("institution")).first() or current
        )
    now = timezone.now()
    q = request.GET.get("q", "").strip()
    providers = (
        selectors.search(institution, q, now)
        if q
        else [
            selectors.provider_view(p, now, institution) for p in selectors.providers(institution)
        ]
    )
    ctx = {"institution": institution, "providers": providers, "q": q, "now": now}
    ctx["panels"] = panels.of("catalogue", request, institution)  # who is on call (oncall)
    if request.htmx:
        return render(request, "catalog/catalogue.html#results", ctx)
    return render(request, "catalog/catalogue.html", ctx)


# -- organisations and their designated contacts (seed 002) ----------------------------


class ContactForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=ContactRole.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=30)
    extension = forms.CharField(label=_("Extension"), required=False, max_length=10)
    language = forms.ChoiceField(
        label=_("Language of the notices"), choices=[("fr", "Français"), ("en", "English")]
    )


@requires(perms.VIEW_ALL)
def organisation_list(request):
    institution = current_institution(request)
    orgs = [selectors.organisation_view(o) for o in selectors.organisations(institution)]
    return render(
        request,
        "catalog/organisations.html",
        {
            "institution": institution,
            "organisations": orgs,
            "months": confirm_months(institution),
            "can_change": has_permission(request.user, CONTACT_CHANGE),
        },
    )


@requires(perms.VIEW_ALL)
@shows_errors
def organisation_detail(request, code):
    institution = current_institution(request)
    org = selectors.get_organisation(request.user, code, institution.code)
    form = ContactForm(request.POST or None, initial={"language": "fr"})
    if request.method == "POST":
        try:
            if request.POST.get("action") == "confirm":
                services.confirm_contact(
                    request.user, selectors.get_contact(request.user, posted_id(request, "contact"))
                )
                return done(request, _("Contact confirmed."), "catalog:organisation", code=org.code)
            if form.is_valid():
                services.add_contact(request.user, org, form.cleaned_data)
                return done(request, _("Contact added."), "catalog:organisation", code=org.code)
        except DomainError as exc:
            show_errors(form, exc)
    return render(
        request,
        "catalog/organisation.html",
        {
            "organisation": org,
            "view": selectors.organisation_view(org),
            "form": form,
            "months": confirm_months(institution),
            "can_change": has_permission(request.user, CONTACT_CHANGE),
        },
        status=422 if form.errors else 200,
    )


def confirm_by_link(request, token):
    """The link of the confirmation e-mail: no sign-in; showing the page changes nothing
    (mail filters open links), the button confirms."""
    contact = services.contact_from_token(token)
    if contact is None:
        return refused(request, _("This link is not valid any more: call the service desk."))
    done = False
    if request.method == "POST":
        services.confirm_contact(
            request.user if request.user.is_authenticated else None, contact, by_link=True
        )
        done = True
    return render(request, "catalog/confirm.html", {"contact": contact, "done": done})
