"""E-mail in benchmark: messages per second from the IMAP collector into incidents.
A real Dovecot (Debian's dovecot-imapd) is started on a free port with N messages in
its INBOX (90% new requests in French or English, 10% replies to them (In-Reply-To), one in
20 with a 40 kB attachment); `services.fetch()` then reads, takes and moves them all, on
SQLite or PostgreSQL, and the figure is messages per second of that whole run: parsing,
classification, the incident and its number, the acknowledgment queued, the move.

    .venv/bin/python bench/mail.py              # SQLite, 1,000 messages
    .venv/bin/python bench/mail.py --db postgres -n 2000
"""

from __future__ import annotations

import argparse
import email.utils
import imaplib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from intake import ROOT  # noqa: E402
from route import prepare  # noqa: E402

sys.path.insert(0, str(ROOT / "src"))
from escalade.mailin.tests import servers  # noqa: E402

SUBJECTS = [
    ("La caméra de la salle 3 ne fonctionne plus", "Bonjour, la caméra ne fonctionne plus. Merci"),
    ("Pas de son en visioconférence", "Le micro est en sourdine et rien ne change."),
    ("Bridge call dropped", "The multipoint bridge dropped all sites at 10:02."),
    ("Écran noir au poste 12", "Rien ne démarre depuis ce matin."),
    ("Reacts login fails", "The application says my password is wrong."),
]

RUN = """
import json, os, sys, time
import django
django.setup()
from escalade.mailin import services
from escalade.mailin.models import Mailbox
from escalade.incidents.models import Incident
from escalade.notifications.models import OutgoingMail
port, n = int(sys.argv[1]), int(sys.argv[2])
Mailbox.objects.filter(code="cct").update(imap_host="127.0.0.1", imap_port=port,
    imap_security="none", imap_user="desk", imap_password_env="BENCH_IMAP_PASSWORD")
box = Mailbox.objects.select_related("institution").get(code="cct")
t = time.perf_counter()
if os.environ.get("BENCH_PROFILE"):  # where the time goes: a cProfile listing in that file
    import cProfile, pstats
    with cProfile.Profile() as prof:
        r = services.fetch(box, limit=n + 10)
    with open(os.environ["BENCH_PROFILE"], "w") as f:
        pstats.Stats(prof, stream=f).sort_stats("cumulative").print_stats(45)
else:
    r = services.fetch(box, limit=n + 10)
elapsed = time.perf_counter() - t
print(json.dumps({"seconds": elapsed, "taken": r.taken, "rejected": r.rejected,
    "again": r.again, "states": r.states, "incidents": Incident.objects.count(),
    "acks": OutgoingMail.objects.count()}))
"""


def message(i: int) -> bytes:
    m = EmailMessage()
    m["From"] = f"Personne {i % 50} <personne{i % 50}@hopital.example.org>"
    m["To"] = "cct.telesante@cusm.example.org"
    m["Date"] = email.utils.formatdate()
    m["Message-ID"] = f"<bench.{i}@hopital.example.org>"
    if i % 10 == 9:  # an answer to the request 9 messages earlier: threads by In-Reply-To
        m["Subject"] = f"Re: {SUBJECTS[(i - 9) % len(SUBJECTS)][0]} ({i - 9})"
        m["In-Reply-To"] = f"<bench.{i - 9}@hopital.example.org>"
        m["References"] = f"<bench.{i - 9}@hopital.example.org>"
        m.set_content("Toujours en panne, merci de rappeler.\n\nLe mar. 1 déc. a écrit :\n> avant")
    else:
        subject, body = SUBJECTS[i % len(SUBJECTS)]
        m["Subject"] = f"{subject} ({i})"
        m.set_content(body)
    if i % 20 == 0:
        m.add_attachment(
            b"\x89PNG" + os.urandom(40_000), maintype="image", subtype="png", filename="capture.png"
        )
    return m.as_bytes()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("-n", type=int, default=1000, help="messages")
    args = parser.parse_args()
    if not servers.available():
        sys.exit(servers.WHY_NOT)
    workdir = Path(tempfile.mkdtemp(prefix="escalade-mail-"))
    try:
        env = prepare(args.db, workdir)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "escalade.cli",
                "load_pack",
                str(ROOT / "packs" / "cusm-telehealth"),
            ],
            env=env,
            check=True,
            capture_output=True,
        )
        with servers.dovecot() as imap:
            client = imap.client()
            t = time.perf_counter()
            for i in range(args.n):
                client.append("INBOX", "", imaplib.Time2Internaldate(time.time()), message(i))
            client.logout()
            print(f"{args.n} messages put in Dovecot's INBOX in {time.perf_counter() - t:.1f} s")
            env["BENCH_IMAP_PASSWORD"] = imap.password
            out = subprocess.run(
                [sys.executable, "-c", RUN, str(imap.port), str(args.n)],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            result = json.loads(out.stdout.strip().splitlines()[-1])
            left = imap.count("INBOX")
        rate = result["taken"] / result["seconds"]
        print(
            f"{args.db}: {result['taken']} messages taken in {result['seconds']:.1f} s = "
            f"{rate:.1f} messages/s ({1000 / rate:.1f} ms each); states {result['states']}; "
            f"{result['incidents']} incidents, {result['acks']} e-mails queued, "
            f"{result['rejected']} rejected, {left} left in INBOX"
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
