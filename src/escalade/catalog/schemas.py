"""Answer schemas of the catalogue that other apps' APIs reuse (routing's plans list
channels as the catalogue does)."""

from __future__ import annotations

import datetime as dt

from ninja import Schema

from escalade.core.schema import one_of

from .choices import ChannelKind


class ChannelOut(Schema):
    kind: one_of(ChannelKind)
    label: str
    value: str
    extension: str
    path: str
    hours: str
    open_now: bool
    next_open: dt.datetime | None
    urgent_only: bool
