"""The same service on several machines, counted: two gunicorn servers on different ports
(as two machines behind a load balancer would be), three task workers and two schedulers
(one a machine), all on one PostgreSQL, under the intake load: clients log incidents with
Idempotency-Keys, alternating between the servers and going to the other when one does
not answer (what a load balancer does); one call in four is a major incident whose
on-call policy pages people by e-mail. Mid-run, a whole web server (its master and
workers) and a task worker in the middle of its work are killed with SIGKILL; the task
worker is started again, the web server is not.

Prints what was acknowledged and what is stored (lost, duplicated, gaps in the numbers),
the pages made and the e-mails delivered at a real SMTP server (lost, duplicated), the
scheduler's periodic checks queued per minute (each once, whichever scheduler got it),
and the tasks left behind.

    .venv/bin/python bench/cluster.py               # 8 clients x 50 incidents
    .venv/bin/python bench/cluster.py --clients 4 -n 20
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from faults import mail_and_database, mailer, sql  # noqa: E402
from intake import ESCALADE, body, start_server  # noqa: E402

PG_URL = "postgres://postgres@127.0.0.1:5432/escalade_cluster_bench"


def client(bases, token, n, offset, acknowledged, retries):
    """Logs n incidents, each with its own Idempotency-Key, retried until acknowledged."""
    with httpx.Client(timeout=30) as http:
        for i in range(offset, offset + n):
            key, data = f"cluster-{uuid.uuid4()}", body(i)
            if i % 4 == 0:
                data["symptom"] = "bridge"  # a major incident: its policy pages on call
            for attempt in range(300):
                base = bases[(i + attempt) % len(bases)]
                try:
                    r = http.post(
                        base + "/api/incidents",
                        json=data,
                        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
                    )
                except httpx.HTTPError:
                    retries["no answer"] += 1
                    continue  # the next attempt goes to the other server
                if r.status_code == 201:
                    acknowledged.append(r.json()["number"])
                    break
                retries[r.status_code] += 1
                time.sleep(0.2)


def execute(env, statement: str) -> int:
    import psycopg

    with psycopg.connect(env["DATABASE_URL"]) as conn:
        return conn.execute(statement).rowcount


def settle(env, seconds: int = 180) -> None:
    """Waits until the workers have done every task due and sent every e-mail."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        waiting = sql(
            env,
            "SELECT count(*) FROM django_tasks_database_dbtaskresult "
            "WHERE status = 'RUNNING' OR (status = 'READY' AND run_after <= now())",
        )[0][0]
        unsent = sql(env, "SELECT count(*) FROM notifications_outgoingmail WHERE state <> 'sent'")[
            0
        ][0]
        if not waiting and not unsent:
            break
        time.sleep(1)
    time.sleep(2)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("-n", type=int, default=50, help="incidents per client")
    parser.add_argument("--mails", type=int, default=100, help="e-mails queued beside")
    args = parser.parse_args()

    inbox, smtp, work, env = mail_and_database(PG_URL, "escalade-cluster-")
    servers = [start_server(env, workers=2) for _ in range(2)]
    log = open(work / "background.log", "wb")  # noqa: SIM115

    def spawn(*cmd):
        return subprocess.Popen(
            [*ESCALADE, *cmd], env=env, stdout=log, stderr=log, start_new_session=True
        )

    workers = [spawn("run_worker") for _ in range(3)]
    schedulers = [spawn("run_scheduler", "--interval", "1") for _ in range(2)]
    acknowledged: list[str] = []
    retries: collections.Counter = collections.Counter()
    bases = [base for _, base in servers]
    threads = [
        threading.Thread(
            target=client,
            args=(bases, env["BENCH_TOKEN"], args.n, c * args.n, acknowledged, retries),
        )
        for c in range(args.clients)
    ]
    queued: list[int] = []  # e-mails queued beside the calls (reports, notices, replies)
    threads.append(threading.Thread(target=mailer, args=(env, args.mails // 10, 10, queued)))
    started, began = time.monotonic(), dt.datetime.now(dt.UTC)
    for t in threads:
        t.start()
    faults = []
    time.sleep(4)
    os.killpg(servers[0][0].pid, signal.SIGKILL)
    faults.append(f"kill -9 web server 1 (all its processes) at {time.monotonic() - started:.1f} s")
    time.sleep(3)
    busy = workers[0]
    os.killpg(busy.pid, signal.SIGKILL)
    faults.append(f"kill -9 task worker {busy.pid} at {time.monotonic() - started:.1f} s")
    workers[0] = spawn("run_worker")
    for t in threads:
        t.join()
    load_s = time.monotonic() - started
    settle(env)
    # the policies' timers (the next step, 10 minutes after the first pages) brought
    # forward as if their wait were over; a task worker killed while they run
    timers = execute(
        env,
        "UPDATE django_tasks_database_dbtaskresult SET run_after = now() "
        "WHERE status = 'READY' AND task_path = 'escalade.oncall.tasks.page_step'",
    )
    time.sleep(0.5)
    os.killpg(workers[1].pid, signal.SIGKILL)
    faults.append(f"kill -9 task worker {workers[1].pid} while {timers} timers ran")
    workers[1] = spawn("run_worker")
    settle(env)
    # two of the schedulers' minutes at least, so that every-minute checks are counted
    while dt.datetime.now(dt.UTC) < began.replace(second=0, microsecond=0) + dt.timedelta(
        minutes=2, seconds=5
    ):
        time.sleep(1)
    settle(env)
    ended = dt.datetime.now(dt.UTC)
    present = [r[0] for r in sql(env, "SELECT number FROM incidents_incident")]
    doubled = sql(
        env, "SELECT summary FROM incidents_incident GROUP BY summary HAVING count(*) > 1"
    )
    seqs = sorted(int(n.rsplit("-", 1)[1]) for n in present)
    gaps = (seqs[-1] - seqs[0] + 1 - len(seqs)) if seqs else 0
    majors = sql(env, "SELECT count(*) FROM incidents_incident WHERE severity = 'major'")[0][0]
    pagings = sql(env, "SELECT count(*) FROM oncall_paging")[0][0]
    pages = dict(sql(env, "SELECT step, count(*) FROM oncall_page GROUP BY step"))
    # each paging's timer fired once: its step-1 pages are there, each person once
    missed = sql(
        env,
        "SELECT count(*) FROM oncall_paging p WHERE NOT EXISTS "
        "(SELECT 1 FROM oncall_page g WHERE g.paging_id = p.id AND g.step = 1)",
    )[0][0]
    advanced = sql(env, "SELECT count(*) FROM oncall_paging WHERE step >= 2")[0][0]
    mails = dict(sql(env, "SELECT state, count(*) FROM notifications_outgoingmail GROUP BY state"))
    mail_ids = {r[0] for r in sql(env, "SELECT id FROM notifications_outgoingmail")}
    tasks = dict(
        sql(env, "SELECT status, count(*) FROM django_tasks_database_dbtaskresult GROUP BY status")
    )
    # the scheduler's every-minute checks: one run a minute, whichever machine queued it
    runs = sql(
        env,
        "SELECT task_path, date_trunc('minute', enqueued_at), count(*) "
        "FROM django_tasks_database_dbtaskresult "
        "WHERE task_path IN ('escalade.oncall.tasks.check_response_clocks', "
        "'escalade.mailin.tasks.fetch_mail') GROUP BY 1, 2",
    )
    minutes = int((ended - began).total_seconds() // 60) + 1
    for proc in [*workers, *schedulers, servers[1][0]]:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    smtp.stop()
    ids = inbox.ids  # <escalade.mail.{pk}.{created}@domain>: the row each one came from
    delivered = collections.Counter(int(i.split(".")[2]) for i in ids if "escalade.mail." in i)
    print("cluster: 2 web servers x 2 workers, 3 task workers, 2 schedulers, one PostgreSQL")
    print(f"faults: {'; '.join(faults)}")
    print(f"load: {load_s:.1f} s, {args.clients} clients, retries {dict(retries)}")
    print(
        f"incidents: acknowledged {len(acknowledged)}, stored {len(present)}, "
        f"lost {len(set(acknowledged) - set(present))}, duplicated {len(doubled)}, "
        f"gaps in the numbers {gaps}"
    )
    print(
        f"pages: {majors} major incidents, {pagings} pagings, pages by step {pages}; "
        f"timers: {timers} brought forward, {advanced} pagings went to their next step, "
        f"{missed} missed it"
    )
    print(
        f"e-mails: queued {len(queued)} (and the pages'), rows {mails}, delivered {len(ids)}, lost "
        f"{len(mail_ids - set(delivered))}, duplicated {sum(c - 1 for c in delivered.values())}"
    )
    print(
        f"scheduler: {len(runs)} minute-runs of 2 every-minute checks over about {minutes} "
        f"minutes, queued twice: {sum(1 for r in runs if r[2] > 1)}"
    )
    print(f"tasks: {tasks}")


if __name__ == "__main__":
    main()
