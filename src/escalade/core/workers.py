"""Background processes that survive faults: task workers, the scheduler, and the
embedded supervisor that starts both beside the web server.

- A worker or scheduler that loses the database logs it, waits (0.5 s, 1 s, 2 s... at most
  30 s) and carries on when it is back; it never exits for that.
- Each process writes a heartbeat (core.Heartbeat) every few seconds. A task held by a
  worker whose heartbeat stopped for longer than the lease (a kill -9, a lost machine)
  goes back to the queue: `reap()`. Tasks are written so that running one twice has the
  effect of once (the mail is sent when still pending, a mark is set when still unset).
- A task that failed only because the database failed under it is queued again.
- `Supervisor` restarts a child that died and stops every child when it is stopped.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid

from django.conf import settings
from django.db import Error as DatabaseError
from django.db import close_old_connections, connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.compat import DEFAULT_TASK_QUEUE_NAME, TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker as DbWorker
from django_tasks_db.models import DBTaskResult

from .models import Heartbeat
from .scheduler import ensure_schedules, tick

LOG = logging.getLogger("escalade.workers")

# A task whose worker kept dying under it is given up after this many workers tried it.
MAX_WORKERS_PER_TASK = 5


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.ESCALADE_TASK_LEASE_SECONDS)


class Backoff:
    """0.5 s, 1 s, 2 s, 4 s... at most `cap` seconds; reset() after a success."""

    def __init__(self, first: float = 0.5, cap: float = 30.0):
        self.first, self.cap, self.n = first, cap, 0

    def next(self) -> float:
        delay = min(self.cap, self.first * 2**self.n)
        self.n += 1
        return delay

    def reset(self) -> None:
        self.n = 0


def new_process_id(kind: str) -> str:
    return f"{kind}-{socket.gethostname()[:30]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def beat(process_id: str, kind: str) -> None:
    now = timezone.now()
    updated = Heartbeat.objects.filter(process_id=process_id).update(seen_at=now)
    if not updated:
        Heartbeat.objects.create(
            process_id=process_id,
            kind=kind,
            host=socket.gethostname()[:255],
            pid=os.getpid(),
            started_at=now,
            seen_at=now,
        )


def forget(process_id: str) -> None:
    try:
        Heartbeat.objects.filter(process_id=process_id).delete()
    except DatabaseError:
        pass


def _close_connections() -> None:
    for conn in connections.all(initialized_only=True):
        try:
            conn.close()
        except DatabaseError:
            pass


def reap(now: dt.datetime | None = None) -> int:
    """Put back in the queue every task held longer than the lease by a worker whose
    heartbeat stopped; give one up (FAILED) after MAX_WORKERS_PER_TASK workers died on it.
    Safe in several processes at once. Returns how many tasks were taken back."""

    now = now or timezone.now()
    cutoff = now - lease()
    alive = set(
        Heartbeat.objects.filter(kind=Heartbeat.WORKER, seen_at__gte=cutoff).values_list(
            "process_id", flat=True
        )
    )
    taken = 0
    with transaction.atomic():
        held = (
            DBTaskResult.objects.select_for_update(skip_locked=True)
            .filter(status=TaskResultStatus.RUNNING, started_at__lt=cutoff)
            .order_by("started_at")
        )
        for row in held:
            if row.worker_ids and row.worker_ids[-1] in alive:
                continue
            if len(row.worker_ids) >= MAX_WORKERS_PER_TASK:
                row.status = TaskResultStatus.FAILED
                row.finished_at = now
                row.exception_class_path = "escalade.core.workers.WorkerLost"
                row.traceback = f"{len(row.worker_ids)} workers stopped while running this task"
                row.save(
                    update_fields=["status", "finished_at", "exception_class_path", "traceback"]
                )
                LOG.error("task %s (%s) given up: its workers kept dying", row.pk, row.task_path)
                continue
            row.status = TaskResultStatus.READY
            row.started_at = None
            row.save(update_fields=["status", "started_at"])
            LOG.warning(
                "task %s (%s) taken back: worker %s stopped answering",
                row.pk,
                row.task_path,
                row.worker_ids[-1] if row.worker_ids else "?",
            )
            taken += 1
    return taken


def release(worker_id: str) -> int:
    """Put back the tasks this worker held when the database failed under it."""

    n = 0
    with transaction.atomic():
        for row in DBTaskResult.objects.select_for_update().filter(status=TaskResultStatus.RUNNING):
            if row.worker_ids and row.worker_ids[-1] == worker_id:
                row.status, row.started_at = TaskResultStatus.READY, None
                row.save(update_fields=["status", "started_at"])
                n += 1
    return n


def failed_for_the_database(exception_class_path: str) -> bool:
    """Did a task fail because the database failed (not because of its own error)?"""
    if not exception_class_path:
        return False
    try:
        cls = import_string(exception_class_path)
    except ImportError:
        return False
    if not isinstance(cls, type):
        return False
    kinds: tuple[type, ...] = (DatabaseError,)
    try:
        import psycopg  # noqa: PLC0415 (PostgreSQL only)

        kinds += (psycopg.OperationalError, psycopg.InterfaceError)
    except ImportError:  # pragma: no cover - psycopg is a dependency
        pass
    return issubclass(cls, kinds)


def _requeue_after_database_failure(row) -> bool:
    if len(row.worker_ids) > 10:
        return False
    delay = min(60, 2 ** len(row.worker_ids))
    row.status = TaskResultStatus.READY
    row.run_after = timezone.now() + dt.timedelta(seconds=delay)
    row.started_at = row.finished_at = None
    row.exception_class_path = row.traceback = ""
    row.save(
        update_fields=[
            "status",
            "run_after",
            "started_at",
            "finished_at",
            "exception_class_path",
            "traceback",
        ]
    )
    LOG.warning(
        "task %s (%s) queued again in %s s: the database failed", row.pk, row.task_path, delay
    )
    return True


def _worker_class():
    class Worker(DbWorker):
        def run_task(self, db_task_result) -> None:
            super().run_task(db_task_result)
            if db_task_result.status == TaskResultStatus.FAILED and failed_for_the_database(
                db_task_result.exception_class_path
            ):
                _requeue_after_database_failure(db_task_result)

    return Worker


class _Pulse(threading.Thread):
    """Writes the heartbeat every ESCALADE_HEARTBEAT_SECONDS and takes back the tasks of
    dead workers, on a connection of its own, whatever the main thread is doing."""

    def __init__(self, process_id: str, kind: str):
        super().__init__(name=f"heartbeat-{kind}", daemon=True)
        self.process_id, self.kind = process_id, kind
        self.stopping = threading.Event()

    def run(self) -> None:
        every = settings.ESCALADE_HEARTBEAT_SECONDS
        while True:
            try:
                close_old_connections()
                beat(self.process_id, self.kind)
                reap()
            except DatabaseError as exc:
                LOG.warning("heartbeat of %s: database unavailable (%s)", self.process_id, exc)
                _close_connections()
            if self.stopping.wait(every):
                return


def run_worker(*, batch: bool = False, interval: float = 1.0, worker_id: str = "") -> None:
    """A task worker that carries on through database failures (see the module)."""

    worker_id = worker_id or new_process_id("worker")
    worker = _worker_class()(
        queue_names=[DEFAULT_TASK_QUEUE_NAME],
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=not batch,
        max_tasks=None,
        worker_id=worker_id[:64],
        excluded_queue_names=[],
    )
    pulse = _Pulse(worker.worker_id, Heartbeat.WORKER)
    if not batch:
        worker.configure_signals()
        pulse.start()
    LOG.warning("task worker %s started (pid %s)", worker.worker_id, os.getpid())
    backoff, lost = Backoff(), False
    try:
        while worker.running:
            try:
                close_old_connections()
                if lost:
                    back = release(worker.worker_id)
                    LOG.warning(
                        "task worker %s: database back, %s task(s) queued again",
                        worker.worker_id,
                        back,
                    )
                    lost = False
                    backoff.reset()
                worker.run()
                return
            except DatabaseError as exc:
                if batch:
                    raise  # `--batch` runs what is queued once: a failure is its answer
                lost = True
                delay = backoff.next()
                LOG.error(
                    "task worker %s: database unavailable (%s); trying again in %.1f s",
                    worker.worker_id,
                    str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__,
                    delay,
                )
                _close_connections()
                time.sleep(delay)
    finally:
        pulse.stopping.set()
        if not batch:
            forget(worker.worker_id)


def run_scheduler(*, interval: float = 15, once: bool = False, out=None) -> None:
    """The scheduler loop: queue what is due, write the heartbeat, take back the tasks of
    dead workers; through database failures it waits and carries on."""

    process_id = new_process_id("scheduler")
    LOG.warning("scheduler %s started (pid %s)", process_id, os.getpid())
    backoff, ready = Backoff(), False
    try:
        while True:
            try:
                close_old_connections()
                if not ready:
                    ensure_schedules()
                    ready = True
                beat(process_id, Heartbeat.SCHEDULER)
                for name in tick():
                    if out is not None:
                        out.write(f"queued {name}")
                reap()
                if backoff.n:
                    LOG.warning("scheduler %s: database back", process_id)
                backoff.reset()
                if once:
                    return
                time.sleep(interval)
            except DatabaseError as exc:
                delay = backoff.next()
                LOG.error(
                    "scheduler %s: database unavailable (%s); trying again in %.1f s",
                    process_id,
                    str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__,
                    delay,
                )
                _close_connections()
                time.sleep(delay)
    finally:
        if not once:
            forget(process_id)


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Linux: the child gets SIGTERM if the supervisor dies, even by kill -9."""
    try:
        import ctypes  # noqa: PLC0415 (Linux only)

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class Supervisor:
    """Starts child processes (the worker, the scheduler), restarts one that died (after
    1, 2, 4... s, at most 30 s; reset once a child has run a minute) and stops them all."""

    def __init__(self, commands: dict[str, list[str]]):
        self.commands = commands
        self.children: dict[str, subprocess.Popen] = {}
        self.started: dict[str, float] = {}
        self.backoff = {name: Backoff(first=1.0) for name in commands}
        self.stopping = threading.Event()
        self.restarts = 0
        self._watcher = threading.Thread(target=self._watch, name="supervisor", daemon=True)

    def _spawn(self, name: str) -> None:
        self.children[name] = subprocess.Popen(
            self.commands[name],
            env=os.environ.copy(),
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,  # noqa: PLW1509
        )
        self.started[name] = time.monotonic()

    def start(self) -> None:
        for name in self.commands:
            self._spawn(name)
        self._watcher.start()

    def _watch(self) -> None:
        while not self.stopping.wait(0.5):
            for name, child in list(self.children.items()):
                code = child.poll()
                if code is None or self.stopping.is_set():
                    continue
                if time.monotonic() - self.started[name] > 60:
                    self.backoff[name].reset()
                delay = self.backoff[name].next()
                LOG.error(
                    "%s (pid %s) exited with %s; restarting in %.0f s", name, child.pid, code, delay
                )
                if self.stopping.wait(delay):
                    return
                self._spawn(name)
                self.restarts += 1
                LOG.warning("%s restarted (pid %s)", name, self.children[name].pid)

    def stop(self, timeout: float = 10) -> None:
        self.stopping.set()
        for child in self.children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for child in self.children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
