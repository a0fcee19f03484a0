"""Web helpers shared by every app's pages (no app imports another's views). The ones
that ask who the user is and what they may do live in accounts/web.py."""

from functools import wraps

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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


_TITLES = {
    403: gettext_lazy("Not allowed"),
    404: gettext_lazy("Not found"),
    409: gettext_lazy("Not done"),
    422: gettext_lazy("Not done"),
}


def refused(request, message, status: int = 404):
    """The page that says why nothing is shown or done (what is not found, not allowed,
    or refused now), with its status."""
    title = _TITLES.get(status, _TITLES[409])
    return render(request, "refused.html", {"title": title, "message": message}, status=status)


def shows_errors(view):
    """A page whose lookups may fail (an outage of another institution, a tampered id):
    a DomainError becomes the error page with its message and status, never a 500."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except DomainError as exc:
            return refused(request, exc.message, exc.status)

    return wrapped


def act(
    request,
    do,
    *,
    page,
    then,
    form=None,
    key: str = "form",
    refusal_on_form: bool = True,
    field_map: dict | None = None,
):
    """The one way a page's form or button does something, for whole pages and htmx
    partials alike.

    `do(data)` does it (`data`: the form's cleaned data, or None for a button) and
    returns what `then(result)` turns into the answer: usually `done(...)`, the banner
    and the page where the user reads the result; for htmx, the partial. Bad input shows
    the page again through `page(status, **{key: form})` with the errors on the fields
    (422). A refusal (a conflict, a stale page) is said beside the form that asked
    (`refusal_on_form`), or above the page (`page(status, error=message)`) when the form
    is not shown any more, with its status. `field_map` renames the service's fields to
    the form's (show_errors)."""

    if form is not None and not form.is_valid():
        return page(422, **{key: form})
    try:
        result = do(form.cleaned_data if form is not None else None)
    except DomainError as exc:
        forms = {key: form} if form is not None else {}
        if form is not None and (exc.status == 422 or refusal_on_form):
            show_errors(form, exc, field_map)
            return page(exc.status, **forms)
        return page(exc.status, error=exc.message, **forms)
    return then(result)
