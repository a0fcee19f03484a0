"""Real mail servers for the tests and the benchmark: Dovecot (Debian's dovecot-imapd)
started on a free port with a throwaway configuration, and helpers to put messages in
its folders. Nothing here is a mock: the collector talks IMAP to a real server."""

from __future__ import annotations

import contextlib
import grp
import imaplib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
WHY_NOT = "Dovecot is not installed (apt-get install dovecot-imapd; .ci/run does)"


def available() -> bool:
    return Path(DOVECOT).exists()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Imap:
    host: str
    port: int
    user: str
    password: str
    root: Path

    def client(self) -> imaplib.IMAP4:
        c = imaplib.IMAP4(self.host, self.port)
        c.login(self.user, self.password)
        return c

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        c = self.client()
        try:
            c.append(folder, "", imaplib.Time2Internaldate(time.time()), raw)
        finally:
            c.logout()

    def count(self, folder: str) -> int:
        c = self.client()
        try:
            status, data = c.select(f'"{folder}"', readonly=True)
            return int(data[0]) if status == "OK" else 0
        finally:
            c.logout()

    def empty(self, *folders: str) -> None:
        c = self.client()
        try:
            for folder in folders or ("INBOX", "processed", "rejected"):
                status, data = c.select(f'"{folder}"')
                if status != "OK" or int(data[0]) == 0:
                    continue
                c.store("1:*", "+FLAGS", r"(\Deleted)")
                c.expunge()
        finally:
            c.logout()


CONFIG = """
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# a wrong password is refused at once (2 s by default): the tests try one on purpose
auth_failure_delay = 0
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
first_valid_uid = {uid}
last_valid_uid = {uid}
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
  # no penalty for the address that failed to sign in: a test's wrong password on
  # purpose would make the next test's sign-in from 127.0.0.1 wait 2 s, then 4 s...
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service imap-login {{
  chroot =
}}
service stats {{
  unix_listener stats-writer {{
    user = {user}
  }}
}}
"""


@contextlib.contextmanager
def dovecot(user: str = "desk", password: str = "secret"):
    """Run Dovecot on a free port for the duration of the block; yields an Imap."""
    root = Path(tempfile.mkdtemp(prefix="escalade-dovecot-"))
    if os.geteuid() == 0:  # Dovecot will not serve mail as root: the mail belongs to nobody
        account = pwd.getpwnam("nobody")
    else:
        account = pwd.getpwuid(os.getuid())
    for sub in ("run", "state", "mail", "home"):
        (root / sub).mkdir()
    port = free_port()
    (root / "passwd").write_text(f"{user}:{{PLAIN}}{password}\n")
    (root / "dovecot.conf").write_text(
        CONFIG.format(
            root=root,
            port=port,
            uid=account.pw_uid,
            gid=account.pw_gid,
            user=account.pw_name,
            group=_group(account.pw_gid),
        )
    )
    if os.geteuid() == 0:
        for path in (root, *root.rglob("*")):
            os.chown(path, account.pw_uid, account.pw_gid)
        os.chmod(root, 0o755)
    proc = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(root / "dovecot.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own group, stopped at once with its children
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log = (
                        (root / "dovecot.log").read_text()
                        if (root / "dovecot.log").exists()
                        else ""
                    )
                    raise RuntimeError(
                        f"Dovecot did not start: {proc.stderr.read().decode()[-2000:]} {log[-2000:]}"
                    ) from None
                time.sleep(0.05)
        yield Imap("127.0.0.1", port, user, password, root)
    finally:
        # a throwaway server: nothing to save, and SIGTERM makes the master wait 1.1 s
        # for its children
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        shutil.rmtree(root, ignore_errors=True)


def _group(gid: int) -> str:
    return grp.getgrgid(gid).gr_name


# -- DNS: a real server (dnslib) on a free port, answering TXT records ----------------


class Zone:
    """A DNS server on 127.0.0.1:<free port> (UDP) that answers the TXT records it is
    given (the DKIM keys of the senders of a test) and NXDOMAIN for anything else."""

    def __init__(self, records: dict[str, str]):
        from dnslib import QTYPE, RR, TXT
        from dnslib.server import BaseResolver, DNSLogger, DNSServer

        self.records = {k.lower().rstrip("."): v for k, v in records.items()}
        zone = self

        class Answer(BaseResolver):
            def resolve(self, request, handler):
                reply = request.reply()
                name = str(request.q.qname).lower().rstrip(".")
                value = zone.records.get(name)
                if value is not None and request.q.qtype == QTYPE.TXT:
                    chunks = [value[i : i + 255] for i in range(0, len(value), 255)]
                    reply.add_answer(RR(request.q.qname, QTYPE.TXT, rdata=TXT(chunks), ttl=60))
                elif value is None:
                    reply.header.rcode = 3  # NXDOMAIN
                zone.asked.append(name)
                return reply

        self.asked: list[str] = []
        self.port = free_port()
        quiet = DNSLogger("-request,-reply,-truncated,-error,-recv,-send,-data", prefix=False)
        self.server = DNSServer(Answer(), port=self.port, address="127.0.0.1", logger=quiet)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def __enter__(self):
        # dnslib's start_thread() serves with socketserver's default poll of 0.5 s, which
        # stop() waits out: half a second a test
        self.thread = threading.Thread(
            target=self.server.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.stop()


def dkim_key(selector: str, domain: str):
    """A throwaway RSA key: (private PEM, DNS name, TXT record of its public half)."""
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    record = "v=DKIM1; k=rsa; p=" + base64.b64encode(public).decode()
    return private, f"{selector}._domainkey.{domain}", record


def dkim_sign(raw: bytes, selector: str, domain: str, private: bytes) -> bytes:
    """The message with a DKIM-Signature of `domain` prepended (as its server would)."""
    import dkim

    signature = dkim.sign(
        raw,
        selector.encode(),
        domain.encode(),
        private,
        include_headers=[b"from", b"to", b"subject", b"date", b"message-id"],
    )
    return signature + raw


@contextlib.contextmanager
def signing_domain(domain: str, settings, selector: str = "s2026"):
    """A sender's domain for a test: its DKIM key published by a real DNS server that the
    service is pointed at (ESCALADE_MAIL_DNS). Yields sign(raw) -> the signed bytes."""
    private, name, record = dkim_key(selector, domain)
    with Zone({name: record}) as zone:
        settings.ESCALADE_MAIL_DNS = zone.address
        yield lambda raw: dkim_sign(raw, selector, domain, private)
