"""SQLite with its writers queued on a file lock instead of polling.

SQLite lets one writer in at a time. The others get SQLITE_BUSY and its busy handler
sleeps 1, 2, 5, 10... ms between tries, so a waiting process often sleeps on long after
the lock is free: cores stand idle and the slowest requests wait tens of milliseconds
(docs/benchmarks.md). Here each write transaction (Django's `BEGIN IMMEDIATE`) first
takes an exclusive `flock` on a file beside the database; the kernel wakes the next
waiter the moment the holder commits or rolls back. SQLite's own lock and busy timeout
still guard every writer that does not come through here (another program, the sqlite3
shell). A process that dies releases its lock with it."""

from __future__ import annotations

import fcntl
import os

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    _gate_fd: int | None = None
    _gate_held = False

    def _gate_path(self) -> str | None:
        name = str(self.settings_dict["NAME"])
        if self.is_in_memory_db() or self.transaction_mode not in ("IMMEDIATE", "EXCLUSIVE"):
            return None
        return name + ".writers"

    def _take_gate(self) -> None:
        path = self._gate_path()
        if path is None:
            return
        if self._gate_fd is None:
            self._gate_fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._gate_fd, fcntl.LOCK_EX)
        self._gate_held = True

    def _release_gate(self) -> None:
        if self._gate_held:
            self._gate_held = False
            fcntl.flock(self._gate_fd, fcntl.LOCK_UN)

    def _start_transaction_under_autocommit(self):
        self.ensure_connection()  # reads transaction_mode from the settings
        self._take_gate()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_gate()
            raise

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._release_gate()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._release_gate()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._release_gate()
            if self._gate_fd is not None:
                os.close(self._gate_fd)
                self._gate_fd = None
