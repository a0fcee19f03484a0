"""What the on-call app says happened, for partners' systems (core/events.py): a
hospital's own paging system subscribes a webhook to `page.sent` and beeps the person's
pager; it may acknowledge back through `POST /api/pages/{id}/ack`."""

from __future__ import annotations

from typing import Any

from escalade.core.events import Event, event


@event
class PageSent(Event):
    """A person paged through the webhook channel (one per person and step)."""

    name = "page.sent"
    hook = "page.sent"
    hook_opt_in = True  # its link acknowledges the page: only to the paging system
    page: Any
    ack_url: str = ""
    text: str = ""

    @property
    def institution(self):
        return self.page.paging.incident.institution

    def hook_data(self) -> dict:
        p = self.page
        return {
            "page": p.pk,
            "incident": p.paging.incident.number,
            "person": {"username": p.username, "name": p.name},
            "step": p.step + 1,
            "round": p.round,
            "text": self.text,
            "ack_url": self.ack_url,
        }


@event
class PageAcknowledged(Event):
    """The first acknowledgement of a paging: whoever was paged can stop."""

    name = "page.acknowledged"
    hook = "page.acknowledged"
    hook_opt_in = True
    paging: Any
    who: str = ""
    via: str = ""

    @property
    def institution(self):
        return self.paging.incident.institution

    def hook_data(self) -> dict:
        return {
            "incident": self.paging.incident.number,
            "policy": self.paging.policy,
            "who": self.who,
            "via": self.via,
        }
