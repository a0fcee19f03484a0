"""Pages: the mailboxes (state, fetch now, rejected messages taken again) and the
download of an incident's attachment (permission checked, audited)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from escalade.accounts import rules as perms
from escalade.accounts.web import current_institution, requires
from escalade.core.web import done, shows_errors

from . import selectors, services


@requires(perms.MAILBOX_RUN)
@shows_errors
def mailbox_list(request):
    institution = current_institution(request)
    return render(
        request,
        "mailin/list.html",
        {
            "institution": institution,
            "mailboxes": selectors.mailboxes(request.user, institution),
            "rejected": selectors.rejected(request.user, institution, limit=100),
        },
    )


@require_POST
@requires(perms.MAILBOX_RUN)
@shows_errors
def fetch(request, code):
    institution = current_institution(request)
    r = services.fetch_now(request.user, selectors.mailbox(request.user, institution, code))
    if r.busy:
        message = _("Another collector is reading this mailbox now: try again in a moment.")
    else:
        message = _("%(taken)s message(s) taken, %(rejected)s rejected.") % {
            "taken": r.taken,
            "rejected": r.rejected,
        }
    return done(request, message, "mailin:list")


@require_POST
@requires(perms.MAILBOX_RUN)
@shows_errors
def retake(request, message_id):
    institution = current_institution(request)
    message = services.retake(
        request.user, selectors.rejected_message(request.user, institution, message_id)
    )
    return done(
        request,
        _("Taken again: %(state)s.") % {"state": message.get_state_display()},
        "mailin:list",
    )


@login_required
@shows_errors
def attachment(request, attachment_id):
    item = services.download_attachment(request.user, attachment_id)
    response = HttpResponse(
        bytes(item.data), content_type=item.content_type or "application/octet-stream"
    )
    response["Content-Disposition"] = content_disposition_header(True, item.filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response
