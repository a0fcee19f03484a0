"""Broadcasts benchmark: what every workstation's notifier asks, over and over
(GET /api/broadcasts/current?host=..., no sign-in) during an outage, against gunicorn
(2 workers) with 4 client processes; prints requests/s and p50/p99. A hospital of 1,000
workstations polling every 10 seconds asks 100 times a second.

    .venv/bin/python bench/broadcasts.py            # SQLite, 4,000 requests
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

HOSTS = ["MRADI001", "MNUCLDWS003", "MURG042", "MCARDIO7", "MRADIDWS012"]


def _poll(args):
    base, hosts = args
    conn = http.client.HTTPConnection("127.0.0.1", int(base.rsplit(":", 1)[1]), timeout=30)
    out, bad, shown = [], 0, 0
    for host in hosts:
        t = time.perf_counter()
        conn.request("GET", f"/api/broadcasts/current?host={host}")
        r = conn.getresponse()
        body = r.read()
        out.append(time.perf_counter() - t)
        bad += r.status != 200
        shown += len(json.loads(body)) if r.status == 200 else 0
    return out, bad, shown


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("-n", type=int, default=4000, help="requests")
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
            lat = [x for r, _, _ in results for x in r]
            bad = sum(b for _, b, _ in results)
            shown = sum(s for _, _, s in results)
            print(
                f"{args.db:9} {len(lat):,} polls  {len(lat) / elapsed:8.1f}/s  "
                f"p50 {percentile(lat, 50) * 1000:.1f} ms  p99 {percentile(lat, 99) * 1000:.1f} ms  "
                f"errors {bad}  broadcasts shown per poll {shown / len(lat):.2f}"
            )
        finally:
            stop(proc)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
