"""What /healthz reports, for a load balancer or monitoring: the database answers, the
oldest task waiting is not too old, the scheduler and at least one worker are alive."""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.db import Error as DatabaseError
from django.db import connection
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .models import Heartbeat


def check(now: dt.datetime | None = None) -> dict:
    now = now or timezone.now()
    out: dict = {"database": {"ok": False}}
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        out["ok"] = False
        return out
    out["database"] = {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}

    waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY, run_after__lte=now)
    oldest = waiting.order_by("run_after").values_list("run_after", flat=True).first()
    age = (now - oldest).total_seconds() if oldest else 0.0
    out["queue"] = {
        "ok": age <= settings.ESCALADE_HEALTH_QUEUE_AGE_SECONDS,
        "waiting": waiting.count(),
        "oldest_age_s": round(age, 1),
    }
    fresh = now - dt.timedelta(seconds=settings.ESCALADE_HEALTH_HEARTBEAT_SECONDS)
    seen = (
        Heartbeat.objects.filter(kind=Heartbeat.SCHEDULER)
        .order_by("-seen_at")
        .values_list("seen_at", flat=True)
        .first()
    )
    out["scheduler"] = {
        "ok": bool(seen and seen >= fresh),
        "last_seen_age_s": round((now - seen).total_seconds(), 1) if seen else None,
    }
    workers = Heartbeat.objects.filter(kind=Heartbeat.WORKER, seen_at__gte=fresh).count()
    out["workers"] = {"ok": workers > 0, "alive": workers}
    out["ok"] = all(part["ok"] for key, part in out.items() if isinstance(part, dict))
    return out
