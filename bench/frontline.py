"""The front line in a real browser: a scripted typist (40 ms a key, keyboard only) logs
calls in French and in English, and two browsers follow one live troubleshooting.
Prints, per language, the median and the worst time from the Alt+N shortcut to the
request number on screen (typing included), the same and the keys pressed for a
returning caller (the phone in the form's address, or typed), and the median and worst delay between a
step marked done in one browser and its state shown in the other.

    .venv/bin/python bench/frontline.py            # 20 calls a language, 10 live steps
    .venv/bin/python bench/frontline.py -n 5 --steps 4

Server: gunicorn with 2 workers on SQLite (a fresh database in a temporary folder),
browser: Debian's chromium (/usr/bin/chromium) driven by Playwright.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from intake import prepare, start_server, stop  # noqa: E402

KEY_DELAY_MS = 40
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
# What the agent types, in the order of the call (the form's tab order).
CALL = {
    "en": {"symptom": "Simple sound", "summary": "No sound at the remote site"},
    "fr-ca": {
        "symptom": "Incident simple concernant le son",
        "summary": "Aucun son au site distant",
    },
}


def sign_in(context, base: str, username: str, password: str, lang: str):
    context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
    page = context.new_page()
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.keyboard.press("Enter")
    page.wait_for_url("**/incidents/**")
    return page


FIRST_NUMBER = {"fr-ca": 0, "en": 5000}


def log_calls(browser, base: str, password: str, lang: str, n: int) -> list[float]:
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = sign_in(context, base, "agent", password, lang)
    kb = page.keyboard
    times = []
    for i in range(n):
        page.goto(f"{base}/incidents/")
        started = time.perf_counter()
        kb.press("Alt+n")
        page.wait_for_selector("#id_requester_phone:focus")
        # a new caller: each language its own numbers (a number seen before is a
        # returning caller, whose form fills itself in)
        kb.type(f"819-555-{FIRST_NUMBER[lang] + i:04d}", delay=KEY_DELAY_MS)
        kb.press("Tab")  # extension
        kb.press("Tab")
        kb.type(f"Dr Tremblay {i}", delay=KEY_DELAY_MS)
        kb.press("Tab")  # role: the default (clinician)
        kb.press("Tab")
        kb.type("Hôpital de Gatineau", delay=KEY_DELAY_MS)
        kb.press("Tab")  # session
        kb.press("Tab")  # symptom: typed letters pick it
        kb.type(CALL[lang]["symptom"], delay=KEY_DELAY_MS)
        kb.press("Tab")
        kb.type(CALL[lang]["summary"], delay=KEY_DELAY_MS)
        kb.press("Enter")
        page.wait_for_selector("#readback-number")
        times.append(time.perf_counter() - started)
    context.close()
    return times


COUNT_KEYS = (
    "window.keys = 0; document.addEventListener('keydown', e => { "
    "if (!['Alt', 'Shift', 'Control'].includes(e.key)) window.keys++; }, true)"
)


def shortest_prefix(page, label: str) -> str:
    """The fewest letters that pick `label` in the symptom list (a select jumps to the
    first option starting with the letters typed): what a trained agent types."""
    texts = page.eval_on_selector_all("#id_symptom option", "os => os.map(o => o.text)")
    target = next(t for t in texts if t.startswith(label))
    for n in range(1, len(label) + 1):
        first = next(t for t in texts if t.lower().startswith(label[:n].lower()))
        if first == target:
            return label[:n]
    return label


def returning_calls(browser, base: str, password: str, lang: str, n: int) -> dict:
    """A caller who called before (logged by log_calls: 819-555-0000): keys pressed and
    time, when the telephony opens the form with the phone in the address, and when the
    agent types the phone. The symptom is picked by its fewest letters, its name is the
    summary offered (Alt+S saves)."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = sign_in(context, base, "agent", password, lang)
    kb = page.keyboard
    out = {"by address": ([], []), "phone typed": ([], [])}
    for _ in range(n):
        started = time.perf_counter()
        page.goto(f"{base}/incidents/new/?phone=8195550000")
        page.wait_for_selector("#id_symptom:focus")
        page.evaluate(COUNT_KEYS)
        letters = shortest_prefix(page, CALL[lang]["symptom"])
        kb.type(letters, delay=KEY_DELAY_MS)
        keys = page.evaluate("window.keys") + 1
        kb.press("Alt+s")
        page.wait_for_selector("#readback-number")
        out["by address"][0].append(keys)
        out["by address"][1].append(time.perf_counter() - started)

        page.goto(f"{base}/incidents/")
        started = time.perf_counter()
        kb.press("Alt+n")  # counted below: the page changes under the counter
        page.wait_for_selector("#id_requester_phone:focus")
        page.evaluate(COUNT_KEYS)
        kb.type("8195550000", delay=KEY_DELAY_MS)
        kb.press("Tab")
        page.wait_for_selector("#id_symptom:focus")  # the caller is filled in
        kb.type(letters, delay=KEY_DELAY_MS)
        keys = page.evaluate("window.keys") + 2  # Alt+N before, Alt+S after
        kb.press("Alt+s")
        page.wait_for_selector("#readback-number")
        out["phone typed"][0].append(keys)
        out["phone typed"][1].append(time.perf_counter() - started)
    context.close()
    return out


