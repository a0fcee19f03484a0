"""Reads without sign-in (what the workstations' notifiers and the kiosk screens ask): an
optional fence around them. `ESCALADE_PUBLIC_NETWORKS` lists the workstation networks
(CIDR, comma-separated) allowed to read; `ESCALADE_DISPLAY_TOKEN` a token a display may
give instead (`?token=` or the `X-Escalade-Display-Token` header). Neither set: open to
whoever reaches the server, as the broadcasts are meant to be seen by every workstation."""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings


def client_address(request) -> str:
    """REMOTE_ADDR, or behind the TLS proxy (ESCALADE_BEHIND_PROXY=1) the last address of
    X-Forwarded-For, the one the proxy itself added."""
    if settings.ESCALADE_BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        if forwarded:
            return forwarded[:45]
    return request.META.get("REMOTE_ADDR", "")[:45]


def _networks():
    return [
        ipaddress.ip_network(n.strip(), strict=False)
        for n in settings.ESCALADE_PUBLIC_NETWORKS
        if n.strip()
    ]


def allowed(request) -> bool:
    """Whether this anonymous read may be answered (see the module's text)."""
    networks, token = _networks(), settings.ESCALADE_DISPLAY_TOKEN
    if not networks and not token:
        return True
    given = request.GET.get("token") or request.META.get("HTTP_X_ESCALADE_DISPLAY_TOKEN", "")
    if token and given and hmac.compare_digest(given.encode(), token.encode()):
        return True
    try:
        address = ipaddress.ip_address(client_address(request))
    except ValueError:
        return False
    return any(address in n for n in networks)
