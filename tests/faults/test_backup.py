"""`escalade backup` then `escalade restore` on the real database (SQLite's online backup,
or pg_dump/pg_restore): every incident, audit event and attachment comes back."""

import subprocess
import sys

from .conftest import ROOT

MAKE = """
from escalade.core.packs import load_pack
from escalade.accounts.services import create_user
from escalade.incidents.tests.factories import log
from escalade.notifications.services import send_mail
from django.db import transaction
from pathlib import Path
cusm = load_pack(Path("packs/cusm-telehealth")).institution
agent = create_user("agent", password="pw-Escalade-1", roles=["level1_agent"], institutions=[cusm])
numbers = [log(agent, cusm, symptom="codec").number for _ in range(3)]
with transaction.atomic():
    send_mail(["a@example.org"], "Report", "see attached", attachment=("r.pdf", b"%PDF-1.4 \\x00\\x01", "application/pdf"))
result = numbers
"""

READ = """
from escalade.core.models import AuditEvent
from escalade.incidents.models import Incident
from escalade.notifications.models import OutgoingMail
mail = OutgoingMail.objects.first()
result = {
    "numbers": sorted(Incident.objects.values_list("number", flat=True)),
    "audit": AuditEvent.objects.count(),
    "attachment": bytes(mail.attachment).hex() if mail else None,
}
"""


def escalade(processes, *args):
    return subprocess.run(
        [sys.executable, "-m", "escalade.cli", *args],
        env=processes.env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_backup_restores_every_incident_audit_event_and_attachment(processes, tmp_path):
    numbers = processes.run(MAKE)
    before = processes.run(READ)
    assert before["numbers"] == sorted(numbers) and before["audit"] >= 3
    archive = tmp_path / "backups" / "escalade.tar.gz"
    done = escalade(processes, "backup", str(archive))
    assert done.returncode == 0, done.stderr
    assert archive.is_file() and "incidents.Incident: 3" in done.stdout

    wiped = escalade(processes, "flush", "--noinput")
    assert wiped.returncode == 0, wiped.stderr
    assert processes.run(READ)["numbers"] == []

    done = escalade(processes, "restore", str(archive), "--yes")
    assert done.returncode == 0, done.stderr + done.stdout
    assert processes.run(READ) == before
    assert before["attachment"] == b"%PDF-1.4 \x00\x01".hex()


def test_a_restore_refuses_a_missing_file(processes, tmp_path):
    done = escalade(processes, "restore", str(tmp_path / "nothing.tar.gz"), "--yes")
    assert done.returncode != 0 and "no backup" in done.stderr
