"""The timeline of an object, read from its audit events: one registry in which each app
says how its actions read (`register(action, describer)` in its AppConfig.ready()). A
describer takes the event and returns the lines a reader needs under its label."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

from .choices import AuditAction

Describer = Callable[[object], list[str]]
_DESCRIBERS: dict[str, Describer] = {}


def register(action: str, describer: Describer) -> None:
    if action not in AuditAction.values:
        raise ValueError(f"unknown audit action '{action}'")
    _DESCRIBERS[action] = describer


def label(choices, value) -> str:
    """A choice's label in the reader's language, or the value itself (a retired one)."""
    try:
        return choices(value).label
    except ValueError:
        return value or "—"


def describe(event) -> dict:
    """One timeline row: when, who, what, and the details a reader needs."""
    describer = _DESCRIBERS.get(event.action)
    details = describer(event) if describer else []
    return {
        "at": event.at,
        "actor": event.actor.get_username() if event.actor else _("system"),
        "action": event.action,
        "label": label(AuditAction, event.action),
        "details": [str(d) for d in details if d],
    }
