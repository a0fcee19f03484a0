"""Rules of the background processes, in-process: the lease, taking tasks back, giving up,
queueing again a task the database failed under (the real faults: tests/faults)."""

import datetime as dt

import pytest
from django.db import OperationalError
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from escalade.core import workers
from escalade.core.models import Heartbeat, Schedule

pytestmark = pytest.mark.django_db(transaction=True)  # the loops call close_old_connections()


@task()
def flaky(path: str) -> str:
    """Fails with a database error while the file says so."""
    from pathlib import Path

    p = Path(path)
    if p.read_text() == "down":
        p.write_text("up")
        raise OperationalError("server closed the connection unexpectedly")
    return "done"


@task()
def broken() -> None:
    raise ValueError("a bug, not the database")


def held(worker_id: str, minutes_ago: float, tries: int = 1) -> DBTaskResult:
    row = DBTaskResult.objects.get(pk=flaky.enqueue("x").id)
    row.status = "RUNNING"
    row.started_at = timezone.now() - dt.timedelta(minutes=minutes_ago)
    row.worker_ids = [f"old-{n}" for n in range(tries - 1)] + [worker_id]
    row.save()
    return row


def test_a_task_of_a_silent_worker_goes_back_after_the_lease_and_a_live_ones_stays(settings):
    settings.ESCALADE_TASK_LEASE_SECONDS = 60
    now = timezone.now()
    Heartbeat.objects.create(process_id="alive", kind="worker", host="h", pid=1, seen_at=now)
    Heartbeat.objects.create(
        process_id="silent", kind="worker", host="h", pid=2, seen_at=now - dt.timedelta(minutes=5)
    )
    of_live = held("alive", 10)
    of_silent = held("silent", 10)
    of_unknown = held("gone", 10)
    too_recent = held("gone", 0.5)  # still inside the lease
    assert workers.reap(now) == 2
    status = {r.pk: r.status for r in DBTaskResult.objects.all()}
    assert status[of_live.pk] == "RUNNING" and status[too_recent.pk] == "RUNNING"
    assert status[of_silent.pk] == status[of_unknown.pk] == "READY"
    assert workers.reap(now) == 0  # nothing twice


def test_a_task_that_kills_every_worker_is_given_up_after_five():
    row = held("gone", 10, tries=workers.MAX_WORKERS_PER_TASK)
    assert workers.reap() == 0
    row.refresh_from_db()
    assert row.status == "FAILED" and row.exception_class_path.endswith("WorkerLost")


def test_release_puts_back_only_this_workers_tasks():
    mine, theirs = held("me", 0), held("them", 0)
    assert workers.release("me") == 1
    mine.refresh_from_db(), theirs.refresh_from_db()
    assert (mine.status, theirs.status) == ("READY", "RUNNING")


def test_a_task_the_database_failed_under_runs_again_and_a_buggy_one_fails(tmp_path):
    flag = tmp_path / "db"
    flag.write_text("down")
    first = flaky.enqueue(str(flag))
    bug = broken.enqueue()
    workers.run_worker(batch=True, interval=0)
    row = DBTaskResult.objects.get(pk=first.id)
    assert row.status == "READY" and row.run_after > timezone.now()  # queued again, later
    assert DBTaskResult.objects.get(pk=bug.id).status == "FAILED"
    DBTaskResult.objects.filter(pk=first.id).update(run_after=timezone.now())
    workers.run_worker(batch=True, interval=0)
    row.refresh_from_db()
    assert (row.status, row.return_value) == ("SUCCESSFUL", "done")


def test_failed_for_the_database_knows_database_errors_only():
    assert workers.failed_for_the_database("django.db.utils.OperationalError")
    assert workers.failed_for_the_database("psycopg.OperationalError")
    assert not workers.failed_for_the_database("builtins.ValueError")
    assert not workers.failed_for_the_database("no.such.Thing")
    assert not workers.failed_for_the_database("")


def test_backoff_doubles_to_its_cap_and_resets():
    b = workers.Backoff(0.5, 4)
    assert [b.next() for _ in range(5)] == [0.5, 1, 2, 4, 4]
    b.reset()
    assert b.next() == 0.5


def test_the_scheduler_queues_a_due_run_in_the_same_transaction_as_the_schedule():
    from escalade.core.scheduler import ensure_schedules, tick

    ensure_schedules()
    Schedule.objects.update(next_run_at=timezone.now() - dt.timedelta(minutes=1))
    due = Schedule.objects.count()
    assert due >= 5
    before = DBTaskResult.objects.count()
    assert len(tick()) == due
    assert DBTaskResult.objects.count() == before + due  # queued already, not after commit
    workers.run_scheduler(once=True)
    assert Heartbeat.objects.filter(kind="scheduler").count() == 1
