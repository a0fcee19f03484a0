"""The mail gateway as a door, for real (issue 25): a real gateway process on a scratch
database, a real DNS server publishing the province's DKIM key, smtplib as the sending
server. Forged worksheets write nothing and are held; a signed one becomes one proposed
import, even when the gateway is killed with -9 and the sending server delivers the same
message again; no mapping changes without a person."""

from __future__ import annotations

import os
import signal
import smtplib
import socket

from conftest import ROOT
from escalade.mailin.tests.servers import Zone, dkim_key, dkim_sign
from escalade.mailin.tests.test_authenticity import _worksheet_mail

from .conftest import free_port, wait_for

PROVINCE = "one-mail.on.ca"
BOX = "servicedesk@hospital.example.on.ca"


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def _send(port: int, raw: bytes) -> dict:
    """As a mail server sends it: CRLF line ends (smtplib sends bytes as they are)."""
    wire = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        return client.sendmail("contario@one-mail.on.ca", [BOX], wire)


def _state(processes) -> dict:
    return processes.run(
        """
from escalade.datasources.models import Mapping, ProposedImport
from escalade.mailin.models import Message
result = {
    "held": Message.objects.filter(state="held").count(),
    "routed": Message.objects.filter(state="routed").count(),
    "proposals": ProposedImport.objects.count(),
    "mapped": Mapping.objects.exclude(target="").count(),
}
"""
    )


def test_forged_mail_is_held_and_a_redelivery_after_a_kill_proposes_once(processes):
    processes.run(
        f"from escalade.core.packs import load_pack\nload_pack({str(ROOT / 'packs' / 'ontario-viewer')!r})"
    )
    private, name, record = dkim_key("s2026", PROVINCE)
    attacker, aname, arecord = dkim_key("s1", "attacker.example")
    with Zone({name: record, aname: arecord}) as zone:
        port = free_port()
        gateway = processes.start(
            "run_mail_gateway", f"127.0.0.1:{port}", ESCALADE_MAIL_DNS=zone.address
        )
        wait_for(lambda: _listening(port), 60, "the gateway to listen")
        before = _state(processes)
        forged = [
            _worksheet_mail(msgid="<forged-1@attacker.example>"),
            dkim_sign(
                _worksheet_mail(msgid="<forged-2@attacker.example>"),
                "s1",
                "attacker.example",
                attacker,
            ),
        ]
        for raw in forged:
            assert _send(port, raw) == {}
        signed = dkim_sign(
            _worksheet_mail(msgid="<week48@one-mail.on.ca>"), "s2026", PROVINCE, private
        )
        assert _send(port, signed) == {}
        os.killpg(gateway.pid, signal.SIGKILL)  # the gateway dies; the sender is not sure
        gateway.wait()
        again = processes.start(
            "run_mail_gateway", f"127.0.0.1:{port}", ESCALADE_MAIL_DNS=zone.address
        )
        wait_for(lambda: _listening(port), 60, "the gateway to listen again")
        assert _send(port, signed) == {}  # delivered again
        after = _state(processes)
        assert again.poll() is None
    assert after["held"] == 2 and after["routed"] == 1 and after["proposals"] == 1
    assert after["mapped"] == before["mapped"]  # nothing mapped without a person
