"""A stateful model's moves as data: {action: {from state: to state}}. Each model's table
lives in its app's rules.py; services ask it before they change a state, under the row's
lock, and the database refuses a state outside the model's choices (a CheckConstraint)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models

from .errors import Code, Conflict


class Transitions:
    def __init__(self, table: dict[str, dict[str, str]]):
        self.table = table

    def target(self, action: str, current: str) -> str | None:
        """The state `action` leads to from `current`, or None when it is not allowed."""
        return self.table.get(action, {}).get(current)

    def allowed(self, current: str) -> list[str]:
        """The actions possible from `current` (what a page may offer)."""
        return [action for action, moves in self.table.items() if current in moves]

    def action_to(self, current: str, wanted: str) -> str | None:
        """The action that moves `current` to `wanted`, if any (a client that sends the
        state it wants, as the problems' PATCH does)."""
        return next((a for a, moves in self.table.items() if moves.get(current) == wanted), None)

    def move(self, action: str, current: str, refused) -> str:
        """The target state, or Conflict(`refused`) on the state field."""

        target = self.target(action, current)
        if target is None:
            raise Conflict(refused, field="state", code=Code.NOT_ALLOWED_NOW)
        return target

    def states(self) -> set[str]:
        out: set[str] = set()
        for moves in self.table.values():
            out.update(moves)
            out.update(moves.values())
        return out


def valid_state(field: str, values: Iterable[str], name: str):
    """The CheckConstraint that keeps `field` within `values` (the model's choices)."""

    return models.CheckConstraint(condition=models.Q(**{f"{field}__in": list(values)}), name=name)