def live_delays(browser, base: str, env: dict, password: str, steps: int) -> list[float]:
    api = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {env['BENCH_TOKEN']}"})
    start = dt.datetime.now(dt.UTC)
    session = api.post(
        "/api/telesessions",
        json={
            "kind": "point_to_point",
            "start": start.isoformat(),
            "end": (start + dt.timedelta(hours=1)).isoformat(),
            "requesting_site": "Hôpital de Gatineau",
            "provider_sites": ["Hôpital général de Montréal"],
        },
    ).json()
    r = api.post(f"/api/telesessions/{session['id']}/troubleshoot", json={"symptom": "codec"})
    r.raise_for_status()
    url = f"{base}/telesessions/{session['id']}/"
    one = sign_in(browser.new_context(), base, "tech", password, "fr-ca")
    other = sign_in(browser.new_context(), base, "chieftech", password, "en")
    one.goto(url)
    other.goto(url)
    delays = []
    for n in range(1, steps + 1):
        one.click(f"#step-{n}-done")
        clicked = time.perf_counter()
        other.wait_for_selector(f"#step-{n} .step-state", timeout=10_000)
        delays.append(time.perf_counter() - clicked)
    for page in (one, other):
        page.context.close()
    return delays


def line(label: str, values: list[float]) -> str:
    return (
        f"{label}: n={len(values)}  median {statistics.median(values):.2f} s  "
        f"worst {max(values):.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20, help="calls per language")
    parser.add_argument("--steps", type=int, default=10, help="live steps to time")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="escalade-frontline-"))
    password = "escalade-demo"
    try:
        import os

        os.environ["ESCALADE_DEMO_PASSWORD"] = password
        env = prepare("sqlite", "", workdir)
        server, base = start_server(env, workers=2)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                print(
                    f"typist: {KEY_DELAY_MS} ms a key, keyboard only; server: gunicorn x2, SQLite"
                )
                for lang in ("fr-ca", "en"):
                    times = log_calls(browser, base, password, lang, args.n)
                    print(line(f"log a call ({lang}), Alt+N to the number on screen", times))
                    for how, (keys, took) in returning_calls(
                        browser, base, password, lang, args.n
                    ).items():
                        print(
                            line(f"returning caller ({lang}, {how}), to the number", took)
                            + f"  keys {max(keys)}"
                        )
                delays = live_delays(browser, base, env, password, args.steps)
                print(
                    line("live protocol, a step done in one browser to the other's screen", delays)
                )
                browser.close()
        finally:
            stop(server)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
