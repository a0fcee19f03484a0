"""Transmission silence checked by two workers at the same moment (two processes on a
scratch database): one incident per episode, not two."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT as PROJECT


def test_two_workers_checking_silence_at_once_open_one_incident(processes):
    processes.run(
        f"""
import datetime as dt
from escalade.core.packs import load_pack
from escalade.datasources.models import DataSource
load_pack({str(PROJECT / "packs" / "ontario-viewer")!r})
long_ago = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
DataSource.objects.update(last_transmission_at=long_ago)
"""
    )
    script = (
        "import time\nfrom escalade.config.startup import setup\nsetup()\n"
        "from escalade.datasources.services import check_silence\n"
        "t = float(__import__('sys').argv[1])\n"
        "while time.time() < t: pass\n"  # both start at the same instant
        "print(','.join(check_silence()))\n"
    )
    import time

    start = str(time.time() + 3)
    env = {**processes.env, "DJANGO_SETTINGS_MODULE": "escalade.config.settings"}
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", script, start],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=PROJECT,
        )
        for _ in range(2)
    ]
    outputs = [r.communicate(timeout=120) for r in runs]
    assert all(r.returncode == 0 for r in runs), [o[1][-2000:] for o in outputs]
    opened = sorted(code for out, _err in outputs for code in out.strip().split(",") if code)
    assert opened == ["nord-adt", "nord-lab", "ouest-lab"], outputs  # each once, between the two
    result = processes.run(
        """
from escalade.incidents.models import Incident
from escalade.datasources.models import DataSource
result = {
    "incidents": Incident.objects.count(),
    "linked": DataSource.objects.exclude(trouble_incident=None).count(),
}
"""
    )
    assert result == {"incidents": 3, "linked": 3}
