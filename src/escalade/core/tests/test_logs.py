"""Every process's log lines carry their time, level, logger and the request's id
(issue 25, finding 7: worker, scheduler and gateway lines had no time); JSON for a log
shipper by a setting."""

import json
import logging
import os
import re
import subprocess
import sys

import pytest
from django.test import Client

from escalade.core import logs

LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z WARNING escalade\.workers \[-\] ")


def _process(fmt: str) -> str:
    """A separate process configured as the workers are (the same settings)."""
    code = (
        "import logging; from escalade.config.startup import setup; setup(); "
        "logging.getLogger('escalade.workers').warning('task %s done', 42)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "escalade.config.settings"}
    env["ESCALADE_LOG_FORMAT"] = fmt
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    return done.stderr.strip().splitlines()[-1]


def test_a_process_line_has_its_time_in_text_and_json():
    assert LINE.match(_process("text")), _process("text")
    line = json.loads(_process("json"))
    assert line["message"] == "task 42 done" and line["logger"] == "escalade.workers"
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", line["time"])


@pytest.mark.django_db
def test_a_request_s_lines_carry_its_id(caplog):
    handler = logging.StreamHandler()
    handler.addFilter(logs.RequestIdFilter())
    seen = []
    handler.emit = lambda record: seen.append(record.request_id)
    logging.getLogger("django.request").addHandler(handler)
    try:
        r = Client().get("/api/incidents/NOPE", HTTP_X_REQUEST_ID="abc123")
    finally:
        logging.getLogger("django.request").removeHandler(handler)
    assert r["X-Request-ID"] == "abc123" and seen and set(seen) == {"abc123"}
