"""The on-call page: who is on call now in each team, until when, who is next; a team
lead changes the rotation for a while."""

from django.shortcuts import render
from django.utils.translation import gettext as _

from escalade.accounts import rules as perms
from escalade.accounts.services import has_permission
from escalade.accounts.web import current_institution, requires
from escalade.core.web import act, done, shows_errors

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
        for row in rows:  # who comes next, at the hand-over
            until = row["until"]
            row["next"] = selectors.on_call(institution, until, row["team"])[0] if until else None
        context = {
            "institution": institution,
            "rows": rows,
            "form": form,
            "can_change": has_permission(request.user, perms.ONCALL_CHANGE),
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
