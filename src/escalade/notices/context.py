"""The banner of current service notices on every page (seed 002: notices reach the users
of the affected organisations)."""

from escalade.accounts.services import working_institution

from .selectors import banner_notices


def notice_banner(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    return {"banner_notices": banner_notices(user, institution=working_institution(request))}
