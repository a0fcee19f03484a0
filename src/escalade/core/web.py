"""Web helpers shared by every app's pages (no app imports another's views)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _


def requires(permission: str):
    """A page for signed-in users whose roles grant `permission`; others get a 403 page
    that says so (not the page's data, not a bare error)."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            from escalade.accounts.services import has_permission

            if not has_permission(request.user, permission):
                return render(
                    request,
                    "forbidden.html",
                    {"message": _("Your role does not allow this action.")},
                    status=403,
                )
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
