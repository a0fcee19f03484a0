"""What the header's one search box can find besides incidents: each app built on
incidents registers a finder from `ready()` (telesessions: a session's reference), so
that incidents' search imports none of them.

A finder is `finder(user, institution, text) -> str | None`: the address of the page the
text names, if the user may see it; finders are asked in their order."""

from __future__ import annotations

from collections.abc import Callable

Finder = Callable[[object, object, str], "str | None"]
_FINDERS: dict[str, tuple[int, Finder]] = {}


def register(name: str, finder: Finder, order: int = 100) -> None:
    _FINDERS[name] = (order, finder)


def finders() -> dict[str, Finder]:
    """The finders registered, by name."""
    return {name: finder for name, (_order, finder) in sorted(_FINDERS.items())}


def find(user, institution, text: str) -> str | None:
    """The page the first finder that recognises `text` gives, or None."""
    for _order, finder in sorted(_FINDERS.values(), key=lambda f: f[0]):
        url = finder(user, institution, text)
        if url:
            return url
    return None
