"""How long a process of Escalade takes to start: every web and task worker, every
command, and every process the fault and demo tests start pays it.

- start: `escalade check` (Django set up, every app's models, the URLs and the JSON API
  built, the system checks), median and worst of N runs;
- schema: `escalade export_openapi` (a start plus the OpenAPI schema built once);
- migrate: `escalade migrate` of a fresh SQLite file (what each test worker pays once).

    .venv/bin/python bench/startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(args: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "escalade.cli", *args],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.sqlite3'}",
            "ESCALADE_VAR": tmp,
            "ESCALADE_LOG_LEVEL": "ERROR",
        }
        migrate = timed(["migrate", "--noinput", "-v0"], env)
        for name, args in (("start (check)", ["check"]), ("schema", ["export_openapi"])):
            times = [timed(args, env) for _ in range(runs)]
            print(
                f"{name:14} median {statistics.median(times):.2f} s,"
                f" worst {max(times):.2f} s ({runs} runs)"
            )
        print(f"{'migrate':14} {migrate:.2f} s (a fresh SQLite file)")


if __name__ == "__main__":
    main()
