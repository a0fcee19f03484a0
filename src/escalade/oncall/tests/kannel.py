"""A real Kannel for the tests: bearerbox, smsbox and Kannel's own fake SMS centre
(fakesmsc, in kannel-extras) on free ports with a throwaway configuration. The fake
centre prints each SMS it receives; it sends the replies given on its command line."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

BEARERBOX = Path("/usr/sbin/bearerbox")
SMSBOX = Path("/usr/sbin/smsbox")
FAKESMSC = Path("/usr/lib/kannel/test/fakesmsc")
WHY_NOT = "Kannel is not installed (apt-get install kannel kannel-extras; .ci/run does)"


def available() -> bool:
    return all(p.exists() for p in (BEARERBOX, SMSBOX, FAKESMSC))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port: int, timeout: float = 15) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


@dataclass
class Kannel:
    folder: Path
    smsc_port: int
    sendsms_port: int
    user: str = "escalade"
    password: str = "sms-secret-1"

    @property
    def sendsms_url(self) -> str:
        return f"http://127.0.0.1:{self.sendsms_port}/cgi-bin/sendsms"

    def phone(self, *replies: str) -> subprocess.Popen:
        """The fake SMS centre: connects, receives what is queued (printed on its output)
        and sends `replies` ("FROM TO text OK 123456"), one a second."""
        args = [str(FAKESMSC), "-H", "127.0.0.1", "-r", str(self.smsc_port), "-i", "1"]
        args += ["-m", str(len(replies))] if replies else ["-m", "0"]
        return subprocess.Popen(
            [*args, *replies],
            stdin=subprocess.PIPE,  # with no reply to send, it waits on it (interactive)
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=self.folder,
        )


@contextlib.contextmanager
def kannel(tmp_path: Path, reply_url: str):
    """Start bearerbox and smsbox; `reply_url` is the sms-service's get-url (the
    escalade endpoint, with its secret). Stops them whatever happens."""
    folder = tmp_path / "kannel"
    folder.mkdir()
    admin, box, smsc, sendsms = (free_port() for _ in range(4))
    k = Kannel(folder, smsc, sendsms)
    (folder / "kannel.conf").write_text(
        f"""group = core
admin-port = {admin}
admin-password = admin-secret
smsbox-port = {box}
box-allow-ip = 127.0.0.1
log-file = "{folder}/bearerbox.log"
log-level = 1

group = smsc
smsc = fake
smsc-id = fake
port = {smsc}
connect-allow-ip = 127.0.0.1

group = smsbox
bearerbox-host = 127.0.0.1
sendsms-port = {sendsms}
log-file = "{folder}/smsbox.log"
log-level = 1

group = sendsms-user
username = {k.user}
password = {k.password}
max-messages = 3
concatenation = true

group = sms-service
keyword = default
get-url = "{reply_url}&from=%p&to=%P&text=%a"
max-messages = 1
"""
    )
    procs = []
    try:
        for binary in (BEARERBOX, SMSBOX):
            procs.append(
                subprocess.Popen(
                    [str(binary), str(folder / "kannel.conf")],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    cwd=folder,
                )
            )
            _wait_port(box if binary == BEARERBOX else sendsms)
        yield k
    finally:
        for p in reversed(procs):  # smsbox first, bearerbox last
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(folder, ignore_errors=True)
