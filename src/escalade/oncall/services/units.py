"""The units of an outage that stay silent (seed 004: they must confirm they are on
paper, then back to normal work): their leads are paged, and a lead's acknowledgement
confirms the unit; a unit that confirms by itself stops its lead's paging."""

from __future__ import annotations

from django.utils import timezone

from ..choices import PagingState, Trigger
from ..models import Paging
from .paging import _page_step, stop, unit_policy


def units_silent(event) -> None:
    """`outage.units_silent`: page each silent unit's lead (once per unit and phase)."""
    now = timezone.now()
    if event.outage.incident is None:  # a drill pages no one
        return
    for confirmation in event.confirmations:
        paging, created = Paging.objects.get_or_create(
            incident=event.outage.incident,
            policy=f"unit-{confirmation.pk}",
            defaults={"trigger": Trigger.UNIT_SILENT, "unit": confirmation},
        )
        if created:
            _page_step(paging, unit_policy(confirmation), now)


def unit_confirmed(event) -> None:
    """`outage.unit_confirmed`: the unit answered (kiosk, link, the centre): its lead's
    paging, if any, stops and its pages expire."""
    paging = (
        Paging.objects.select_for_update()
        .filter(unit=event.confirmation)
        .exclude(state=PagingState.ACKNOWLEDGED)
        .first()
    )
    if paging is None:
        return
    stop(paging, event.actor, timezone.now())
