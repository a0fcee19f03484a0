"""When a designated contact is stale (seed 002: keep your contacts current or you will
miss notices). Pure functions over the pack's period."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta

DEFAULT_CONFIRM_MONTHS = 6
ASK_AGAIN_DAYS = 30


def stale_since(confirmed_at: dt.datetime, months: int = DEFAULT_CONFIRM_MONTHS) -> dt.datetime:
    """The instant a contact confirmed at `confirmed_at` becomes stale."""
    return confirmed_at + relativedelta(months=months)


def is_stale(confirmed_at: dt.datetime, now: dt.datetime, months: int = DEFAULT_CONFIRM_MONTHS):
    return now >= stale_since(confirmed_at, months)


def check_key(
    confirmed_at: dt.datetime, now: dt.datetime, months: int = DEFAULT_CONFIRM_MONTHS
) -> str | None:
    """The key of the confirmation request due now: one when the contact turns stale, then
    one every 30 days while it stays stale; None while it is current."""
    since = stale_since(confirmed_at, months)
    if now < since:
        return None
    nth = (now - since).days // ASK_AGAIN_DAYS
    return f"{confirmed_at:%Y%m%d%H%M%S}:{nth}"
