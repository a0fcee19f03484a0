"""Domain events: an app says what happened (`incident.resolved`), the apps built on it
react, and the one that publishes imports none of them (as Saleor and Dispatch do).

Subscribers run when the event is published, inside the publisher's transaction: what
they write (a notice, an e-mail queued in the outbox, a protocol closed) commits with the
change that caused it, or not at all, and is never lost between the two. A subscriber
that needs the outside world (a webhook, SMTP) writes a row that a task sends after the
commit. Subscribe from the app's `ready()`."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable

log = logging.getLogger(__name__)

# The events published, with what their payload carries.
INCIDENT_RESOLVED = "incident.resolved"  # incident, actor

_subscribers: dict[str, list[Callable]] = defaultdict(list)


def subscribe(event: str, handler: Callable) -> None:
    """Call `handler(**payload)` whenever `event` is published (once per handler)."""
    if handler not in _subscribers[event]:
        _subscribers[event].append(handler)


def publish(event: str, **payload) -> int:
    """Run the event's subscribers, in the caller's transaction; returns how many ran.
    A subscriber's error is the publisher's: the whole change rolls back."""
    handlers = list(_subscribers.get(event, ()))
    for handler in handlers:
        handler(**payload)
    return len(handlers)
