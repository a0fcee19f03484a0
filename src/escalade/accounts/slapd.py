"""A throwaway OpenLDAP server (Debian's `slapd`) holding a small hospital directory:
for `make run-directory` (the demo) and for the tests, which sign in through it.

It listens on 127.0.0.1 on a free port, offers StartTLS with a certificate signed by a
throwaway authority (its file is given to Escalade as ESCALADE_LDAP_CA_FILE), and holds:
- people: agent1 (level 1, through GG-TELESANTE-N1), analyst2 (level 2, through a group
  nested in GG-TELESANTE-N2), gestion (manager, GG-TELESANTE-GEST), ancien (disabled:
  employeeType=disabled), visiteur (in no group);
- a service account that searches (cn=escalade,ou=services)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from ldap3 import Connection, Server

SUFFIX = "dc=hopital,dc=example"
ROOT_DN = f"cn=admin,{SUFFIX}"
ROOT_PASSWORD = "admin-demo"
SERVICE_DN = f"cn=escalade,ou=services,{SUFFIX}"
SERVICE_PASSWORD = "service-demo"
PASSWORD = "Demo-Escalade-1"  # every demo person's password
SCHEMAS = ("core", "cosine", "inetorgperson", "nis")

PEOPLE = {
    # uid: (given name, surname, mail, language, disabled)
    "agent1": ("Annie", "Tremblay", "agent1@hopital.example", "fr", False),
    "analyst2": ("Bob", "Martin", "analyst2@hopital.example", "en", False),
    "gestion": ("Carole", "Gagnon", "gestion@hopital.example", "fr", False),
    "ancien": ("Denis", "Roy", "ancien@hopital.example", "fr", True),
    "visiteur": ("Eve", "Côté", "visiteur@hopital.example", "fr", False),
}
GROUPS = {
    # cn: members (uids, or cn= of another group: nesting)
    "GG-TELESANTE-N1": ["agent1", "ancien"],
    "GG-TELESANTE-N2-MTL": ["analyst2"],
    "GG-TELESANTE-N2": ["cn=GG-TELESANTE-N2-MTL"],
    "GG-TELESANTE-GEST": ["gestion"],
}


def available() -> bool:
    return (
        bool(shutil.which("slapd") or Path("/usr/sbin/slapd").exists())
        and Path("/etc/ldap/schema/core.schema").exists()
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def person_dn(uid: str) -> str:
    return f"uid={uid},ou=people,{SUFFIX}"


def group_dn(cn: str) -> str:
    return f"cn={cn},ou=groups,{SUFFIX}"


def _certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A throwaway authority and a certificate for 127.0.0.1 / localhost signed by it."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Escalade demo directory CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, cert_file, key_file = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_file, cert_file, key_file


@dataclass
class Slapd:
    folder: Path
    port: int
    ca_file: Path
    process: subprocess.Popen | None = None
    log: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"ldap://127.0.0.1:{self.port}"

    def settings(self, **overrides) -> dict:
        """settings.ESCALADE_LDAP for this directory."""
        config = {
            "url": self.url,
            "start_tls": True,
            "ca_file": str(self.ca_file),
            "bind_dn": SERVICE_DN,
            "bind_password": SERVICE_PASSWORD,
            "user_base": f"ou=people,{SUFFIX}",
            "user_filter": "(uid={username})",
            "group_base": f"ou=groups,{SUFFIX}",
            "disabled_filter": "(employeeType=disabled)",
            "timeout": 5.0,
        }
        config.update(overrides)
        return config

    def environment(self) -> dict[str, str]:
        """The same, as the ESCALADE_LDAP_* variables `make run-directory` sets."""
        config = self.settings()
        return {
            "ESCALADE_LDAP_URL": config["url"],
            "ESCALADE_LDAP_START_TLS": "1",
            "ESCALADE_LDAP_CA_FILE": config["ca_file"],
            "ESCALADE_LDAP_BIND_DN": config["bind_dn"],
            "ESCALADE_LDAP_BIND_PASSWORD": config["bind_password"],
            "ESCALADE_LDAP_USER_BASE": config["user_base"],
            "ESCALADE_LDAP_USER_FILTER": config["user_filter"],
            "ESCALADE_LDAP_GROUP_BASE": config["group_base"],
            "ESCALADE_LDAP_DISABLED_FILTER": config["disabled_filter"],
        }

    def admin(self):
        """A connection as the directory's administrator (to change it in a test)."""
        conn = Connection(
            Server(self.url), user=ROOT_DN, password=ROOT_PASSWORD, raise_exceptions=True
        )
        conn.bind()
        return conn

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def _config(folder: Path, ca: Path, cert: Path, key: Path) -> Path:
    data = folder / "data"
    data.mkdir(exist_ok=True)
    hashed = (
        subprocess.run(
            ["slappasswd", "-s", ROOT_PASSWORD], capture_output=True, text=True, check=True
        ).stdout.strip()
        if shutil.which("slappasswd")
        else ROOT_PASSWORD
    )
    lines = [f"include /etc/ldap/schema/{name}.schema" for name in SCHEMAS]
    lines += [
        "modulepath /usr/lib/ldap",
        "moduleload back_mdb",
        f"pidfile {folder / 'slapd.pid'}",
        f"argsfile {folder / 'slapd.args'}",
        f"TLSCACertificateFile {ca}",
        f"TLSCertificateFile {cert}",
        f"TLSCertificateKeyFile {key}",
        "database mdb",
        "maxsize 10485760",
        f'suffix "{SUFFIX}"',
        f'rootdn "{ROOT_DN}"',
        f"rootpw {hashed}",
        f"directory {data}",
        "access to attrs=userPassword by self =xw by anonymous auth by * none",
        "access to * by * read",
    ]
    conf = folder / "slapd.conf"
    conf.write_text("\n".join(lines) + "\n")
    return conf


