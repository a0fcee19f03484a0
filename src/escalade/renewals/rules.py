"""Which reminder is due for a certificate on a day (pure)."""

from __future__ import annotations

import calendar
import datetime as dt
import ipaddress

LEADS = (90, 60, 30)
DEFAULT_LICENCE_DAYS = 30


def due_reminder(expires: dt.date, today: dt.date, leads=LEADS) -> str | None:
    """The key of the reminder due today: the tightest lead reached ('30' before '60'...),
    or 'expired:<today>' every day after expiry; None otherwise."""
    days = (expires - today).days
    if days < 0:
        return f"expired:{today.isoformat()}"
    reached = [lead for lead in sorted(leads) if days <= lead]
    return str(reached[0]) if reached else None


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months earlier, or the month's last day when it is
    shorter (31 March -> 28 or 29 February)."""

    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def probe_refused(address: str, allowed: list[str]) -> bool:
    """Whether a certificate probe must not connect to `address`: loopback, link-local,
    private, multicast, reserved and unspecified addresses are refused unless one of the
    `allowed` networks (ESCALADE_PROBE_ALLOW, e.g. "10.20.0.0/16") contains it."""
    ip = ipaddress.ip_address(address)
    if getattr(ip, "ipv4_mapped", None):
        ip = ip.ipv4_mapped
    if any(ip in ipaddress.ip_network(net, strict=False) for net in allowed):
        return False
    return not ip.is_global or ip.is_multicast
