"""The product's one periodic scheduler: schedules are rows (core.Schedule); each app
declares its own in SCHEDULES below; `escalade run_scheduler` queues what is due."""

from __future__ import annotations

import datetime as dt
import importlib
import zoneinfo

from croniter import croniter
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Schedule

# name: (task, cron). Administrators can change cron or disable a row; a missing row is
# created with these defaults after every migrate.
SCHEDULES = {
    "period-report": ("escalade.reports.tasks.send_period_reports", "0 6 * * *"),
    "follow-up-report": ("escalade.reports.tasks.send_follow_up_reports", "0 7 * * 1-5"),
    "problem-detection": ("escalade.problems.tasks.detect_problems", "0 * * * *"),
    "renewal-reminders": ("escalade.renewals.tasks.send_renewal_reminders", "0 8 * * *"),
    "action-reminders": ("escalade.actions.tasks.remind_action_items", "45 7 * * *"),
    "contact-staleness": ("escalade.catalog.tasks.ask_stale_contacts", "30 8 * * 1-5"),
    "runbook-reviews": ("escalade.runbooks.tasks.remind_reviews", "15 8 * * *"),
    "mail-fetch": ("escalade.mailin.tasks.fetch_mail", "* * * * *"),
    "datasource-silence": ("escalade.datasources.tasks.check_silence", "*/5 * * * *"),
    "unmapped-codes": ("escalade.datasources.tasks.remind_unmapped", "0 9 * * 1"),
    "idempotency-purge": ("escalade.core.tasks.purge_idempotency", "17 * * * *"),
    "retention": ("escalade.core.tasks.apply_retention", "40 2 * * *"),
    "response-clocks": ("escalade.oncall.tasks.check_response_clocks", "* * * * *"),
    "directory-accounts": ("escalade.accounts.tasks.check_directory_accounts", "*/5 * * * *"),
    "provider-sessions": ("escalade.accounts.tasks.check_provider_sessions", "*/5 * * * *"),
}


def next_run(cron: str, after: dt.datetime) -> dt.datetime:
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    return croniter(cron, after.astimezone(zone)).get_next(dt.datetime).astimezone(dt.UTC)


def ensure_schedules(now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    for name, (task, cron) in SCHEDULES.items():
        if not Schedule.objects.filter(name=name).exists():
            Schedule.objects.create(
                name=name, task=task, cron=cron, next_run_at=next_run(cron, now)
            )


def _task(path: str):
    module, _, attr = path.rpartition(".")
    return getattr(importlib.import_module(module), attr)


def tick(now: dt.datetime | None = None) -> list[str]:
    """Queue every due schedule once; returns the names queued."""
    now = now or timezone.now()
    queued = []
    with transaction.atomic():
        due = Schedule.objects.select_for_update(skip_locked=True).filter(
            enabled=True, next_run_at__lte=now
        )
        for schedule in due:
            task = _task(schedule.task)
            # In the same transaction as the row (the queue is this database): a run is
            # queued exactly when the schedule moves on, even if the process dies next.
            task.enqueue()
            schedule.last_run_at = now
            schedule.next_run_at = next_run(schedule.cron, now)
            schedule.save(update_fields=["last_run_at", "next_run_at"])
            queued.append(schedule.name)
    return queued
