"""Web helpers of every app's pages that ask who the user is: the institution a page
acts on, and the permission a page needs (the generic ones are in core/web.py)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from escalade.core.errors import Code, Forbidden

from .services import has_permission, working_institution


def current_institution(request):
    """The institution a page acts on: the one picked in the header (kept in the session),
    else the user's default, else the first of theirs; Forbidden when they have none."""

    institution = working_institution(request)
    if institution is None:
        raise Forbidden(
            _("Your account belongs to no institution."),
            field="institution",
            code=Code.NO_INSTITUTION,
        )
    return institution


def requires(permission: str):
    """A page for signed-in users whose roles grant `permission`; others get a 403 page
    that says so (not the page's data, not a bare error)."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
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
