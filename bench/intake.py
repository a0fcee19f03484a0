"""Intake benchmark: creates N incidents through the HTTP API against a real server
(gunicorn, 2 workers, 4 concurrent clients) and prints incidents/s and p50/p99 latency,
for SQLite and PostgreSQL (the list and its search at 1,000,000: bench/lists.py).

    .venv/bin/python bench/intake.py                 # both databases, 2,000 incidents
    .venv/bin/python bench/intake.py --db sqlite -n 5000

PostgreSQL: --pg-url (default postgres://postgres@127.0.0.1:5432/escalade_bench) names a
database that is dropped and created again; it needs a server that lets the user do so.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import machine  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
ESCALADE = [PY, "-m", "escalade.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def fresh_database(pg_url: str, create: bool = True) -> None:
    """Drop the PostgreSQL database `pg_url` names (its sessions cut), and make it again
    empty unless `create` is false."""
    import psycopg

    name = urlparse(pg_url).path.lstrip("/")
    with psycopg.connect(pg_url.replace(f"/{name}", "/postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            conn.execute(f'CREATE DATABASE "{name}"')


def prepare(db: str, pg_url: str, workdir: Path) -> dict:
    env = {
        **os.environ,
        "ESCALADE_VAR": str(workdir),
        "ESCALADE_LOG_LEVEL": "ERROR",
        "PYTHONWARNINGS": "ignore::UserWarning",
    }
    if db == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    else:
        fresh_database(pg_url)
        env["DATABASE_URL"] = pg_url

    def run(*args):
        return subprocess.run(
            [*ESCALADE, *args], env=env, check=True, capture_output=True, text=True
        )

    run("migrate", "--noinput")
    run("load_pack", str(ROOT / "packs" / "cusm-telehealth"))
    run("create_demo_users")
    env["BENCH_TOKEN"] = run("create_api_token", "agent").stdout.strip().splitlines()[-1]
    return env


def start_server(
    env: dict,
    workers: int,
    threads: int = 1,
    *,
    python: str = PY,
    app: str = "escalade.config.wsgi",
    probe: str = "/login/",
    cwd: Path | None = None,
) -> tuple[subprocess.Popen, str]:
    """gunicorn serving `app` on a free port (Escalade; the peer with its own `python`),
    once `probe` answers."""
    port = free_port()
    proc = subprocess.Popen(
        [
            python,
            "-m",
            "gunicorn",
            app,
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            *(["--threads", str(threads)] if threads > 1 else []),
            "--log-level",
            "warning",
            "--access-logfile",
            "-" if os.environ.get("BENCH_ACCESS_LOG") else "/dev/null",
        ],
        env=env,
        cwd=cwd,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            httpx.get(base + probe, timeout=1)
            return proc, base
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("the server did not start")


def stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=20)


def body(i: int) -> dict:
    symptoms = ["sound_simple", "pc_simple", "lan", "codec", "audio_video", "other"]
    return {
        "channel": "phone",
        "requester": {
            "name": f"Dr Requester {i % 500}",
            "role": "clinician",
            "site": ["HGM", "HRV", "Lachine", "HME"][i % 4],
            "phone": "514-934-1934",
        },
        "symptom": symptoms[i % len(symptoms)],
        "summary": f"Bench call {i}: no sound in room {i % 40}",
        "description": "Raised by the intake benchmark.",
    }


def peer_body(i: int) -> dict:
    """The same call as a django-helpdesk ticket (bench/peer.py): its one queue."""
    return {
        "queue": 1,
        "title": f"Bench call {i}: no sound in room {i % 40}",
        "description": "Raised by the intake benchmark.",
        "submitter_email": f"requester{i % 500}@example.org",
        "priority": 3,
    }


def _client(args) -> tuple[list[float], list[str]]:
    """One client process: keep-alive HTTP/1.1 with the standard library (a light load
    generator, so that the two cores go to the server). `peer`: django-helpdesk's API."""
    base, token, indexes, peer = args
    url = urlparse(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    scheme, path, make = (
        ("Token", "/api/tickets/", peer_body) if peer else ("Bearer", "/api/incidents", body)
    )
    headers = {"Authorization": f"{scheme} {token}", "Content-Type": "application/json"}
    latencies, errors = [], []
    for i in indexes:
        t = time.perf_counter()
        conn.request("POST", path, body=json.dumps(make(i)), headers=headers)
        r = conn.getresponse()
        text = r.read()
        latencies.append(time.perf_counter() - t)
        if r.status != 201:
            errors.append(f"{r.status} {text[:200]!r}")
    return latencies, errors


def _cpu_seconds(pids) -> float:
    """User + system CPU time of the processes (Linux /proc), 0 elsewhere."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _pids(match) -> list[int]:
    pids = []
    for d in Path("/proc").glob("[0-9]*"):
        try:
            if match(d):
                pids.append(int(d.name))
        except OSError:
            continue
    return pids


def intake(
    base: str, token: str, n: int, clients: int, server_pid: int, peer: bool = False
) -> dict:
    _client((base, token, range(n, n + 20), peer))  # warm-up
    server = _pids(
        lambda d: (
            d.name == str(server_pid)
            or (d / "stat").read_text().rsplit(")", 1)[1].split()[1] == str(server_pid)
        )
    )
    postgres = _pids(lambda d: (d / "cmdline").read_bytes().startswith(b"postgres"))
    before = _cpu_seconds(server), _cpu_seconds(postgres), os.times()
    with multiprocessing.Pool(clients) as pool:
        t0 = time.perf_counter()
        results = pool.map(
            _client, [(base, token, range(k, n, clients), peer) for k in range(clients)]
        )
        elapsed = time.perf_counter() - t0
    after = _cpu_seconds(server), _cpu_seconds(postgres), os.times()
    latencies = [x for lat, _ in results for x in lat]
    errors = [e for _, errs in results for e in errs]
    per_request = 1000 / n
    cpu = {
        "server": (after[0] - before[0]) * per_request,
        "postgres": (after[1] - before[1]) * per_request,
        "clients": (
            after[2].children_user
            + after[2].children_system
            - before[2].children_user
            - before[2].children_system
        )
        * per_request,
    }
    cpu["idle"] = max(0.0, (os.cpu_count() or 1) * elapsed * per_request - sum(cpu.values()))
    return {
        "n": n,
        "per_s": n / elapsed,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "errors": errors,
        "locked": sum("database is locked" in e for e in errors),
        "cpu_ms": cpu,
    }


def main() -> None:
    import peer  # noqa: PLC0415 (peer.py imports this module)

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("-n", type=int, default=2000, help="incidents to create")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument("--no-peer", action="store_true", help="not django-helpdesk after")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/escalade_bench")
    args = parser.parse_args()
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    print(
        f"machine: {os.cpu_count()} cores; server: gunicorn, {args.workers} workers; {args.clients} clients"
    )
    # The machine's speed varies by day: these say how fast it is now (bench/machine.py).
    print(f"python    10M additions: {machine.python_seconds():.2f} s")
    for db in dbs:
        workdir = Path(tempfile.mkdtemp(prefix=f"escalade-bench-{db}-"))
        try:
            env = prepare(db, args.pg_url, workdir)
            tps = machine.sqlite_tps() if db == "sqlite" else machine.postgres_tps(args.pg_url)
            print(machine.describe(db, tps))
            proc, base = start_server(env, args.workers, args.threads)
            try:
                r = intake(base, env["BENCH_TOKEN"], args.n, args.clients, proc.pid)
                print(
                    f"{db:9} intake: {r['n']:,} incidents  {r['per_s']:7.1f} incidents/s  "
                    f"p50 {r['p50_ms']:5.1f} ms  p99 {r['p99_ms']:6.1f} ms  "
                    f"errors {len(r['errors'])} (database is locked: {r['locked']})"
                )
                print(
                    f"{'':9} CPU per incident: "
                    + ", ".join(f"{k} {v:.2f} ms" for k, v in r["cpu_ms"].items())
                    + f" (of {os.cpu_count()} cores)"
                )
                for e in r["errors"][:3]:
                    print("   ", e)
            finally:
                stop(proc)
            if (
                peer.available() and not args.no_peer
            ):  # django-helpdesk, the same harness, right after
                p = peer.run(db, args.n, args.clients, args.workers)
                print(
                    f"{db:9} django-helpdesk 2.6.1: {p['n']:,} tickets  {p['per_s']:7.1f} tickets/s  "
                    f"p50 {p['p50_ms']:5.1f} ms  p99 {p['p99_ms']:6.1f} ms  errors {len(p['errors'])}"
                )
                print(
                    f"{'':9} Escalade / django-helpdesk: {r['per_s'] / p['per_s']:.2f} times the "
                    f"throughput, p99 {r['p99_ms']:.1f} against {p['p99_ms']:.1f} ms"
                )
        finally:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
