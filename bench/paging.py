"""Pages by SMS through a real Kannel (bearerbox, smsbox, the fake SMS centre as the
phone): the time from the trigger (a major incident logged) to the SMS received at the
phone, p50 and p99, and the pages a second the gateway takes in a burst.

    .venv/bin/python bench/paging.py            # 50 pages one by one, a burst of 200
    .venv/bin/python bench/paging.py -n 20 --burst 100

One process logs the incidents and hands each SMS to Kannel as the worker does
(services.send_sms), on a fresh SQLite database with the MUHC pack (whoever of its teams
is on call now is paged: the technicians by day, IT on call at night).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from intake import ROOT  # noqa: E402
from route import prepare  # noqa: E402

sys.path.insert(0, str(ROOT / "src"))
from escalade.oncall.tests import kannel  # noqa: E402

CHILD = r"""
import json, sys, time
import django
django.setup()
from django.contrib.auth import get_user_model
from escalade.core.models import Institution
from escalade.incidents.tests.factories import log
from escalade.oncall import services
from escalade.oncall.models import Page
n, burst = int(sys.argv[1]), int(sys.argv[2])
cusm = Institution.objects.get(code="cusm")
agent = get_user_model().objects.get(username="agent")
from escalade.accounts.models import Membership
Membership.objects.get_or_create(user=agent, institution=cusm)
for i in range(n):
    t = time.time()
    incident = log(agent, cusm, symptom="bridge")
    page = Page.objects.get(paging__incident=incident, channel="sms")
    services.send_sms(page.pk)
    print(json.dumps({"number": incident.number, "at": t}), flush=True)
pages = []
for i in range(burst):
    incident = log(agent, cusm, symptom="bridge")
    pages.append((incident.number, Page.objects.get(paging__incident=incident, channel="sms").pk))
t = time.time()
for number, pk in pages:
    services.send_sms(pk)
print(json.dumps({"burst": [number for number, _ in pages], "at": t}), flush=True)
"""


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=50, help="pages timed one by one")
    parser.add_argument("--burst", type=int, default=200, help="pages sent at once")
    args = parser.parse_args()
    if not kannel.available():
        sys.exit(kannel.WHY_NOT)
    workdir = Path(tempfile.mkdtemp(prefix="escalade-paging-"))
    try:
        env = prepare("sqlite", workdir)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "escalade.cli",
                "load_pack",
                str(ROOT / "packs" / "cusm-telehealth"),
            ],
            env=env,
            check=True,
            capture_output=True,
        )
        with kannel.kannel(workdir, "http://127.0.0.1:9/?unused=1") as gateway:
            phone = gateway.phone()
            arrived: dict[str, float] = {}

            lines = []

            def read():
                for line in phone.stdout:
                    lines.append(line)
                    found = re.search(
                        r"Got message \d+: <\S+ \S+ (?:ucs-2|udh \S+ data) (\S+)>", line
                    )
                    if found:
                        raw = urllib.parse.unquote_to_bytes(found.group(1).replace("+", "%20"))
                        text = raw.decode("utf-16-be", "ignore")
                        for number in re.findall(r"CCT-(\d{4})-(\d{6})", text):
                            arrived.setdefault("".join(number), time.time())

            threading.Thread(target=read, daemon=True).start()
            child_env = {
                **env,
                "ESCALADE_SMS_SENDSMS_URL": gateway.sendsms_url,
                "ESCALADE_SMS_USER": gateway.user,
                "ESCALADE_SMS_PASSWORD": gateway.password,
                "ESCALADE_SMS_FROM": "5550",
            }
            out = subprocess.run(
                [sys.executable, "-c", CHILD, str(args.n), str(args.burst)],
                env=child_env,
                capture_output=True,
                text=True,
            )
            if out.returncode:
                sys.exit(out.stderr[-3000:])
            out = out.stdout.splitlines()
            rows = [json.loads(line) for line in out if line.startswith("{")]
            single = [r for r in rows if "number" in r]
            (burst,) = [r for r in rows if "burst" in r]

            def key(number: str) -> str:
                return number.split("-", 1)[1].replace("-", "")

            wanted = [key(r["number"]) for r in single] + [key(b) for b in burst["burst"]]
            deadline = time.time() + 120
            while time.time() < deadline and not all(w in arrived for w in wanted):
                time.sleep(0.1)
            phone.terminate()
            if not arrived:
                sys.exit("nothing arrived at the phone:\n" + "".join(lines[-20:]))
            delays = sorted(
                arrived[key(r["number"])] - r["at"] for r in single if key(r["number"]) in arrived
            )
            last = max((arrived[key(b)] for b in burst["burst"] if key(b) in arrived), default=None)
            got = sum(key(b) in arrived for b in burst["burst"])
            p99 = delays[max(0, int(len(delays) * 0.99) - 1)] if delays else float("nan")
            print(
                f"trigger to SMS at the phone: {len(delays)}/{len(single)} arrived, "
                f"p50 {statistics.median(delays) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms"
            )
            if last is not None:
                print(
                    f"burst: {got}/{len(burst['burst'])} pages in {last - burst['at']:.2f} s, "
                    f"{got / (last - burst['at']):.1f} pages/s through Kannel"
                )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
