"""`make run-directory`'s command for real: `escalade run_with_directory` starts its
throwaway OpenLDAP server and the embedded service on a fresh demo database (SQLite, or
PostgreSQL in that pass); agent1 signs in with the directory's password and lands with
the role its group gives, the disabled account is refused, and stopping the service
stops the directory too."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from escalade.accounts import slapd

ROOT = Path(__file__).resolve().parents[1]
ESCALADE = Path(sys.executable).parent / "escalade"

pytestmark = pytest.mark.skipif(not slapd.available(), reason="Debian's slapd is not installed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _sign_in(base: str, username: str) -> requests.Response:
    browser = requests.Session()
    browser.headers["Accept-Language"] = "en"
    page = browser.get(f"{base}/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return browser.post(
        f"{base}/login/",
        {"csrfmiddlewaretoken": token, "username": username, "password": slapd.PASSWORD},
        headers={"Referer": f"{base}/login/"},
        timeout=30,
    )


def test_the_demo_signs_in_through_its_directory(tmp_path, scratch_db):
    # a fresh database as migrated, of the pass's kind (SQLite, or PostgreSQL in its pass)
    env = {**os.environ, "ESCALADE_VAR": str(tmp_path), "DATABASE_URL": scratch_db}
    packs = [str(ROOT / "packs" / "cusm-telehealth"), str(ROOT / "packs" / "ciusss-emtl")]
    subprocess.run([str(ESCALADE), "load_pack", *packs], env=env, check=True, capture_output=True)
    port = _free_port()
    log = tmp_path / "service.log"
    with log.open("w") as out:
        service = subprocess.Popen(
            [str(ESCALADE), "run_with_directory", f"127.0.0.1:{port}"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                requests.get(f"{base}/login/", timeout=5)
                break
            except requests.ConnectionError:
                assert service.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.3)
        landed = _sign_in(base, "agent1")
        assert landed.url.rstrip("/") in (base, f"{base}/incidents"), landed.url
        assert "agent1" in landed.text and "Level-1 agent" in landed.text
        refused = _sign_in(base, "ancien")  # disabled in the directory
        assert refused.url.endswith("/login/") and "ancien" not in refused.text.split("<main")[0]
        assert (tmp_path / "directory" / "slapd.pid").exists()
    finally:
        service.send_signal(signal.SIGTERM)
        service.wait(timeout=60)
    said = log.read_text()
    assert "Demo directory on ldap://127.0.0.1:" in said and "agent1" in said
    time.sleep(0.5)
    alive = subprocess.run(["pgrep", "-f", str(tmp_path / "directory")], capture_output=True)
    assert alive.stdout.strip() == b"", "slapd outlived the service"
