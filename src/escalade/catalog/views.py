"""The catalogue page: providers, what they offer and exclude, how to reach them now."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from escalade.accounts.services import institutions_of
from escalade.incidents.views import current_institution

from . import selectors
from .models import Provider


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
    if request.htmx:
        return render(request, "catalog/catalogue.html#results", ctx)
    return render(request, "catalog/catalogue.html", ctx)
