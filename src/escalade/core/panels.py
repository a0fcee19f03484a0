"""The side panels of a page that belongs to one app but shows what other apps know (the
incident page shows its e-mails, its session, its problems and its notices; the
wallboard its sessions in trouble and notices in force), so that the app of the page
imports none of the apps built on it. Each app registers its panels from `ready()`, as
it registers its timeline lines (core/timeline.py):

    panels.register("incident", "thread", context=thread_panel,
                    template="mailin/incident_thread.html", place="main", order=10)

`context(request, obj)` returns what the panel's template needs, or None to show nothing;
the page's view calls `panels.of(page, request, obj)` and its template includes each
panel of a place: `{% for p in panels.main %}{% include p.template with panel=p.data %}`.
A panel's data is also under its name (`panels.data.session`), for pages and API
answers that place it themselves."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Context = Callable[[Any, Any], Any]


@dataclass(frozen=True)
class Panel:
    name: str
    context: Context
    template: str | None
    place: str
    order: int


@dataclass
class Shown:
    """The panels of one page for one object: by place (in order), and their data by name."""

    data: dict[str, Any] = field(default_factory=dict)
    places: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))

    def __getattr__(self, place: str) -> list[dict]:
        if place.startswith("_"):
            raise AttributeError(place)
        return self.places.get(place, [])


_PANELS: dict[str, dict[str, Panel]] = defaultdict(dict)


def register(
    page: str,
    name: str,
    *,
    context: Context,
    template: str | None = None,
    place: str = "main",
    order: int = 100,
) -> None:
    """Add (or replace, when `ready()` runs again) the panel `name` of `page`."""
    _PANELS[page][name] = Panel(name, context, template, place, order)


def registered(page: str) -> list[Panel]:
    """The panels of `page`, by name."""
    return [_PANELS[page][name] for name in sorted(_PANELS.get(page, {}))]


def of(page: str, request, obj) -> Shown:
    """The panels of `page` about `obj` that have something to show, each computed once."""
    shown = Shown()
    for panel in sorted(_PANELS.get(page, {}).values(), key=lambda p: (p.order, p.name)):
        data = panel.context(request, obj)
        if data is None:
            continue
        shown.data[panel.name] = data
        if panel.template:
            shown.places[panel.place].append(
                {"name": panel.name, "template": panel.template, "data": data}
            )
    return shown
