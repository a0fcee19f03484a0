"""Lists and search at scale: loads N incidents (default 1,000,000, two years of one
institution's calls) into a fresh database, starts the real server (gunicorn, 2 workers)
and times `GET /api/incidents` as a level-1 agent reads it: the first page, page 1,000
reached by its cursor, a broad search (one incident in five matches), a narrow one (about
a hundred match) and a filter (level 2, open). Prints p50 and p99 of 100 requests each,
and what the page said of its count (exact, or the database's estimate).

    .venv/bin/python bench/lists.py                    # both databases, 1,000,000 incidents
    .venv/bin/python bench/lists.py --db postgres --rows 200000

PostgreSQL: --pg-url (default postgres://postgres@127.0.0.1:5432/escalade_bench) names a
database that is dropped and created again. The load takes about a minute a database.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from intake import PY, fresh_database, percentile, prepare, start_server, stop  # noqa: E402

LOAD = r"""
import datetime as dt, sys, time
import django
django.setup()
from django.db import connection, transaction
from django.utils import timezone
from escalade.core.models import Institution, NumberSequence
from escalade.incidents.models import SymptomCategory
from escalade.incidents.search import index_text
inst = Institution.objects.get(code="cusm")
cats = list(SymptomCategory.objects.filter(institution=inst).values_list("id", "group"))
n = int(sys.argv[1])
words = ["écran", "son", "codec", "pont", "réseau", "caméra", "micro", "RITM", "Reacts", "Teams"]
end = timezone.now() - dt.timedelta(hours=1)
span = dt.timedelta(days=730)
cols = ["institution_id", "number", "channel", "requester_name", "requester_role", "requester_site",
        "requester_phone", "requester_phone_ext", "requester_email", "to_classify", "summary_i18n", "session_ref", "symptom_id", "summary", "description",
        "resolved_on_first_call", "during_live_session", "patient_safety", "severity", "classification_rule",
        "classification_reason", "level", "status", "impact", "urgency", "priority", "resolution",
        "created_at", "updated_at", "resolved_at", "search_text"]
statuses = ["new", "in_progress", "resolved", "closed"]

def rows():
    for i in range(n):
        cid, group = cats[i % len(cats)]
        created = end - span + span * (i / n)  # ids ascend with time, as they do in use
        number = f"{inst.request_prefix}-{created.year}-{i + 1:07d}"
        summary = f"{words[i % 10]} {words[(i * 7) % 10]} problem {i}"
        name, site = f"Requester {i % 3000}", f"Site {i % 60}"
        status = statuses[i % 4]
        yield (inst.pk, number, "phone", name, "clinician", site, "", "", "", False, "{}", "", cid, summary, "",
               False, False, "", "major" if group == "major" else "minor", "bench", "{}", 1 + i % 3,
               status, "medium", "medium", 3, "", created, created,
               created if status in ("resolved", "closed") else None,
               index_text(" ".join((number, summary, name, site))))

t0 = time.perf_counter()
with connection.cursor() as cur:
    if connection.vendor == "postgresql":
        with cur.copy(f"COPY incidents_incident ({', '.join(cols)}) FROM STDIN") as copy:
            for row in rows():
                copy.write_row(row)
    else:
        sql = (f"INSERT INTO incidents_incident ({', '.join(cols)}) "
               f"VALUES ({', '.join(['%s'] * len(cols))})")
        batch = []
        for row in rows():
            batch.append(row)
            if len(batch) == 20000:
                with transaction.atomic():
                    cur.executemany(sql, batch)
                batch = []
        with transaction.atomic():
            cur.executemany(sql, batch)
year = timezone.now().astimezone(inst.zone).year
NumberSequence.objects.update_or_create(prefix=inst.request_prefix, year=year, defaults={"last": n + 1})
# what the database's own maintenance (autovacuum, SQLite's optimize) does after a bulk load
with connection.cursor() as cur:
    cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
print(f"loaded {n:,} incidents in {time.perf_counter() - t0:.0f} s")
"""

CASES = (
    ("first page", {}),
    ("page 1,000 by cursor", None),
    ("search 'codec' (broad)", {"q": "codec"}),
    ("search 'problem 4242' (narrow)", {"q": "problem 4242"}),
    ("filter level=2, open", {"level": 2, "status": "open"}),
)


def timed(client: httpx.Client, params: dict, runs: int) -> tuple[list[float], dict]:
    client.get("/api/incidents", params=params)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        r = client.get("/api/incidents", params=params)
        times.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, r.text
    return times, r.json()


def measure(base: str, token: str, runs: int) -> list[tuple[str, list[float], dict]]:
    out = []
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=60) as c:
        for name, params in CASES:
            if params is None:  # walk to page 1,000, then time that page
                cursor = None
                for _ in range(999):
                    cursor = c.get("/api/incidents", params={"cursor": cursor} if cursor else {})
                    cursor = cursor.json()["next"]
                params = {"cursor": cursor}
            times, page = timed(c, params, runs)
            out.append((name, times, page))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/escalade_bench")
    args = parser.parse_args()
    for db in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        workdir = Path(tempfile.mkdtemp(prefix=f"escalade-lists-{db}-"))
        try:
            env = prepare(db, args.pg_url, workdir)
            load = subprocess.run(
                [PY, "-c", LOAD, str(args.rows)],
                env={**env, "DJANGO_SETTINGS_MODULE": "escalade.config.settings"},
                capture_output=True,
                text=True,
            )
            if load.returncode:
                raise SystemExit(load.stderr)
            print(f"{db:9} {load.stdout.strip()}")
            proc, base = start_server(env, 2)
            try:
                for name, times, page in measure(base, env["BENCH_TOKEN"], args.runs):
                    said = "exact" if page["count_exact"] else "estimated"
                    print(
                        f"{db:9} {args.rows:,}: {name:32} p50 {percentile(times, 50):6.1f} ms"
                        f"  p99 {percentile(times, 99):6.1f} ms"
                        f"  ({page['count']:,} found, {said}; {len(page['items'])} shown)"
                    )
            finally:
                stop(proc)
        finally:
            if os.environ.get("BENCH_KEEP"):  # to look at the database afterwards
                print(f"{db:9} kept: {workdir} ({env['DATABASE_URL']})")
            else:
                shutil.rmtree(workdir, ignore_errors=True)
                if db == "postgres":  # a million rows: not left on the server
                    fresh_database(args.pg_url, create=False)


if __name__ == "__main__":
    main()
