"""How fast this machine is today, so that figures taken on different days (the machine
is a shared virtual machine whose speed varies threefold) can be compared.

- Python: seconds for ten million additions in a pure-Python loop (the CPU the Django
  process gets);
- the database alone: one-row transactions per second, a ticket-like insert per
  transaction, as the issue measured its reference (SQLite in WAL with synchronous=FULL
  and BEGIN IMMEDIATE, one writer; PostgreSQL with 4 clients).

    .venv/bin/python bench/machine.py [--pg-url URL]
"""

from __future__ import annotations

import argparse
import multiprocessing
import sqlite3
import tempfile
import time
from pathlib import Path

# What the issue measured on its reference machine, the database alone.
REFERENCE_TPS = {"sqlite": 5_400, "postgres": 6_800}
SECONDS = 3.0

INSERT = "INSERT INTO bench_ticket (number, summary, status, created_at) VALUES ({})"


def python_seconds() -> float:
    t = time.process_time()
    x = 0
    for i in range(10_000_000):
        x += i
    return time.process_time() - t


def sqlite_tps() -> float:
    with tempfile.TemporaryDirectory() as d:
        db = sqlite3.connect(Path(d) / "t.sqlite3", isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute(
            "CREATE TABLE bench_ticket (id INTEGER PRIMARY KEY, number TEXT UNIQUE,"
            " summary TEXT, status TEXT, created_at TEXT)"
        )
        sql = INSERT.format("?, ?, ?, ?")
        n, t0 = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - t0) < SECONDS:
            db.execute("BEGIN IMMEDIATE")
            db.execute(sql, (f"C2-2026-{n:06d}", "codec", "new", "2026-12-02T00:00:00"))
            db.execute("COMMIT")
            n += 1
        db.close()
    return n / elapsed


def _pg_client(args) -> int:
    import psycopg

    url, k = args
    sql = INSERT.format("%s, %s, %s, now()")
    n = 0
    with psycopg.connect(url, autocommit=True) as conn:
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < SECONDS:
            conn.execute(sql, (f"C2-{k}-{n:06d}", "codec", "new"), prepare=True)
            n += 1
    return n


def postgres_tps(url: str, clients: int = 4) -> float:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_ticket")
        conn.execute(
            "CREATE TABLE bench_ticket (id bigserial PRIMARY KEY, number text UNIQUE,"
            " summary text, status text, created_at timestamptz)"
        )
    try:
        with multiprocessing.Pool(clients) as pool:
            counts = pool.map(_pg_client, [(url, k) for k in range(clients)])
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("DROP TABLE bench_ticket")
    return sum(counts) / SECONDS


def describe(db: str, tps: float) -> str:
    return (
        f"{db:9} alone: {tps:7,.0f} one-row transactions/s"
        f" (the issue's reference machine: {REFERENCE_TPS[db]:,}/s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    print(f"python    10M additions: {python_seconds():.2f} s")
    print(describe("sqlite", sqlite_tps()))
    print(describe("postgres", postgres_tps(args.pg_url)))


if __name__ == "__main__":
    main()
