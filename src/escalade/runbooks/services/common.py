"""Names every part of the package shares."""

from __future__ import annotations

import datetime as dt
import time

from django.db.models import BigIntegerField, F, Value
from django.db.models.functions import Greatest

from ..models import BroadcastsVersion

# How long the "it is back" information stays on the workstations after the return.
INFO_HOURS = 2
# How long before its review date a runbook's owners are reminded.
REVIEW_LEAD = dt.timedelta(days=14)


def broadcasts_changed(*_args, **_kwargs) -> None:
    """In the current transaction: the broadcasts or the workstation groups changed, so
    every process's answers to the workstations' polls are stale (BroadcastsVersion).
    Also the receiver of the models' save and delete signals."""
    # the clock in microseconds, or one more: never a number used before, even after a
    # rollback or a database restored from a backup
    now = time.time_ns() // 1000
    # a bigint: a bare int is sent to PostgreSQL as a 4-byte integer, and the clock's
    # 16 digits wrapped to a number below the row's, so only the "+ 1" was left
    clock = Value(now, output_field=BigIntegerField())
    if not BroadcastsVersion.objects.filter(pk=1).update(value=Greatest(F("value") + 1, clock)):
        BroadcastsVersion.objects.get_or_create(pk=1, defaults={"value": now})
