"""Paging timers survive faults like the live sessions' marks: workers killed with kill -9
between two steps, two workers racing, a PostgreSQL restart between steps: each step of
each policy pages its people once, never twice, never not at all (real worker processes,
a scratch database)."""

import os
import signal
import subprocess
import time

import pytest

from conftest import CUSM_PACK, ON_POSTGRESQL

from .conftest import wait_for

N = 6  # major incidents logged at once, each with its policy of three steps

SETUP = """
from django.contrib.auth import get_user_model
from escalade.accounts.services import create_user
from escalade.core.packs import load_pack, write_setting
from escalade.incidents.tests.factories import log
cusm = load_pack({pack!r}).institution
write_setting(cusm, "paging_policies", [{{
    "code": "fault", "triggers": ["major_incident"], "rounds": 1,
    "steps": [
        {{"role": "telehealth_technician"}},
        {{"role": "chief_telehealth_technician", "after": "{wait}"}},
        {{"role": "manager", "after": "{wait}"}},
    ],
}}])
for name, role in [("tech", "telehealth_technician"), ("chief", "chief_telehealth_technician"),
                   ("boss", "manager"), ("agent", "level1_agent")]:
    create_user(name, password="pw-Escalade-1", roles=[role], institutions=[cusm])
agent = get_user_model().objects.get(username="agent")
result = [log(agent, cusm, symptom="bridge").number for _ in range({n})]
"""

STATE = """
from django.db.models import Count
from escalade.notifications.models import Notification
from escalade.oncall.models import Paging
paged = Notification.objects.filter(kind="paged").values("user__username").annotate(n=Count("id"))
result = {
    "paged": {row["user__username"]: row["n"] for row in paged},
    "states": sorted(Paging.objects.values_list("state", flat=True)),
}
"""


def test_workers_killed_between_steps_page_each_step_once(processes):
    numbers = processes.run(SETUP.format(pack=str(CUSM_PACK), wait="2s", n=N))
    assert len(numbers) == N
    assert processes.run(STATE)["paged"] == {"tech": N}  # the first step, with the incident
    first = processes.start("run_worker")
    wait_for(lambda: processes.run(STATE)["paged"].get("chief"), 60, "the second steps")
    os.killpg(first.pid, signal.SIGKILL)  # between steps, perhaps in the middle of one
    first.wait()
    racing = [processes.start("run_worker") for _ in range(2)]
    state = wait_for(
        lambda: (s := processes.run(STATE))["states"] == ["exhausted"] * N and s,
        90,
        "every policy to reach its last step",
    )
    assert state["paged"] == {"tech": N, "chief": N, "boss": N}, state
    assert processes.exited(racing) == []


@pytest.mark.pg_restart
@pytest.mark.skipif(not ON_POSTGRESQL, reason="restarts the PostgreSQL server")
def test_a_postgresql_restart_between_steps_loses_and_doubles_no_page(processes):
    numbers = processes.run(SETUP.format(pack=str(CUSM_PACK), wait="6s", n=N))
    assert len(numbers) == N and processes.run(STATE)["paged"] == {"tech": N}
    workers = [processes.start("run_worker") for _ in range(2)]
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
    state = wait_for(
        lambda: (s := processes.run(STATE))["states"] == ["exhausted"] * N and s,
        180,
        "every policy to reach its last step after the restart",
        every=0.5,
    )
    time.sleep(3)  # room for a duplicate
    assert processes.run(STATE)["paged"] == {"tech": N, "chief": N, "boss": N}, state
    assert processes.exited(workers) == []
