"""Broadcasts benchmark: what every workstation's notifier asks, over and over
(GET /api/broadcasts/current?host=..., no sign-in) during an outage, against gunicorn
(2 workers) with 4 client processes; prints polls/s, p50/p99 and the share served
within 20 ms. 10,000 workstations (distinct host names) polling every 10 seconds ask
1,000 times a second; each notifier sends back the ETag of its last answer
(If-None-Match), so most answers are 304 Not Modified.

    .venv/bin/python bench/broadcasts.py            # SQLite, 20,000 polls
    .venv/bin/python bench/broadcasts.py --db postgres
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from intake import ROOT, percentile, start_server, stop  # noqa: E402
from route import prepare as prepare_base  # noqa: E402

WORKSTATIONS = 10_000
PREFIXES = ["MRADI", "MNUCLDWS", "MURG", "MCARDIO", "MRADIDWS"]
HOSTS = [f"{PREFIXES[i % len(PREFIXES)]}{i:05d}" for i in range(WORKSTATIONS)]


def _poll(args):
    base, hosts = args
    conn = http.client.HTTPConnection("127.0.0.1", int(base.rsplit(":", 1)[1]), timeout=30)
    out, bad, shown, unchanged = [], 0, 0, 0
    tags: dict[str, str] = {}  # each notifier keeps the ETag of its last answer
    for host in hosts:
        headers = {"If-None-Match": tags[host]} if host in tags else {}
        t = time.perf_counter()
        conn.request("GET", f"/api/broadcasts/current?host={host}", headers=headers)
        r = conn.getresponse()
        body = r.read()
        out.append(time.perf_counter() - t)
        if r.status == 200:
            tags[host] = r.getheader("ETag") or ""
            shown += len(json.loads(body))
        elif r.status == 304:
            unchanged += 1
        else:
            bad += 1
    return out, bad, shown, unchanged


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("-n", type=int, default=20_000, help="polls")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="escalade-broadcasts-"))
    try:
        env = prepare_base(args.db, workdir)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "escalade.cli",
                "load_pack",
                str(ROOT / "packs" / "ch-pau-imaging"),
            ],
            env=env,
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [sys.executable, "-m", "escalade.cli", "create_demo_users"],
            env=env,
            check=True,
            capture_output=True,
        )
        proc, base = start_server(env, workers=2)
        port = int(base.rsplit(":", 1)[1])
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            headers = {
                "Authorization": f"Bearer {env['BENCH_TOKEN']}",
                "Content-Type": "application/json",
            }
            for runbook in ("case3_pacs", "case4_ris_pacs"):  # three warnings out
                body = json.dumps({"runbook": runbook, "institution": "ch-pau-imaging"})
                conn.request("POST", "/api/outages", body=body, headers=headers)
                r = conn.getresponse()
                r.read()
                assert r.status == 201, r.status
            hosts = [HOSTS[i % len(HOSTS)] for i in range(args.n)]
            _poll((base, hosts[:20]))
            with multiprocessing.Pool(4) as pool:
                t0 = time.perf_counter()
                results = pool.map(_poll, [(base, hosts[k::4]) for k in range(4)])
                elapsed = time.perf_counter() - t0
            lat = [x for r, *_ in results for x in r]
            bad = sum(r[1] for r in results)
            shown = sum(r[2] for r in results)
            unchanged = sum(r[3] for r in results)
            within = sum(1 for x in lat if x <= 0.020) / len(lat)
            print(
                f"{args.db:9} {len(lat):,} polls of {min(args.n, WORKSTATIONS):,} workstations  "
                f"{len(lat) / elapsed:8.1f}/s  p50 {percentile(lat, 50) * 1000:.1f} ms  "
                f"p99 {percentile(lat, 99) * 1000:.1f} ms  within 20 ms {within:.1%}  "
                f"304 {unchanged / len(lat):.0%}  errors {bad}  "
                f"broadcasts per 200 {shown / max(1, len(lat) - unchanged - bad):.2f}"
            )
        finally:
            stop(proc)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
