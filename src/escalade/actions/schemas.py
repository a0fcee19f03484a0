"""The action items' answer, shared by their API and the apps that show them (a major-
incident report's answer lists its items)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from escalade.core.schema import one_of

from . import selectors
from .choices import ActionSource, ActionState
from .models import ActionItem
from .rules import is_overdue


class ActionOut(Schema):
    id: int
    institution: str
    source: one_of(ActionSource) = Field(description="what asked for it")
    source_label: str = Field(description="the incident's number, the problem's title")
    link: str = Field(description="the page of what asked for it")
    text: str
    owner: str | None
    due: dt.date | None
    state: one_of(ActionState)
    overdue: bool = Field(description="open and past its due date (the institution's day)")
    note: str
    created_at: dt.datetime
    done_at: dt.datetime | None


def serialize(item: ActionItem, today: dt.date) -> dict:
    return {
        "id": item.pk,
        "institution": item.institution.code,
        "source": item.source,
        "source_label": item.source_label,
        "link": item.link,
        "text": item.text,
        "owner": item.owner.get_username() if item.owner_id else None,
        "due": item.due,
        "state": item.state,
        "overdue": is_overdue(item.due, item.state, today),
        "note": item.note,
        "created_at": item.created_at,
        "done_at": item.done_at,
    }


def out(item: ActionItem) -> dict:
    """One item's answer, read again (after a change)."""
    item = ActionItem.objects.select_related("institution", "owner").get(pk=item.pk)
    return serialize(item, selectors.local_today(item.institution))