def _fill(server: Slapd) -> None:
    conn = server.admin()
    conn.add(SUFFIX, ["dcObject", "organization"], {"dc": "hopital", "o": "Hopital demo"})
    for ou in ("people", "groups", "services"):
        conn.add(f"ou={ou},{SUFFIX}", ["organizationalUnit"], {"ou": ou})
    conn.add(
        SERVICE_DN,
        ["person", "simpleSecurityObject"],
        {"cn": "escalade", "sn": "Escalade", "userPassword": SERVICE_PASSWORD},
    )
    for uid, (given, sn, mail, language, disabled) in PEOPLE.items():
        attrs = {
            "uid": uid,
            "cn": f"{given} {sn}",
            "givenName": given,
            "sn": sn,
            "mail": mail,
            "preferredLanguage": language,
            "userPassword": PASSWORD,
        }
        if disabled:
            attrs["employeeType"] = "disabled"
        conn.add(person_dn(uid), ["inetOrgPerson"], attrs)
    # inner groups first: a group's members must exist
    for cn in sorted(GROUPS, key=lambda c: any(m.startswith("cn=") for m in GROUPS[c])):
        members = [group_dn(m[3:]) if m.startswith("cn=") else person_dn(m) for m in GROUPS[cn]]
        conn.add(group_dn(cn), ["groupOfNames"], {"cn": cn, "member": members})
    conn.unbind()


def start(folder: Path, port: int | None = None) -> Slapd:
    """Start slapd in `folder` (its configuration, data and certificates) and fill it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    ca, cert, key = _certificates(folder)
    conf = _config(folder, ca, cert, key)
    port = port or free_port()
    binary = shutil.which("slapd") or "/usr/sbin/slapd"
    process = subprocess.Popen(
        [binary, "-f", str(conf), "-h", f"ldap://127.0.0.1:{port}/", "-d", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ},
    )
    server = Slapd(folder=folder, port=port, ca_file=ca, process=process)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"slapd stopped: {process.stderr.read().decode()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.1)
    else:
        server.stop()
        raise RuntimeError("slapd did not listen within 15 s")
    _fill(server)
    return server
