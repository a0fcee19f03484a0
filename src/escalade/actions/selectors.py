"""Reads of action items: a source's, a person's, the overdue ones."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from escalade.accounts import rules as perms
from escalade.accounts.services import has_permission

from .choices import ActionState
from .models import ActionItem


def of_source(source: str, source_id: int) -> list[ActionItem]:
    """The items a report or a problem asked for, soonest due first."""
    return list(
        ActionItem.objects.filter(source=source, source_id=source_id)
        .select_related("owner")
        .order_by("due", "id")
    )


def overdue(institution, today: dt.date) -> QuerySet[ActionItem]:
    """Open items past their due date, the oldest first."""
    return (
        ActionItem.objects.filter(institution=institution, state=ActionState.OPEN, due__lt=today)
        .select_related("owner")
        .order_by("due", "id")
    )


def visible(user, institution, *, state: str | None = None, mine: bool = False):
    """The list page's and the API's items: a lead sees the institution's, anyone else
    their own; `state` "overdue" is open and past due."""
    qs = ActionItem.objects.filter(institution=institution).select_related("owner")
    if mine or not has_permission(user, perms.ACTION_CHANGE, institution):
        qs = qs.filter(owner=user)
    if state == "overdue":
        qs = qs.filter(state=ActionState.OPEN, due__lt=local_today(institution))
    elif state:
        qs = qs.filter(state=state)
    return qs


def local_today(institution) -> dt.date:
    """Today at the institution (a due date is one of its days)."""
    return timezone.now().astimezone(institution.zone).date()


def counts(institution, today: dt.date, since=None, until=None) -> dict:
    """Open, overdue and done items (of those created in [since, until) when given)."""
    qs = ActionItem.objects.filter(institution=institution)
    if since is not None:
        qs = qs.filter(created_at__gte=since, created_at__lt=until)
    return qs.aggregate(
        open=Count("id", filter=Q(state=ActionState.OPEN)),
        overdue=Count("id", filter=Q(state=ActionState.OPEN, due__lt=today)),
        done=Count("id", filter=Q(state=ActionState.DONE)),
    )
