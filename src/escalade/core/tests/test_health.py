"""/healthz: the database, the queue's oldest waiting task, the scheduler and workers."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from escalade.core.models import Heartbeat
from escalade.notifications.tasks import deliver_mail

pytestmark = pytest.mark.django_db


def beat(kind, seconds_ago=0):
    Heartbeat.objects.create(
        process_id=f"{kind}-{seconds_ago}",
        kind=kind,
        host="h",
        pid=1,
        seen_at=timezone.now() - dt.timedelta(seconds=seconds_ago),
    )


def test_healthy_when_the_scheduler_and_a_worker_are_alive_and_nothing_waits_long():
    beat("scheduler"), beat("worker")
    r = Client().get("/healthz")
    body = r.json()
    assert r.status_code == 200 and body["ok"] and body["database"]["ok"]
    assert body["workers"]["alive"] == 1 and body["queue"]["waiting"] == 0


def test_unhealthy_when_the_scheduler_is_silent_or_a_task_waits_too_long():
    beat("scheduler", seconds_ago=600), beat("worker")
    r = Client().get("/healthz")
    assert r.status_code == 503 and not r.json()["scheduler"]["ok"]
    beat("scheduler")
    result = deliver_mail.enqueue(1)
    DBTaskResult.objects.filter(pk=result.id).update(
        run_after=timezone.now() - dt.timedelta(minutes=10)
    )
    body = Client().get("/healthz").json()
    assert not body["queue"]["ok"] and body["queue"]["oldest_age_s"] >= 600
    only = Client().get("/healthz", {"only": "database"})
    assert only.status_code == 200 and only.json() == {
        "ok": True,
        "database": only.json()["database"],
    }
