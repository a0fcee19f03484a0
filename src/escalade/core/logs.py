"""Log lines every process writes (web, workers, scheduler, mail gateway): each with its
time (UTC, ISO 8601), level, logger and the request's id when there is one; as text for
a person reading a terminal or the journal, or one JSON object per line for a log
shipper (ESCALADE_LOG_FORMAT=json). What the code logs never holds personal health
information: ids, codes and counts, never a message's text or a patient's name."""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging

from django.core.signals import request_finished

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def _finished(**kwargs) -> None:
    request_id.set("-")


request_finished.connect(_finished, dispatch_uid="escalade-request-id")

TEXT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every record ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


class UtcFormatter(logging.Formatter):
    """The text format, its time in UTC with milliseconds (2026-12-05T21:40:03.512Z)."""

    def formatTime(self, record, datefmt=None):  # noqa: N802 - logging's name
        at = dt.datetime.fromtimestamp(record.created, dt.UTC)
        return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(record.msecs):03d}Z"


class JsonFormatter(UtcFormatter):
    """One JSON object per line: time, level, logger, message, request_id, process."""

    def format(self, record: logging.LogRecord) -> str:
        out = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
            "process": record.process,
        }
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


def config(level: str = "WARNING", fmt: str = "text") -> dict:
    """The LOGGING setting."""
    formatter = {"()": JsonFormatter} if fmt == "json" else {"()": UtcFormatter, "fmt": TEXT}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"escalade": formatter},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "escalade",
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["console"], "level": level.upper()},
    }
