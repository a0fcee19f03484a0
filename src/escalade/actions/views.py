"""Pages: my action items (a lead: the institution's), with done, cancel and reopen."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from escalade.accounts.services import belongs_to
from escalade.accounts.web import current_institution
from escalade.core.errors import NotFound
from escalade.core.pagination import PageQuery, paginate
from escalade.core.web import act as act_on
from escalade.core.web import done, shows_errors

from . import rules, selectors, services
from .choices import ActionState
from .models import ActionItem

STATES = ("open", "overdue", "done", "cancelled", "")


class NoteForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=2000)


class CancelForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Why"), max_length=2000)


@login_required
@shows_errors
def action_list(request, error=None, status=200):
    institution = current_institution(request)
    state = request.GET.get("state", "open")
    state = state if state in STATES else "open"
    today = selectors.local_today(institution)
    qs = selectors.visible(
        request.user, institution, state=state or None, mine=request.GET.get("mine") == "1"
    )
    page = paginate(qs, PageQuery(cursor=request.GET.get("cursor") or None), order=("id",))
    for item in page["items"]:
        item.overdue = rules.is_overdue(item.due, item.state, today)
        item.may_change = services.may_change(request.user, item)
    return render(
        request,
        "actions/list.html",
        {
            "institution": institution,
            "page": page,
            "state": state,
            "states": [
                ("open", _("To do")),
                ("overdue", _("Overdue")),
                *[(s, label) for s, label in ActionState.choices if s != "open"],
                ("", _("All")),
            ],
            "mine": request.GET.get("mine") == "1",
            "error": error,
        },
        status=status,
    )


ACTIONS = {
    "done": (NoteForm, lambda u, i, d: services.complete(u, i, note=d["note"])),
    "cancel": (CancelForm, lambda u, i, d: services.cancel(u, i, d["note"])),
    "reopen": (None, lambda u, i, d: services.reopen(u, i)),
}
DONE = {
    "done": gettext_lazy("Action item done."),
    "cancel": gettext_lazy("Action item cancelled."),
    "reopen": gettext_lazy("Action item reopened."),
}


@login_required
@require_POST
@shows_errors
def act(request, item_id, action):
    if action not in ACTIONS:
        raise NotFound(action, field="action")
    item = ActionItem.objects.select_related("institution").filter(pk=item_id).first()
    if item is None or not belongs_to(request.user, item.institution_id):
        raise NotFound(_("No action item #%(id)s.") % {"id": item_id}, field="id")
    form_class, call = ACTIONS[action]
    after = request.POST.get("next", "")
    back = after if after.startswith("/") and not after.startswith("//") else "/actions/"

    def page(status, error=None, **_forms):
        return action_list(request, error=error or _("Say why it is cancelled."), status=status)

    return act_on(
        request,
        lambda data: call(request.user, item, data),
        form=form_class(request.POST) if form_class else None,
        refusal_on_form=False,
        page=page,
        then=lambda _result: done(request, DONE[action], back),
    )
