"""Web helpers shared by every app's pages (no app imports another's views). The ones
that ask who the user is and what they may do live in accounts/web.py."""

from functools import wraps

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .errors import DomainError, Invalid


def posted_id(request, name: str) -> int:
    """The id a form posts in `name` (a hidden field): a tampered or missing value is a
    clear error on that field (Invalid), never a 500."""

    raw = (request.POST.get(name) or "").strip()
    if not raw.isdigit() or len(raw) > 10 or int(raw) > 2**31 - 1:
        raise Invalid(_("This reference is not valid: reload the page."), field=name)
    return int(raw)


def done(request, message, to: str, *args, **kwargs):
    """After a page's action: say it was done (the message banner, in the user's
    language) and go where the user reads the result."""

    messages.success(request, message)
    return redirect(to, *args, **kwargs)


def show_errors(form, exc, field_map: dict | None = None) -> None:
    """Put a service's errors (a DomainError) on the form fields they name, else on the
    form; `field_map` renames service fields to form fields (requester.name ->
    requester_name)."""
    for item in exc.as_errors():
        field = (field_map or {}).get(item["field"], item["field"])
        form.add_error(field if field in form.fields else None, item["message"])


def shows_errors(view):
    """A page whose lookups may fail (an outage of another institution, a tampered id):
    a DomainError becomes the error page with its message and status, never a 500."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except DomainError as exc:
            return render(
                request, "incidents/not_found.html", {"message": exc.message}, status=exc.status
            )

    return wrapped
