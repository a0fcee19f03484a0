"""The test suite before and after a change, on this machine: the figures issue 26 asks for.

A clone of the "before" commit (default 1dfe447, the last before issue 26's work; the
issue was written at b26be67, and earlier sessions compared with 4e517f9) is made and
installed by its own `make install` in a temporary directory. Then, `pairs` times, the
order alternating from pair to pair: the before commit's whole suite as its `make test`
ran it (`pytest -q -n 2`), and this checkout's run of the same tests (the node ids both
collect; with --whole, its whole suite) as `make test` runs it now (`-n 3 --dist
worksteal`). Each run prints its
wall time, the machine's busy CPU (/proc/stat: Chromium's and the servers' processes
count, which `time` misses) and pytest's last line; then the totals. This shared machine's speed moves by a third within
the hour: compare pairs, not runs of different hours.

    .venv/bin/python bench/suite.py [--before COMMIT] [--pairs 2] [--postgresql] [--whole]
    .venv/bin/python bench/suite.py --make-test [--before COMMIT] [--pairs 2]

With --make-test each run is what a newcomer does instead: a fresh clone (of the before
commit, and of this checkout's last commit), its `make test` (install, lint, import
contracts, the whole suite, on SQLite), its wall time and the machine's CPU; the order
alternates from pair to pair.

With --postgresql both run on DATABASE_URL (default the local `test` database) without
the pg_restart tests, as the CI's second pass does (`--postgresql --whole`: the figures of
that pass before and now). A pair takes 7 to 10 minutes (the 2026-12-07 runs).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POSTGRESQL = "postgres://postgres@127.0.0.1:5432/test"
WORKERS = "3"  # as `make test` and .ci/run
# tests renamed since 4e517f9, old id -> the case of the new one that does what it did
RENAMED = {
    "tests/test_role_matrix.py::test_reads_by_every_role": (
        "tests/test_role_matrix.py::test_reads_by_every_role[local]"
    ),
}


def busy_seconds() -> float:
    """CPU-seconds the whole machine has been busy (user, nice, system, interrupts)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq = (int(x) for x in fields[:7])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def node_ids(checkout: Path, env: dict) -> set[str]:
    done = subprocess.run(
        [
            str(checkout / ".venv/bin/python"),
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "-p",
            "no:xdist",
        ],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return {line for line in done.stdout.splitlines() if "::" in line}


def timed(command: list[str], cwd: Path, env: dict):
    """(wall seconds, machine CPU-seconds, the finished process) of `command`."""
    cpu, start = busy_seconds(), time.perf_counter()
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    return time.perf_counter() - start, busy_seconds() - cpu, done


def run(checkout: Path, args: list[str], env: dict) -> tuple[float, float, str]:
    """(wall seconds, machine CPU-seconds, pytest's last line) of one pytest run."""
    wall, cpu, done = timed(
        [str(checkout / ".venv/bin/python"), "-m", "pytest", "-q", *args], checkout, env
    )
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    return wall, cpu, (lines[-1] if lines else done.stderr[-300:]) + _failed(done.stdout)


def _failed(output: str) -> str:
    """pytest's FAILED and ERROR lines, each on a line of its own: a failed run says which."""
    bad = [line for line in output.splitlines() if line.startswith(("FAILED ", "ERROR "))]
    return "".join(f"\n    {line[:300]}" for line in bad)


def make_test(commit: str, tmp: Path, env: dict) -> tuple[float, float, str]:
    """(wall seconds, machine CPU-seconds, pytest's last line) of `make test` in a fresh
    clone of `commit`, removed afterwards."""
    clone = tmp / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    subprocess.run(["git", "-C", str(clone), "checkout", "-q", commit], check=True)
    wall, cpu, done = timed(["make", "test"], clone, env)
    shutil.rmtree(clone)
    lines = [line for line in done.stdout.splitlines() if " in " in line and "passed" in line]
    last = lines[-1] if lines else done.stdout[-300:] + done.stderr[-300:]
    return wall, cpu, last + _failed(done.stdout)


def compare_make_test(before: str, pairs: int, env: dict) -> None:
    now = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    totals = {"before": [0.0, 0.0], "now": [0.0, 0.0]}
    runs = (("before", before), ("now", now))
    with tempfile.TemporaryDirectory() as tmp:
        for pair in range(1, pairs + 1):
            for name, commit in runs if pair % 2 else runs[::-1]:
                wall, cpu, last = make_test(commit, Path(tmp), env)
                totals[name][0] += wall
                totals[name][1] += cpu
                print(
                    f"pair {pair} {name:6} {commit:9} make test {wall:7.1f} s wall"
                    f" {cpu:7.1f} CPU-s  {last}",
                    flush=True,
                )
    (bw, bc), (nw, nc) = totals["before"], totals["now"]
    print(
        f"total  before {bw:.1f} s, {bc:.1f} CPU-s; now {nw:.1f} s, {nc:.1f} CPU-s:"
        f" {100 * (nw / bw - 1):+.0f} % wall, {100 * (nc / bc - 1):+.0f} % CPU"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="1dfe447")
    parser.add_argument("--pairs", type=int, default=2, choices=range(1, 21), metavar="1-20")
    parser.add_argument("--postgresql", action="store_true")
    parser.add_argument("--make-test", action="store_true")
    parser.add_argument("--whole", action="store_true", help="now: the whole suite")
    options = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if options.make_test:
        compare_make_test(options.before, options.pairs, dict(os.environ))
        return
    marks: list[str] = []
    if options.postgresql:
        env["DATABASE_URL"] = os.environ.get("DATABASE_URL", POSTGRESQL)
        marks = ["-m", "not pg_restart"]
    with tempfile.TemporaryDirectory() as tmp:
        before = Path(tmp) / "before"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(before)], check=True)
        subprocess.run(["git", "-C", str(before), "checkout", "-q", options.before], check=True)
        print(f"installing {options.before} in {before} ...", flush=True)
        with open(Path(tmp) / "install.log", "w") as log:
            subprocess.run(
                ["make", "-C", str(before), "install"], check=True, stdout=log, stderr=log
            )
        old, new = node_ids(before, env), node_ids(ROOT, env)
        same = old & new
        for was, now in RENAMED.items():
            if was in old - new and now in new:
                same.add(now)
        ids = Path(tmp) / "same-tests.txt"
        ids.write_text("\n".join(sorted(same)) + "\n")
        # (a node id stands for all its cases: schemathesis's one id is every operation)
        print(f"node ids: {len(old)} before, {len(new)} now, {len(same)} run for both")
        for missing in sorted(old - new - RENAMED.keys()):
            print(f"  not collected now: {missing}")
        totals = {"before": [0.0, 0.0], "now": [0.0, 0.0]}
        runs = (
            ("before", before, ["-n", "2", *marks]),
            (
                "now",
                ROOT,
                [
                    "-n",
                    WORKERS,
                    "--dist",
                    "worksteal",
                    *marks,
                    *([] if options.whole else [f"@{ids}"]),
                ],
            ),
        )
        for pair in range(1, options.pairs + 1):
            for name, checkout, args in runs if pair % 2 else runs[::-1]:
                wall, cpu, last = run(checkout, args, env)
                totals[name][0] += wall
                totals[name][1] += cpu
                print(
                    f"pair {pair} {name:6} {wall:7.1f} s wall {cpu:7.1f} CPU-s  {last}", flush=True
                )
        (bw, bc), (nw, nc) = totals["before"], totals["now"]
        print(
            f"total  before {bw:.1f} s, {bc:.1f} CPU-s;"
            f" now ({'whole suite' if options.whole else 'same tests'}) {nw:.1f} s,"
            f" {nc:.1f} CPU-s: {100 * (nw / bw - 1):+.0f} % wall, {100 * (nc / bc - 1):+.0f} % CPU"
        )


if __name__ == "__main__":
    main()
