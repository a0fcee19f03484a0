"""The production layout shipped in deploy/: systemd units that systemd itself accepts
(restart on failure, the scheduler included), and gunicorn's configuration whose limits
sit above the API's (a long URL is the API's JSON 414) and whose access log keeps no
search words (issue 25, finding 7)."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UNITS = sorted((ROOT / "deploy" / "systemd").glob("*.service"))
VENV = Path(sys.executable).parent.parent


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="no systemd-analyze here")
def test_systemd_accepts_every_unit_and_each_restarts(tmp_path):
    env_file = tmp_path / "escalade.env"
    env_file.write_text("DATABASE_URL=sqlite:////tmp/x.sqlite3\n")
    names = []
    for unit in UNITS:
        text = (
            unit.read_text()
            .replace("/opt/escalade/.venv", str(VENV))
            .replace("/opt/escalade", str(ROOT))
            .replace("/etc/escalade/escalade.env", str(env_file))
            .replace("User=escalade", "User=root")
            .replace("Group=escalade", "Group=root")
        )
        assert "Restart=" in text and "Restart=no" not in text, unit.name
        (tmp_path / unit.name).write_text(text)
        names.append(unit.name.replace("@.", "@1."))
    assert {"escalade-web.service", "escalade-scheduler.service"} <= {u.name for u in UNITS}
    # a scheduler killed by -9 exits "successfully" for no one: it comes back whatever
    assert "Restart=always" in (ROOT / "deploy/systemd/escalade-scheduler.service").read_text()
    done = subprocess.run(
        ["systemd-analyze", "verify", *names], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0 and done.stderr.strip() == "", done.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_leaves_long_urls_to_the_api_and_logs_no_query(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "ESCALADE_BIND": f"127.0.0.1:{port}",
        "ESCALADE_WEB_WORKERS": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "ESCALADE_LOG_LEVEL": "info",
    }
    log = tmp_path / "gunicorn.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [
                str(VENV / "bin" / "gunicorn"),
                "-c",
                str(ROOT / "deploy" / "gunicorn.conf.py"),
                "escalade.config.wsgi",
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=tmp_path,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90  # a worker boots Django: slow on a busy machine
        while True:
            try:
                urllib.request.urlopen(f"{base}/favicon.ico", timeout=30)
                break
            except urllib.error.HTTPError:
                break  # it answers
            except (urllib.error.URLError, OSError):
                assert server.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        with pytest.raises(urllib.error.HTTPError) as long_url:
            urllib.request.urlopen(f"{base}/api/incidents?q={'x' * 6000}", timeout=30)
        assert long_url.value.code == 414
        assert long_url.value.headers["Content-Type"].startswith("application/json")
        assert b'"url_too_long"' in long_url.value.read()
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"{base}/api/incidents?q=Tremblaywicz", timeout=30)
    finally:
        server.terminate()
        server.wait(timeout=20)
    written = log.read_text()
    assert '"GET /api/incidents HTTP/1.1" 401' in written and "rid=" in written
    assert "Tremblaywicz" not in written and "xxxxxxxx" not in written


PROBE = "import gc; print(gc.isenabled(), gc.get_freeze_count() > 100_000)"


@pytest.mark.parametrize(
    "start",
    [
        ["-m", "escalade.cli", "shell", "-c", PROBE],  # every `escalade` command
        ["-c", f"import escalade.config.wsgi; {PROBE}"],  # gunicorn
        ["-c", f"import escalade.config.asgi; {PROBE}"],
    ],
    ids=["cli", "wsgi", "asgi"],
)
def test_a_process_starts_with_django_frozen_and_its_collector_on(start, tmp_path):
    """config/startup.py: Django's objects left out of the garbage collector's walks,
    and the collector still on for what the process makes next (off, memory would grow
    without bound)."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    out = subprocess.run(
        [sys.executable, *start], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[-2:] == ["True", "True"]
