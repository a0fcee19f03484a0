"""Faults under load, counted: gunicorn (2 workers) on PostgreSQL, 8 clients logging
incidents with Idempotency-Keys (retrying the same key until acknowledged), e-mails
queued beside them, two task workers and a scheduler; then kill -9 of a web worker,
kill -9 of a task worker in the middle of its work, and a PostgreSQL restart.
Prints acknowledged vs present, duplicates, gaps in the numbers, e-mails queued vs
delivered at a real SMTP server, duplicates there, and tasks left behind.

    .venv/bin/python bench/faults.py            # 8 clients x 40 incidents, 120 e-mails

It restarts the local PostgreSQL cluster (pg_ctlcluster): do not run it beside CI.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from email import message_from_bytes
from pathlib import Path

import httpx
from aiosmtpd.controller import Controller

sys.path.insert(0, str(Path(__file__).resolve().parent))
from intake import ESCALADE, body, free_port, prepare, start_server  # noqa: E402

PG_URL = "postgres://postgres@127.0.0.1:5432/escalade_faults_bench"


class Inbox:
    def __init__(self):
        self.ids: list[str] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.ids.append(message_from_bytes(envelope.content)["Message-ID"])
        return "250 OK"


def client(base, token, n, offset, acknowledged, errors):
    with httpx.Client(timeout=30) as http:
        for i in range(offset, offset + n):
            key = f"bench-{uuid.uuid4()}"
            for _attempt in range(200):
                try:
                    r = http.post(
                        base + "/api/incidents",
                        json=body(i),
                        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
                    )
                except httpx.HTTPError:
                    time.sleep(0.2)
                    continue
                if r.status_code == 201:
                    acknowledged.append(r.json()["number"])
                    break
                errors[r.status_code] += 1
                time.sleep(0.2)


QUEUE = """
import django, json
django.setup()
from django.db import transaction
from escalade.notifications.services import send_mail
with transaction.atomic():
    ids = [send_mail(["desk@example.org"], "Bench mail", "body").pk for _ in range({n})]
print("IDS=" + json.dumps(ids))
"""


def mailer(env, batches, size, queued):
    for _ in range(batches):
        for _attempt in range(100):
            done = subprocess.run(
                [sys.executable, "-c", QUEUE.format(n=size)],
                env={**env, "DJANGO_SETTINGS_MODULE": "escalade.config.settings"},
                capture_output=True,
                text=True,
            )
            line = [x for x in done.stdout.splitlines() if x.startswith("IDS=")]
            if done.returncode == 0 and line:
                queued.extend(json.loads(line[0][4:]))
                break
            time.sleep(0.5)
        time.sleep(0.3)


def children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(x) for x in out.stdout.split()]


def sql(env, query: str):
    import psycopg

    with psycopg.connect(env["DATABASE_URL"]) as conn:
        return conn.execute(query).fetchall()


def mail_and_database(pg_url: str, prefix: str):
    """A real SMTP server counting what it receives, and a fresh PostgreSQL database with
    the pack, its environment set for workers that find a dead one's tasks within 5 s.
    Returns (inbox, smtp server, work directory, environment)."""
    inbox, smtp_port = Inbox(), free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    work = Path(tempfile.mkdtemp(prefix=prefix))
    env = prepare("postgresql", pg_url, work)
    env.update(
        ESCALADE_EMAIL_HOST="127.0.0.1",
        ESCALADE_EMAIL_PORT=str(smtp_port),
        ESCALADE_HEARTBEAT_SECONDS="1",
        ESCALADE_TASK_LEASE_SECONDS="5",
    )
    return inbox, smtp, work, env


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("-n", type=int, default=40, help="incidents per client")
    parser.add_argument("--mails", type=int, default=120)
    args = parser.parse_args()

    inbox, smtp, work, env = mail_and_database(PG_URL, "escalade-faults-")
    server, base = start_server(env, workers=2)
    log = open(work / "workers.log", "wb")  # noqa: SIM115
    background = [
        subprocess.Popen([*ESCALADE, *cmd], env=env, stdout=log, stderr=log, start_new_session=True)
        for cmd in (["run_worker"], ["run_worker"], ["run_scheduler", "--interval", "1"])
    ]
    acknowledged: list[str] = []
    errors: collections.Counter = collections.Counter()
    queued: list[int] = []
    threads = [
        threading.Thread(
            target=client, args=(base, env["BENCH_TOKEN"], args.n, c * args.n, acknowledged, errors)
        )
        for c in range(args.clients)
    ]
    threads.append(threading.Thread(target=mailer, args=(env, args.mails // 10, 10, queued)))
    started = time.monotonic()
    for t in threads:
        t.start()
    faults = []
    time.sleep(3)
    victim = children(server.pid)[0]
    os.kill(victim, signal.SIGKILL)
    faults.append(f"kill -9 web worker {victim} at {time.monotonic() - started:.1f} s")
    time.sleep(3)
    os.killpg(background[0].pid, signal.SIGKILL)
    faults.append(f"kill -9 task worker {background[0].pid} at {time.monotonic() - started:.1f} s")
    background[0] = subprocess.Popen(
        [*ESCALADE, "run_worker"], env=env, stdout=log, stderr=log, start_new_session=True
    )
    time.sleep(3)
    cluster = os.listdir("/etc/postgresql")[0]
    t0 = time.monotonic()
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "restart"], check=True
    )
    faults.append(
        f"PostgreSQL restarted at {t0 - started:.1f} s (took {time.monotonic() - t0:.1f} s)"
    )
    for t in threads:
        t.join()
    load_s = time.monotonic() - started
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and len(inbox.ids) < len(queued):
        time.sleep(0.5)
    time.sleep(3)
    present = [r[0] for r in sql(env, "SELECT number FROM incidents_incident")]
    summaries = sql(
        env, "SELECT summary, count(*) FROM incidents_incident GROUP BY summary HAVING count(*) > 1"
    )
    seqs = sorted(int(n.rsplit("-", 1)[1]) for n in present)
    gaps = (seqs[-1] - seqs[0] + 1 - len(seqs)) if seqs else 0
    mails = dict(sql(env, "SELECT state, count(*) FROM notifications_outgoingmail GROUP BY state"))
    tasks = dict(
        sql(env, "SELECT status, count(*) FROM django_tasks_database_dbtaskresult GROUP BY status")
    )
    alive = sum(1 for p in background if p.poll() is None)
    for p in background:
        os.killpg(p.pid, signal.SIGTERM)
    os.killpg(server.pid, signal.SIGTERM)
    smtp.stop()
    print(f"faults: {'; '.join(faults)}")
    print(f"load: {load_s:.1f} s, {args.clients} clients, retries by status {dict(errors)}")
    print(
        f"incidents: acknowledged {len(acknowledged)}, present {len(present)}, "
        f"acknowledged missing {len(set(acknowledged) - set(present))}, "
        f"duplicates {len(summaries)}, gaps in numbers {gaps}"
    )
    ids = inbox.ids
    print(
        f"e-mails: queued {len(queued)}, rows {mails}, delivered {len(ids)}, "
        f"distinct {len(set(ids))}, lost {len(queued) - len(set(ids))}, "
        f"duplicates {len(ids) - len(set(ids))}"
    )
    print(f"tasks: {tasks}; background processes still running: {alive}/3")


if __name__ == "__main__":
    main()
