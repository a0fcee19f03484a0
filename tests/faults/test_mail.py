"""The IMAP collector killed with kill -9 in the middle of a mailbox, then run again:
every message becomes exactly one incident with one acknowledgment, none is lost, none
is left in the INBOX (a real Dovecot, real processes, a scratch database)."""

from __future__ import annotations

import os
import signal

import pytest

from conftest import CUSM_PACK
from escalade.mailin.tests import servers
from escalade.mailin.tests.factories import mail

from .conftest import wait_for

pytestmark = pytest.mark.skipif(not servers.available(), reason=servers.WHY_NOT)

N = 300


def test_a_collector_killed_mid_mailbox_loses_and_doubles_nothing(processes):
    with servers.dovecot() as imap:
        processes.run(
            f"""
from escalade.core.packs import load_pack
from escalade.mailin.models import Mailbox
load_pack({str(CUSM_PACK)!r})
Mailbox.objects.filter(code="cct").update(imap_host="127.0.0.1", imap_port={imap.port},
    imap_security="none", imap_user={imap.user!r}, imap_password_env="FAULT_IMAP_PASSWORD")
"""
        )
        client = imap.client()
        for i in range(N):
            client.append(
                "INBOX",
                "",
                None,
                mail(subject=f"Caméra en panne, salle {i}", msgid=f"<fault.{i}@example.org>"),
            )
        client.logout()
        env = {"FAULT_IMAP_PASSWORD": imap.password, "ESCALADE_MAIL_FETCH_LEASE_SECONDS": "2"}
        count = "from escalade.incidents.models import Incident\nresult = Incident.objects.count()"
        first = processes.start("fetch_mail", "cct", **env)
        wait_for(lambda: processes.run(count) >= 40, 120, "the first incidents")
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
        taken_before = processes.run(count)
        assert taken_before < N, "the collector finished before it could be killed"
        # the dead collector's lease (2 s) keeps any other out until it ends: a run
        # started before that says "another collector is reading it" and does nothing
        lease_over = (
            "from django.utils import timezone\nfrom escalade.mailin.models import Mailbox\n"
            "until = Mailbox.objects.get(code='cct').fetching_until\n"
            "result = until is None or until < timezone.now()"
        )
        wait_for(lambda: processes.run(lease_over), 30, "the killed collector's lease to end")
        second = processes.start("fetch_mail", "cct", **env)
        wait_for(lambda: second.poll() is not None, 240, "the second run")
        log = processes.log(second)
        assert second.returncode == 0, log
        assert "another collector" not in log, log
        result = processes.run(
            """
from django.db.models import Count
from escalade.incidents.models import Incident
from escalade.mailin.models import Message
from escalade.notifications.models import OutgoingMail
result = {
    "incidents": Incident.objects.count(),
    "received": Message.objects.filter(direction="in").count(),
    "doubled": Message.objects.values("message_id").annotate(n=Count("id")).filter(n__gt=1).count(),
    "acks": OutgoingMail.objects.count(),
    "summaries": Incident.objects.values("summary").distinct().count(),
}
"""
        )
        assert result == {
            "incidents": N,
            "received": N,
            "doubled": 0,
            "acks": N,
            "summaries": N,
        }, log
        assert imap.count("INBOX") == 0
        assert imap.count("processed") == N
