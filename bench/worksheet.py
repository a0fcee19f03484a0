"""Worksheets at their bounds (issue 25): what a web worker spends on the worst files a
sender can post to `POST /api/datasources/{code}/worksheets`, in-process (the same code
path, no HTTP), on SQLite or PostgreSQL:

- a 100,000-row CSV (6.5 MB): refused at the row cap, with the time to refuse it;
- a 10,000-row CSV (the cap): imported, with its time;
- an XLSX of ~0.4 MB that unpacks to 300 MB: refused unread, with the worker's peak
  memory before and after.

    .venv/bin/python bench/worksheet.py               # SQLite
    .venv/bin/python bench/worksheet.py --db postgres
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from intake import ROOT  # noqa: E402
from route import prepare  # noqa: E402

RUN = """
import io, json, resource, time, zipfile
import django
django.setup()
from openpyxl import Workbook
from escalade.core.errors import Invalid
from escalade.datasources import rules, services
from escalade.datasources.models import DataSource, Mapping
LAB = "urn:oid:2.16.840.1.113883.3.239.nord.lab"
source = DataSource.objects.get(code="nord-lab")
from escalade.accounts.services import create_user
actor = create_user("bench-mapper", password=None, roles=["level2_analyst"], institutions=[source.institution])

def csv(n):
    rows = [",".join(rules.COLUMNS)] + [f"{LAB},C{i:06},Local test {i},,,2026-12-01," for i in range(n)]
    return ("\\n".join(rows) + "\\n").encode()

def bomb(mb):
    book = Workbook(); book.active.append(rules.COLUMNS)
    plain = io.BytesIO(); book.save(plain); out = io.BytesIO()
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</worksheet>", b"<!--" + b"0" * (mb << 20) + b"--></worksheet>")
            dst.writestr(item, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return out.getvalue()

out = {}
big = csv(100_000)
t = time.perf_counter()
try:
    services.import_worksheet(actor, source, big, "big.csv")
    out["100k_refused"] = False
except Invalid as exc:
    out["100k_refused"] = str(exc.message)[-40:]
out["100k_bytes"] = len(big)
out["100k_seconds"] = round(time.perf_counter() - t, 3)
cap = csv(10_000)
t = time.perf_counter()
counts = services.import_worksheet(actor, source, cap, "cap.csv")
out["10k_seconds"] = round(time.perf_counter() - t, 2)
out["10k_new"] = counts["new"]
data = bomb(300)
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
try:
    services.import_worksheet(actor, source, data, "bomb.xlsx")
except Invalid as exc:
    out["bomb_refused"] = str(exc.message)[-40:]
out["bomb_bytes"] = len(data)
out["bomb_seconds"] = round(time.perf_counter() - t, 3)
out["bomb_peak_growth_mb"] = round((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss) / 1024, 1)
print(json.dumps(out))
"""


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="escalade-worksheet-"))
    try:
        env = prepare(args.db, workdir)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "escalade.cli",
                "load_pack",
                str(ROOT / "packs" / "ontario-viewer"),
            ],
            env=env,
            check=True,
            capture_output=True,
        )
        done = subprocess.run([sys.executable, "-c", RUN], env=env, capture_output=True, text=True)
        if done.returncode:
            sys.exit(done.stderr[-2000:])
        r = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"database: {args.db}")
        print(
            f"100,000-row CSV ({r['100k_bytes'] / 1e6:.1f} MB): refused in {r['100k_seconds']} s ({r['100k_refused']})"
        )
        print(
            f"10,000-row CSV (the cap): {r['10k_new']} new codes imported in {r['10k_seconds']} s"
        )
        print(
            f"zip bomb ({r['bomb_bytes'] / 1e3:.0f} kB, unpacks to 300 MB): refused in "
            f"{r['bomb_seconds']} s, worker's peak memory +{r['bomb_peak_growth_mb']} MB"
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
