"""Routing benchmark: route decisions per second in-process (selectors.plan) and through
the API (POST /api/route against gunicorn, 2 workers, 4 client processes), with p50/p99.

    .venv/bin/python bench/route.py            # SQLite, 5,000 in-process and 2,000 HTTP decisions
    .venv/bin/python bench/route.py --db postgres
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from itertools import cycle
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
from intake import ROOT, free_port, percentile, stop  # noqa: E402

QUESTIONS = [
    ("staff", "technical_problem", "org_equipment", ""),
    ("staff", "technical_problem", "internet_connection", "on_site"),
    ("staff", "technical_problem", "reacts", ""),
    ("staff", "app_question", "provincial_platform", ""),
    ("patient", "technical_problem", "provincial_platform", ""),
    ("patient", "technical_problem", "personal_equipment", ""),
    ("patient", "app_question", "teams", ""),
    ("patient", "technical_problem", "reacts", ""),  # not covered: the fallback
]
INSTANTS = ["2026-11-23T12:00:00-05:00", "2026-11-28T10:00:00-05:00", "2026-12-25T03:00:00-05:00"]


def prepare(db: str, workdir: Path) -> dict:
    env = {
        **os.environ,
        "ESCALADE_VAR": str(workdir),
        "ESCALADE_LOG_LEVEL": "ERROR",
        "PYTHONWARNINGS": "ignore::UserWarning",
        "DJANGO_SETTINGS_MODULE": "escalade.config.settings",
    }
    if db == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    else:
        import psycopg

        url = "postgres://postgres@127.0.0.1:5432/escalade_bench"
        with psycopg.connect(url.replace("/escalade_bench", "/postgres"), autocommit=True) as conn:
            conn.execute('DROP DATABASE IF EXISTS "escalade_bench" WITH (FORCE)')
            conn.execute('CREATE DATABASE "escalade_bench"')
        env["DATABASE_URL"] = url

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "escalade.cli", *args],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )

    run("migrate", "--noinput")
    run("load_pack", str(ROOT / "packs" / "ciusss-emtl"))
    run("create_demo_users")
    env["BENCH_TOKEN"] = run("create_api_token", "agent").stdout.strip().splitlines()[-1]
    return env


IN_PROCESS = """
import datetime as dt, json, sys, time
import django
django.setup()
from escalade.core.models import Institution
from escalade.routing import selectors
from escalade.routing.rules import Question
inst = Institution.objects.get(code="ciusss-emtl")
questions = [Question(*q) for q in json.loads(sys.argv[2])]
instants = [dt.datetime.fromisoformat(a) for a in json.loads(sys.argv[3])]
n = int(sys.argv[1])
selectors.plan(inst, questions[0], instants[0])  # load the chart once
times = []
for i in range(n):
    t = time.perf_counter()
    selectors.plan(inst, questions[i % len(questions)], instants[i % len(instants)])
    times.append(time.perf_counter() - t)
print(json.dumps(times))
"""


def _client(args):
    base, token, bodies = args
    url = urlparse(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    out, bad = [], 0
    for body in bodies:
        t = time.perf_counter()
        conn.request("POST", "/api/route", body=json.dumps(body), headers=headers)
        r = conn.getresponse()
        r.read()
        out.append(time.perf_counter() - t)
        bad += r.status != 200
    return out, bad


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("-n", type=int, default=5000, help="in-process decisions")
    parser.add_argument("--http", type=int, default=2000, help="decisions through the API")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="escalade-route-"))
    try:
        env = prepare(args.db, workdir)
        r = subprocess.run(
            [
                sys.executable,
                "-c",
                IN_PROCESS,
                str(args.n),
                json.dumps(QUESTIONS),
                json.dumps(INSTANTS),
            ],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        times = json.loads(r.stdout.strip().splitlines()[-1])
        print(
            f"{args.db:9} in-process: {len(times):,} decisions  {len(times) / sum(times):8.0f}/s  "
            f"p50 {percentile(times, 50) * 1000:.2f} ms  p99 {percentile(times, 99) * 1000:.2f} ms"
        )
        port = free_port()
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "escalade.config.wsgi",
                "-w",
                "2",
                "-b",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            env=env,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    http.client.HTTPConnection("127.0.0.1", port, timeout=1).request(
                        "GET", "/login/"
                    )
                    break
                except OSError:
                    time.sleep(0.1)
            bodies = [
                dict(zip(("requester", "need", "subject", "location"), q, strict=True), at=a)
                for q, a in zip(
                    cycle(QUESTIONS), INSTANTS * (args.http // len(INSTANTS) + 1), strict=False
                )
            ]
            bodies = bodies[: args.http]
            _client((base, env["BENCH_TOKEN"], bodies[:20]))
            with multiprocessing.Pool(4) as pool:
                t0 = time.perf_counter()
                results = pool.map(
                    _client, [(base, env["BENCH_TOKEN"], bodies[k::4]) for k in range(4)]
                )
                elapsed = time.perf_counter() - t0
            lat = [x for r, _ in results for x in r]
            bad = sum(b for _, b in results)
            print(
                f"{args.db:9} HTTP:       {len(lat):,} decisions  {len(lat) / elapsed:8.1f}/s  "
                f"p50 {percentile(lat, 50) * 1000:.1f} ms  p99 {percentile(lat, 99) * 1000:.1f} ms  "
                f"errors {bad}"
            )
        finally:
            stop(proc)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
