"""GET /api/actions; POST /api/actions/{id}/done, /cancel, /reopen. Items are added where
the work is asked for: POST /api/reports/major/{number}/actions, a problem's PATCH."""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from escalade.accounts.services import belongs_to, resolve_institution
from escalade.core.errors import NotFound
from escalade.core.pagination import PageQuery, page_of, paginate
from escalade.core.schema import errors_for, one_of

from . import selectors, services
from .choices import ActionState
from .errors import ActionError
from .models import ActionItem
from .schemas import ActionOut, out, serialize

router = Router(tags=["action items"])
ERRORS = errors_for("Action items", ActionError)


class ActionFilters(Schema):
    institution: str | None = None
    state: one_of(ActionState, "overdue") | None = Field(None, description="a state, or overdue")
    mine: bool = Field(False, description="only mine (a lead sees every item otherwise)")


@router.get("/actions", response={200: page_of(ActionOut), **ERRORS}, summary="Action items")
def list_actions(request, filters: Query[ActionFilters], page: Query[PageQuery]):
    institution = resolve_institution(request.auth, filters.institution)
    today = selectors.local_today(institution)
    qs = selectors.visible(request.auth, institution, state=filters.state, mine=filters.mine)

    def prepare(rows):
        for row in rows:
            row.institution = institution

    return paginate(
        qs, page, order=("id",), prepare=prepare, serialize=lambda i: serialize(i, today)
    )


def _item(request, item_id: int) -> ActionItem:
    item = ActionItem.objects.select_related("institution", "owner").filter(pk=item_id).first()
    if item is None or not belongs_to(request.auth, item.institution_id):
        raise NotFound(_("No action item #%(id)s.") % {"id": item_id}, field="id")
    return item


class ActionDoneIn(Schema):
    note: str = Field("", max_length=2000, description="what was done")


class ActionCancelIn(Schema):
    reason: str = Field(max_length=2000)


@router.post(
    "/actions/{int:item_id}/done", response={200: ActionOut, **ERRORS}, summary="Mark done"
)
def complete_action(request, item_id: int, payload: ActionDoneIn):
    return out(services.complete(request.auth, _item(request, item_id), note=payload.note))


@router.post(
    "/actions/{int:item_id}/cancel",
    response={200: ActionOut, **ERRORS},
    summary="Cancel, with the reason",
)
def cancel_action(request, item_id: int, payload: ActionCancelIn):
    return out(services.cancel(request.auth, _item(request, item_id), payload.reason))


@router.post("/actions/{int:item_id}/reopen", response={200: ActionOut, **ERRORS}, summary="Reopen")
def reopen_action(request, item_id: int):
    return out(services.reopen(request.auth, _item(request, item_id)))
