"""The on-call pages: who is on call now in each team, until when, who is next (a team
lead changes the rotation for a while); an incident's pages; acknowledging a page from
a phone, by the link it carries."""

import hmac

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from escalade.accounts import rules as perms
from escalade.accounts.services import has_permission
from escalade.accounts.web import current_institution, requires
from escalade.core.web import act, done, refused, shows_errors
from escalade.incidents import selectors as incident_selectors
from escalade.notices import services as notices

from . import selectors, services
from .forms import OverrideForm


@requires(perms.ONCALL_VIEW)
@shows_errors
def on_call(request):
    institution = current_institution(request)
    teams = list(selectors.teams_of(institution))
    form = OverrideForm(request.POST or None, teams=teams)

    def page(status=200, **_forms):
        rows = selectors.on_call(institution)
        names = {row["team"]: row["name"] for row in rows}
        for row in rows:  # who answers instead, and who comes next at the hand-over
            row["covering"] = names.get(row["covered_by"])
            row["next"] = selectors.next_on_call(institution, row)
        context = {
            "institution": institution,
            "rows": rows,
            "form": form,
            "can_change": has_permission(request.user, perms.ONCALL_CHANGE),
            "feed_key": notices.feed_key(request.user).key,
        }
        return render(request, "oncall/on_call.html", context, status=status)

    if request.method != "POST":
        return page()
    return act(
        request,
        lambda data: services.add_override(
            request.user, selectors.get_team(institution, data["team"]), data
        ),
        form=form,
        page=page,
        then=lambda _row: done(request, _("The rotation is changed for that time."), "oncall:list"),
    )


@login_required
@shows_errors
def incident_pages(request, number):
    incident = incident_selectors.find(request.user, number)
    pages = list(selectors.pages_of(incident))
    context = {
        "incident": incident,
        "pages": pages,
        # the reader's own page waiting for an answer: its button first, above the table
        # (on a phone the table scrolls sideways, the button must not)
        "mine": next(
            (p for p in pages if p.state == "sent" and p.user_id == request.user.pk), None
        ),
        "can_ack_any": has_permission(request.user, perms.ONCALL_CHANGE),
    }
    return render(request, "oncall/pages.html", context)


@login_required
@require_POST
@shows_errors
def acknowledge(request, page_id):
    page = selectors.get_page(request.user, page_id)
    services.acknowledge(request.user, page)
    number = page.paging.incident.number
    return done(
        request, _("Acknowledged: the others are told you have it."), "oncall:pages", number
    )


def acknowledge_by_link(request, page_id, token):
    """The link of a page's e-mail, from a phone, no sign-in: showing it changes nothing
    (mail filters open links), the button acknowledges."""
    page = services.page_from_token(page_id, token)
    if page is None:
        return refused(request, _("This link is not valid any more: call the service desk."))
    acknowledged = False
    if request.method == "POST":
        services.acknowledge(None, page, via="link")
        acknowledged = True
    page.refresh_from_db()
    context = {"page": page, "incident": page.paging.incident, "acknowledged": acknowledged}
    return render(request, "oncall/acknowledge.html", context)


def kannel_reply(request):
    """Kannel's sms-service calls this with each SMS received (get-url: ?secret=&from=%p
    &text=%a). The shared secret says it is Kannel that speaks; the answer is the reply
    Kannel sends back to the phone."""
    secret = settings.ESCALADE_SMS_SECRET
    given = request.GET.get("secret", "")
    if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
        return HttpResponseForbidden("")
    answer = services.sms_reply(request.GET.get("from", "")[:40], request.GET.get("text", "")[:500])
    return HttpResponse(answer, content_type="text/plain; charset=utf-8")
