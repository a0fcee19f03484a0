"""Problem detection benchmark: a full detection over N incidents (default 1,000,000)
already in PostgreSQL (run bench/stats.py first, which loads them), then an incremental
run after 1,000 new incidents.

    .venv/bin/python bench/problems.py
"""

import os
import subprocess
import sys

URL = "postgres://postgres@127.0.0.1:5432/escalade_bench"

CODE = r"""
import time
import django
django.setup()
from escalade.core.models import Institution
from escalade.incidents.models import Incident
from escalade.problems import services
from escalade.problems.models import DetectionCursor
inst = Institution.objects.get(code="cusm")
n = Incident.objects.filter(institution=inst).count()
DetectionCursor.objects.filter(institution=inst).delete()
t = time.perf_counter()
found = services.detect(inst, incremental=False)
print(f"full detection over {n:,} incidents: {time.perf_counter() - t:.1f} s, {len(found)} problems proposed")
t = time.perf_counter()
found = services.detect(inst, incremental=True)
print(f"incremental run with nothing new: {(time.perf_counter() - t) * 1000:.0f} ms")
"""

if __name__ == "__main__":
    env = {
        **os.environ,
        "DATABASE_URL": URL,
        "DJANGO_SETTINGS_MODULE": "escalade.config.settings",
        "PYTHONWARNINGS": "ignore::UserWarning",
    }
    print(
        subprocess.run(
            [sys.executable, "-c", CODE], env=env, check=True, capture_output=True, text=True
        ).stdout
    )
