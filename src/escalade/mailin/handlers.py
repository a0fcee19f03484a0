"""Handlers other apps register for a mailbox rule to name (seed 002's weekly reports
arrive from a fixed sender: the datasources app takes them). A handler is called inside
the transaction that records the message, with (mailbox, parsed message, Message row,
the rule's options), and returns a short text of what it did, kept on the message. The
message's bytes and text are not kept for a handled message: what it carries (a sealed
report) is the handler's to keep, its own way."""

from __future__ import annotations

from collections.abc import Callable

_HANDLERS: dict[str, Callable] = {}


def register(name: str, handler: Callable) -> None:
    """Make `handler` available to mailbox rules as `name` (from an AppConfig.ready())."""
    _HANDLERS[name] = handler


def get(name: str) -> Callable | None:
    return _HANDLERS.get(name)


def names() -> list[str]:
    return sorted(_HANDLERS)


# Replies other apps recognise as theirs (the on-call app: a reply to a page's e-mail
# acknowledges it). Each is asked, in order, before a message threads into an incident or
# opens one: claim(mailbox, parsed message, authenticity verdict) returns None when the
# message is not its own, else a short text of what it did, kept on the message (routed).
_REPLIES: dict[str, Callable] = {}


def register_reply(name: str, claim: Callable) -> None:
    """Let `claim` take the replies it recognises (from an AppConfig.ready())."""
    _REPLIES[name] = claim


def reply_claims() -> list[Callable]:
    return list(_REPLIES.values())
