"""Heavy reads on a read replica: the statistics, their exports and the incident lists
read from a PostgreSQL streaming replica when one is configured (ESCALADE_REPLICA_URL),
so that a manager's year of statistics does not slow the calls being logged.

Only what runs inside `heavy_reads()` (or a function decorated with `@heavy_read`) goes
to the replica, and only while it is usable: answering, and behind the primary by at most
ESCALADE_REPLICA_MAX_LAG seconds (default 2). Otherwise the primary answers, and the
log says why once per check. The state is checked at most every
ESCALADE_REPLICA_CHECK_SECONDS (5) per process. Writes, and reads inside a transaction,
always go to the primary."""

from __future__ import annotations

import contextvars
import functools
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import DatabaseError, connections

log = logging.getLogger("escalade.replica")

ALIAS = "replica"
_heavy: contextvars.ContextVar[bool] = contextvars.ContextVar("escalade_heavy", default=False)
# per process: (checked at, usable, why not)
_state: dict[str, tuple[float, bool, str]] = {}

LAG_SQL = (
    "SELECT CASE WHEN NOT pg_is_in_recovery() THEN NULL "
    "WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
    "ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END"
)


def configured() -> bool:
    return ALIAS in settings.DATABASES


@contextmanager
def heavy_reads() -> Iterator[None]:
    """The reads in this block may go to the replica."""
    token = _heavy.set(True)
    try:
        yield
    finally:
        _heavy.reset(token)


def heavy_read(function: Callable) -> Callable:
    """`function`'s reads may go to the replica."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with heavy_reads():
            return function(*args, **kwargs)

    return wrapper


def check() -> tuple[bool, str]:
    """Whether the replica can answer now, and why not: asked of the replica itself."""
    connection = connections[ALIAS]
    try:
        with connection.cursor() as cursor:
            cursor.execute(LAG_SQL)
            (lag,) = cursor.fetchone()
    except DatabaseError as exc:
        connection.close()  # the next check connects again
        return False, f"not answering: {str(exc).strip()[:200]}"
    if lag is None:
        return False, "not a replica (not in recovery)"
    if float(lag) > settings.ESCALADE_REPLICA_MAX_LAG:
        return False, f"{float(lag):.1f} s behind the primary"
    return True, ""


def usable() -> bool:
    """check(), at most every ESCALADE_REPLICA_CHECK_SECONDS per process."""
    now = time.monotonic()
    at, ok, why = _state.get(ALIAS, (0.0, False, ""))
    if now - at < settings.ESCALADE_REPLICA_CHECK_SECONDS and at:
        return ok
    ok, reason = check()
    if not ok and reason != why:
        log.warning("read replica unused, the primary answers: %s", reason)
    elif ok and why:
        log.warning("read replica used again")
    _state[ALIAS] = (now, ok, reason)
    return ok


def forget() -> None:
    """Check again at the next heavy read (tests, and after a failover)."""
    _state.clear()


class ReplicaRouter:
    """DATABASE_ROUTERS' one router: heavy reads to the replica while it is usable."""

    def db_for_read(self, model, **hints):
        if not (_heavy.get() and configured()):
            return None
        if connections["default"].in_atomic_block:  # read what this transaction wrote
            return None
        return ALIAS if usable() else None

    def db_for_write(self, model, **hints):
        return "default"  # never the replica, even for a row read from it

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same database, one of them behind

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
