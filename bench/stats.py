"""Statistics benchmark: loads N incidents (default 1,000,000) into PostgreSQL with COPY,
then times the statistics of one fiscal period (the figures of GET /api/stats) in-process
and through the page's API, median of 5.

    .venv/bin/python bench/stats.py                   # 1,000,000 incidents over two fiscal years
    .venv/bin/python bench/stats.py -n 200000
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
URL = "postgres://postgres@127.0.0.1:5432/escalade_bench"

LOAD = r"""
import datetime as dt, io, json, random, sys, time
import django
django.setup()
from django.db import connection
from escalade.core.models import Institution, NumberSequence
from escalade.incidents.models import Incident, SymptomCategory
inst = Institution.objects.get(code="cusm")
cats = list(SymptomCategory.objects.filter(institution=inst).values_list("id", "group"))
n = int(sys.argv[1])
start = dt.datetime(2025, 4, 1, 12, tzinfo=dt.UTC)
span = (dt.datetime(2027, 3, 31, tzinfo=dt.UTC) - start).total_seconds()
rnd = random.Random(42)
cols = ["institution_id", "number", "channel", "requester_name", "requester_role", "requester_site",
        "requester_phone", "requester_phone_ext", "session_ref", "symptom_id", "summary", "description",
        "resolved_on_first_call", "during_live_session", "patient_safety", "severity", "classification_rule",
        "classification_reason", "level", "status", "impact", "urgency", "priority", "resolution",
        "created_at", "updated_at", "resolved_at", "search_text"]
t0 = time.perf_counter()
with connection.cursor() as cur:
    with cur.copy(f"COPY incidents_incident ({', '.join(cols)}) FROM STDIN") as copy:
        for i in range(n):
            cid, group = cats[i % len(cats)]
            created = start + dt.timedelta(seconds=rnd.random() * span)
            level = 1 if rnd.random() < 0.7 else (2 if rnd.random() < 0.7 else 3)
            major = group == "major" or level > 1
            resolved = created + dt.timedelta(minutes=rnd.randint(1, 600)) if rnd.random() < 0.8 else None
            first_call = resolved is not None and level == 1 and rnd.random() < 0.3
            copy.write_row((inst.pk, f"BEN-{created.year}-{i:08d}", rnd.choice(["phone", "email", "web", "api"]),
                            f"Requester {i % 5000}", "clinician", f"Site {i % 80}", "", "", "", cid,
                            f"bench {i}", "", first_call, False, "possible" if i % 997 == 0 else "",
                            "major" if major else "minor", "bench", "{}", level,
                            "resolved" if resolved else "in_progress", "medium", "medium", 3, "",
                            created, created, resolved, f"bench {i}"))
with connection.cursor() as cur:
    cur.execute("ANALYZE incidents_incident")
print(f"loaded {n:,} incidents in {time.perf_counter() - t0:.1f} s")
"""

TIME = r"""
import statistics, sys, time
import django
django.setup()
from escalade.core.models import Institution
from escalade.reports import stats
inst = Institution.objects.get(code="cusm")
r, _p = stats.period_range(sys.argv[1])
times = []
for _ in range(5):
    t = time.perf_counter()
    fig = stats.figures(inst, r)
    times.append(time.perf_counter() - t)
print(f"in-process figures of {sys.argv[1]} ({fig['total']:,} incidents in the period): "
      f"median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms")
"""


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=1_000_000)
    parser.add_argument("--period", default="2026-P05")
    args = parser.parse_args()
    import psycopg

    with psycopg.connect(URL.replace("/escalade_bench", "/postgres"), autocommit=True) as conn:
        conn.execute('DROP DATABASE IF EXISTS "escalade_bench" WITH (FORCE)')
        conn.execute('CREATE DATABASE "escalade_bench"')
    env = {
        **os.environ,
        "DATABASE_URL": URL,
        "DJANGO_SETTINGS_MODULE": "escalade.config.settings",
        "PYTHONWARNINGS": "ignore::UserWarning",
    }

    def run(*a, code=None):
        cmd = (
            [sys.executable, "-c", code, *a] if code else [sys.executable, "-m", "escalade.cli", *a]
        )
        out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
        return out.stdout.strip()

    run("migrate", "--noinput")
    run("load_pack", str(ROOT / "packs" / "cusm-telehealth"))
    print(run(str(args.n), code=LOAD))
    print(run(args.period, code=TIME))
    # Through the API too (Django test client, no network): what the page asks for.
    api = r"""
import statistics, sys, time
import django
django.setup()
from django.contrib.auth import get_user_model
from django.test import Client
from escalade.accounts.services import create_user
user = create_user("bench", password=None, roles=["manager"], institutions=list(__import__("escalade.core.models", fromlist=["Institution"]).Institution.objects.all()))
client = Client(); client.force_login(user)
times = []
for _ in range(5):
    t = time.perf_counter()
    r = client.get("/api/stats", {"period": sys.argv[1]})
    times.append(time.perf_counter() - t)
    assert r.status_code == 200, r.content[:300]
print(f"GET /api/stats?period={sys.argv[1]}: median {statistics.median(times) * 1000:.0f} ms")
"""
    print(run(args.period, code=api))


if __name__ == "__main__":
    main()
