"""Domain events: an app says what happened (`incident.resolved`), the apps built on it
react, and the app that publishes imports none of them (as Saleor and Dispatch do).

Each app declares its events in its own `events.py`, one frozen dataclass per event with
a typed payload (`incidents.events.IncidentResolved(incident, actor)`); an app above it
subscribes from its `ready()`:

    events.subscribe(IncidentResolved, services.incident_resolved)

Two moments, chosen by the subscriber:

- **In the transaction** (the default): the handler runs when the event is published,
  inside the publisher's transaction. What it writes (a report drafted, a notice, an
  e-mail or a webhook call queued in the outbox) commits with the change that caused it,
  or not at all, so nothing is lost or done twice between the two. A handler may refuse
  the change by raising a domain error (a major incident closing without its report):
  the publisher's whole change rolls back.
- **After the commit** (`after_commit=True`): the handler runs once the publisher's
  transaction has committed, and never if it rolled back; for what only reads the
  committed state or talks to the outside without a row of its own (a cache to clear,
  a live screen to wake). An error there is logged, not raised: the change stands.

`subscribe_all` hears every event (the webhooks: each event names the institution and
the data a partner's system receives)."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from django.db import transaction

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class Event:
    """A domain event. `name` is its stable dotted name; `hook` the name partners'
    webhooks know it by (None: not sent to webhooks)."""

    name: ClassVar[str] = ""
    hook: ClassVar[str | None] = None
    # sent only to the webhooks that name it (not to those that hear every event): it
    # carries what only its own receiver may have (a page's link to acknowledge)
    hook_opt_in: ClassVar[bool] = False
    actor: Any = None

    @property
    def institution(self):
        """The institution the event belongs to (whose webhooks hear it)."""
        return None

    def hook_data(self) -> dict:
        """What a partner's webhook receives in `data`."""
        return {}


Handler = Callable[[Event], Any]


@dataclass(frozen=True)
class _Subscription:
    handler: Handler
    after_commit: bool


_subscribers: dict[type[Event] | None, list[_Subscription]] = defaultdict(list)
_names: dict[str, type[Event]] = {}


def declare(cls: type[Event]) -> type[Event]:
    """Class decorator: register an event type under its unique name."""
    if not cls.name:
        raise ValueError(f"{cls.__name__} has no name")
    known = _names.get(cls.name)
    if known is not None and known.__qualname__ != cls.__qualname__:
        raise ValueError(f"event name '{cls.name}' is already {known.__qualname__}")
    _names[cls.name] = cls
    return cls


def event(cls: type[Event]) -> type[Event]:
    """Class decorator of an event type: a frozen, keyword-only dataclass, declared."""
    return declare(dataclass(frozen=True, kw_only=True)(cls))


def declared() -> dict[str, type[Event]]:
    """Every event type by name (the design document lists them from here)."""
    return dict(sorted(_names.items()))


def subscribe(kind: type[Event] | str, handler: Handler, *, after_commit: bool = False) -> None:
    """Call `handler(event)` whenever an event of type `kind` is published (once per
    handler, however often `ready()` runs). `kind` may be the event's name
    ("session.troubleshooting_started"): an app reacts to a sibling's event without
    importing the sibling (every app's events.py is loaded before any ready())."""
    if isinstance(kind, str):
        if kind not in _names:
            raise ValueError(f"'{kind}' is not a declared event")
        kind = _names[kind]
    if kind.name not in _names:
        raise ValueError(f"{kind.__name__} is not a declared event")
    _add(kind, handler, after_commit)


def subscribe_all(handler: Handler, *, after_commit: bool = False) -> None:
    """Call `handler(event)` for every event published."""
    _add(None, handler, after_commit)


def subscribers(kind: type[Event] | None) -> list[Handler]:
    """The handlers of `kind` (None: those that hear every event), in order."""
    return [s.handler for s in _subscribers.get(kind, ())]


def _add(key, handler: Handler, after_commit: bool) -> None:
    subscription = _Subscription(handler, after_commit)
    if subscription not in _subscribers[key]:
        _subscribers[key].append(subscription)


def publish(event: Event) -> int:
    """Deliver `event` to its subscribers; returns how many there are. In-transaction
    handlers run now (an error is the publisher's: the change rolls back); after-commit
    ones are queued on the current transaction."""
    subscriptions = [*_subscribers.get(type(event), ()), *_subscribers.get(None, ())]
    for s in subscriptions:
        if s.after_commit:
            transaction.on_commit(_later(s.handler, event))
        else:
            s.handler(event)
    return len(subscriptions)


def _later(handler: Handler, event: Event) -> Callable[[], None]:
    def run() -> None:
        try:
            handler(event)
        except Exception:  # the change has committed: say so loudly, do not undo it
            log.exception("after-commit handler %s failed on %s", handler.__qualname__, event.name)

    return run
