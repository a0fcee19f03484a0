"""Fault tests: real processes (workers, scheduler, the embedded supervisor) on a scratch
database of their own, a real SMTP server, kill -9 and database restarts.

Each test gets a fresh database migrated once per test session (a copy of the SQLite
file the test session migrated, or a PostgreSQL database made from the copy of the test
database taken as migrated), so these processes never touch the database pytest-django
gives the other tests."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from email import message_from_bytes
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """An SMTP server's handler that records what it accepted (250) and can hold the
    first message at DATA until released, then refuse it (451): what a real server does
    with a message whose client went away."""

    def __init__(self, hold_first: bool = False):
        self.accepted: list[tuple[str, str]] = []  # (Message-ID, Subject)
        self.hold_first = hold_first
        self.holding = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.hold_first:
            self.hold_first = False
            self.holding.set()
            import asyncio

            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 4.3.0 try again later"
        message = message_from_bytes(envelope.content)
        with self.lock:
            self.accepted.append((message["Message-ID"], message["Subject"]))
        return "250 OK"

    def ids(self) -> list[str]:
        with self.lock:
            return [m for m, _ in self.accepted]


@pytest.fixture
def smtp():
    """Start a real SMTP server: smtp(hold_first=False) -> (inbox, port)."""
    controllers = []

    def start(hold_first: bool = False):
        inbox, port = Inbox(hold_first), free_port()
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        controllers.append(controller)
        return inbox, port

    yield start
    for controller in controllers:
        controller.stop()


class Processes:
    """Background processes of a test: started with the scratch database, all killed at
    the end whatever happens."""

    def __init__(self, url: str, tmp_path: Path):
        self.url, self.tmp_path, self.started = url, tmp_path, []
        self.env = {
            **os.environ,
            "DATABASE_URL": url,
            "ESCALADE_VAR": str(tmp_path / "var"),
            "ESCALADE_HEARTBEAT_SECONDS": "0.5",
            "ESCALADE_TASK_LEASE_SECONDS": "3",
            "ESCALADE_LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }

    def start(self, *args: str, **env: str) -> subprocess.Popen:
        n = len(self.started)
        log = open(self.tmp_path / f"process-{n}-{args[0]}.log", "wb")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, "-m", "escalade.cli", *args],
            env={**self.env, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            start_new_session=True,
        )
        process.log_path = log.name
        self.started.append(process)
        return process

    def log(self, process) -> str:
        return Path(process.log_path).read_text(errors="replace")

    def exited(self, processes) -> list[str]:
        """Of these processes, those that exited: their code and the end of their log (a
        failed test says why a worker died, not only that it did)."""
        return [
            f"{' '.join(p.args[3:])} exited {p.returncode}: {self.log(p)[-1500:]}"
            for p in processes
            if p.poll() is not None
        ]

    def run(self, code: str, **env: str):
        """Run `code` with Django set up on the scratch database; returns its `result`.
        It runs in one helper process per test that set Django up once (a fresh process
        costs 1.5 s of this machine's two cores, and the tests poll): each run gets fresh
        database connections, so a database restart in between is no matter. With `env`,
        or when the test changed its environment, in a process of its own."""
        if env or self._helper_env != self.env:
            self._stop_helper()
        if env:
            return self._run_alone(code, **env)
        if self._helper is None:
            self._helper_env = dict(self.env)
            self._helper = subprocess.Popen(
                [sys.executable, "-c", HELPER],
                env={**self.env, "DJANGO_SETTINGS_MODULE": "escalade.config.settings"},
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                cwd=ROOT,
            )
        helper = self._helper
        helper.stdin.write(json.dumps(code) + "\n")
        helper.stdin.flush()
        watchdog = threading.Timer(120, helper.kill)
        watchdog.start()
        try:
            lines = []
            for line in helper.stdout:
                if line.startswith(MARK):
                    ok, value = json.loads(line[len(MARK) :])
                    if not ok:
                        raise AssertionError(value[-3000:])
                    return value
                lines.append(line)
            raise AssertionError("the helper process ended: " + "".join(lines)[-3000:])
        finally:
            watchdog.cancel()

    _helper = None
    _helper_env: dict | None = None

    def _stop_helper(self) -> None:
        if self._helper is not None:
            self._helper.kill()
            self._helper.wait()
            self._helper = None

    def _run_alone(self, code: str, **env: str):
        script = (
            "import json\nfrom escalade.config.startup import setup\nsetup()\nresult = None\n"
            + code
            + "\nprint('RESULT=' + json.dumps(result, default=str))\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", script],
            env={**self.env, "DJANGO_SETTINGS_MODULE": "escalade.config.settings", **env},
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
        )
        if done.returncode != 0:
            raise AssertionError(done.stderr[-3000:])
        line = [x for x in done.stdout.splitlines() if x.startswith("RESULT=")][-1]
        return json.loads(line[len("RESULT=") :])

    def stop_all(self) -> None:
        self._stop_helper()
        for process in self.started:
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                process.wait()


MARK = "\x1eRESULT\x1e"
# The helper: Django set up once; each line on stdin is a snippet to run in a fresh
# namespace with fresh database connections; its `result` (or the traceback) comes back
# on one marked line.
HELPER = f"""
import json, sys, traceback
from escalade.config.startup import setup
setup()
from django.db import connections
for line in sys.stdin:
    connections.close_all()
    space = {{"result": None}}
    try:
        exec(json.loads(line), space)
        answer = [True, json.loads(json.dumps(space["result"], default=str))]
    except BaseException:
        answer = [False, traceback.format_exc()]
    finally:
        connections.close_all()
    sys.stdout.write({MARK!r} + json.dumps(answer) + "\\n")
    sys.stdout.flush()
"""


@pytest.fixture
def processes(scratch_db, tmp_path):
    procs = Processes(scratch_db, tmp_path)
    yield procs
    procs.stop_all()


def wait_for(predicate, timeout: float, what: str, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
