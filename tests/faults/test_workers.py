"""Background work survives faults, for real: a worker killed with kill -9 in the middle
of sending an e-mail, a PostgreSQL restart under load, the embedded supervisor losing a
child and being stopped. Counted at a real SMTP server: nothing lost, nothing twice."""

import os
import signal
import subprocess
import time

import pytest

from conftest import ON_POSTGRESQL

from .conftest import wait_for

QUEUE_MAILS = """
from django.db import transaction
from escalade.notifications.services import send_mail
ids = []
for n in range({n}):
    with transaction.atomic():
        ids.append(send_mail(["desk@example.org"], f"{prefix} {{n}}", "body").pk)
result = ids
"""

STATE = """
from django_tasks_db.models import DBTaskResult
from escalade.core.models import Heartbeat
from escalade.notifications.models import OutgoingMail
result = {
    "mails": sorted(OutgoingMail.objects.values_list("state", flat=True)),
    "tasks": sorted(DBTaskResult.objects.values_list("status", flat=True)),
    "workers": [len(w) for w in DBTaskResult.objects.values_list("worker_ids", flat=True)],
    "beats": {k: str(s) for k, s in Heartbeat.objects.values_list("process_id", "seen_at")},
}
"""


def mail_env(port):
    return {"ESCALADE_EMAIL_HOST": "127.0.0.1", "ESCALADE_EMAIL_PORT": str(port)}


def test_a_worker_killed_mid_send_is_replaced_after_the_lease_and_the_mail_goes_once(
    processes, smtp
):
    inbox, port = smtp(hold_first=True)
    processes.env.update(mail_env(port))
    [mail_id] = processes.run(QUEUE_MAILS.format(n=1, prefix="Killed"))
    first = processes.start("run_worker")
    wait_for(inbox.holding.is_set, 60, "the worker to reach DATA")
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    inbox.release.set()  # the server refuses the half-sent message of the dead client
    state = processes.run(STATE)
    assert state["mails"] == ["sending"] and state["tasks"] == ["RUNNING"]

    second = processes.start("run_worker")
    wait_for(lambda: inbox.ids(), 60, "the mail to be sent again")
    # the task marked done after its send returned: every message it sent has reached
    # the server by then, so a duplicate would be in the inbox (no fixed wait needed)
    state = wait_for(
        lambda: (s := processes.run(STATE))["tasks"] == ["SUCCESSFUL"] and s, 60, "the task's end"
    )
    assert len(inbox.ids()) == 1 and inbox.accepted[0][1] == "Killed 0"
    assert inbox.ids()[0].startswith(f"<escalade.mail.{mail_id}.")
    assert state["mails"] == ["sent"]
    assert state["workers"] == [2]  # the dead worker, then the one that took it over
    assert "taken back" in processes.log(second)
    assert second.poll() is None


@pytest.mark.pg_restart
@pytest.mark.skipif(not ON_POSTGRESQL, reason="restarts the PostgreSQL server")
def test_workers_and_the_scheduler_carry_on_through_a_postgresql_restart(processes, smtp):
    inbox, port = smtp()
    processes.env.update(mail_env(port))
    workers = [processes.start("run_worker") for _ in range(2)]
    scheduler = processes.start("run_scheduler", "--interval", "1")
    queued = processes.run(QUEUE_MAILS.format(n=30, prefix="Before"))
    wait_for(lambda: len(inbox.ids()) >= 5, 60, "the first mails")
    cluster = subprocess.run(["ls", "/etc/postgresql"], capture_output=True, text=True)
    restart = subprocess.run(
        [
            "pg_ctlcluster",
            "--skip-systemctl-redirect",
            cluster.stdout.split()[0],
            "main",
            "restart",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert restart.returncode == 0, restart.stderr
    restarted_at = time.time()
    queued += processes.run(QUEUE_MAILS.format(n=30, prefix="After"))
    wait_for(lambda: len(inbox.ids()) >= 60, 180, "all 60 mails", every=0.5)
    time.sleep(3)  # room for duplicates
    ids = inbox.ids()
    assert len(queued) == 60 and len(ids) == 60 and len(set(ids)) == 60  # none lost, none twice
    assert processes.exited((*workers, scheduler)) == []
    logs = "".join(processes.log(p) for p in (*workers, scheduler))
    assert "database unavailable" in logs
    state = processes.run(STATE)
    assert state["mails"] == ["sent"] * 60
    assert set(state["tasks"]) == {"SUCCESSFUL"}
    # the scheduler and both workers wrote their heartbeat after the restart
    import datetime as dt

    fresh = [
        s
        for s in state["beats"].values()
        if dt.datetime.fromisoformat(s).timestamp() > restarted_at
    ]
    assert len(fresh) == 3


def _children(pid: int) -> set[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return {int(x) for x in out.stdout.split()}


def test_the_embedded_supervisor_restarts_a_dead_child_and_sigterm_stops_them_all(
    processes, tmp_path
):
    from .conftest import free_port

    port = free_port()
    parent = processes.start("run_embedded", f"127.0.0.1:{port}")
    first = wait_for(
        lambda: len(_children(parent.pid)) == 2 and _children(parent.pid), 60, "two children"
    )
    beats = wait_for(
        lambda: len(processes.run(STATE)["beats"]) == 2 and processes.run(STATE)["beats"],
        60,
        "the worker's and the scheduler's heartbeats",
        every=1,
    )
    assert {k.split("-")[0] for k in beats} == {"worker", "scheduler"}
    victim = next(iter(first))
    os.kill(victim, signal.SIGKILL)
    after = wait_for(
        lambda: (
            len(_children(parent.pid)) == 2
            and victim not in _children(parent.pid)
            and _children(parent.pid)
        ),
        30,
        "the dead child to be started again",
    )
    assert len(after & first) == 1 and "restarting" in processes.log(parent)
    parent.send_signal(signal.SIGTERM)
    assert parent.wait(timeout=30) == 0
    time.sleep(0.5)
    for pid in after:
        assert (
            not os.path.exists(f"/proc/{pid}") or "Z" in open(f"/proc/{pid}/stat").read().split()[2]
        ), f"child {pid} left running"
