"""The mail gateway: an SMTP (or LMTP) server that takes mail the hospital's mail server
forwards for the mailboxes' addresses (`escalade run_mail_gateway 127.0.0.1:2525`).

A recipient it does not serve is refused at RCPT (550), a message over the size limit
at DATA (552); a message is answered 250 only once it is stored, and 451 (try again
later) when the database cannot be reached, so the sending server keeps it and retries:
nothing is lost. A message the database refuses for what it holds is answered 554 at
once (a retry would only fail again)."""

from __future__ import annotations

import asyncio
import logging

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP
from asgiref.sync import sync_to_async
from django.db import (
    DatabaseError,
    InterfaceError,
    OperationalError,
    close_old_connections,
    connections,
)

from .choices import Via
from .models import Mailbox
from .services import receive

log = logging.getLogger("escalade.mailin")


def _mailbox(address: str) -> Mailbox | None:
    close_old_connections()
    return (
        Mailbox.objects.filter(address__iexact=address.strip(), active=True, gateway=True)
        .select_related("institution")
        .first()
    )


def _store(addresses: list[str], raw: bytes) -> list[str]:
    """One reply line per recipient (LMTP wants one each; SMTP takes the first)."""
    close_old_connections()
    out = []
    for address in addresses:
        box = _mailbox(address)
        if box is None:
            out.append("550 5.1.1 No such mailbox here")
        elif len(raw) > box.max_bytes:
            out.append(f"552 5.3.4 Message too big for this mailbox (limit {box.max_bytes} bytes)")
        else:
            try:
                receive(box, raw, via=Via.SMTP)
                out.append("250 2.0.0 Message accepted")
            except (OperationalError, InterfaceError):
                # the database is down or restarting: the sender keeps it and retries
                log.warning("mail gateway: the database did not take a message for %s", box.code)
                out.append("451 4.3.0 Try again later")
            except DatabaseError:
                # the message itself cannot be stored: retrying would fail for days, then
                # bounce; refuse it now, so the sender is told at once
                log.exception("mail gateway: a message for %s cannot be stored", box.code)
                out.append("554 5.6.0 This message cannot be stored")
    return out


class Handler:
    """aiosmtpd's handler: the recipients and the message."""

    def __init__(self, lmtp: bool = False):
        self.lmtp = lmtp

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        try:
            box = await sync_to_async(_mailbox)(address)
        except DatabaseError:
            return "451 4.3.0 Try again later"
        if box is None:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", errors="surrogateescape")
        lines = await sync_to_async(_store)(list(dict.fromkeys(envelope.rcpt_tos)), raw)
        if self.lmtp:
            # one status per recipient, in order (RFC 2033)
            by_address = dict(zip(dict.fromkeys(envelope.rcpt_tos), lines, strict=True))
            return "\r\n".join(by_address[a] for a in envelope.rcpt_tos)
        worst = next((ln for ln in lines if ln[0] in "45"), None)
        return worst or lines[0]


def size_limit() -> int:
    return max(
        Mailbox.objects.filter(active=True, gateway=True).values_list("max_bytes", flat=True),
        default=10_000_000,
    )


class GatewayController(Controller):
    def __init__(self, host: str, port: int, *, lmtp: bool = False, data_size_limit: int):
        self.lmtp = lmtp
        self.data_size_limit = data_size_limit
        super().__init__(Handler(lmtp), hostname=host, port=port)

    def stop(self, *args, **kwargs):
        """Close the database connections of the gateway's worker thread, then stop."""
        if self.loop.is_running():
            asyncio.run_coroutine_threadsafe(
                sync_to_async(connections.close_all)(), self.loop
            ).result(timeout=10)
        super().stop(*args, **kwargs)

    def factory(self):
        cls = LMTP if self.lmtp else SMTP
        return cls(
            self.handler,
            data_size_limit=self.data_size_limit,
            enable_SMTPUTF8=True,
            decode_data=False,
            ident="Escalade mail gateway",
        )


def start(host: str, port: int, *, lmtp: bool = False) -> GatewayController:
    """Start the gateway in a thread; the caller stops it (controller.stop())."""
    controller = GatewayController(host, port, lmtp=lmtp, data_size_limit=size_limit())
    controller.start()
    return controller
