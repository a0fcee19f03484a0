"""The peer of `make bench`: django-helpdesk 2.6.1 (the maintained Python helpdesk) with
its REST API and token authentication, in its own virtual environment (.venv-peer, built
from bench/peer-requirements.txt, pinned), served like Escalade (gunicorn, 2 workers) on
a fresh database and loaded by the same harness: N ticket creations over HTTP, 4 client
processes. It sends its e-mail to the submitter in the request, to a real SMTP server
(aiosmtpd) in this process; Escalade queues its e-mails for the task workers.

    .venv/bin/python bench/peer.py --build     # make the peer's virtual environment
    .venv/bin/python bench/peer.py             # its intake alone, both databases

`make bench` runs it beside Escalade when .venv-peer exists, alternating the two per
database, and prints the ratio. None of django-helpdesk's code is in this repository: the
environment is installed from PyPI; the project around it (settings, URLs) is written
below, into a temporary directory.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from intake import ROOT, free_port, fresh_database, intake, start_server, stop  # noqa: E402

VENV = ROOT / ".venv-peer"
REQUIREMENTS = ROOT / "bench" / "peer-requirements.txt"
PG_URL = "postgres://postgres@127.0.0.1:5432/escalade_peer_bench"

SETTINGS = """
import os
from urllib.parse import urlparse
SECRET_KEY = "peer-bench"
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = [
    "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
    "django.contrib.sessions", "django.contrib.messages", "django.contrib.staticfiles",
    "django.contrib.sites", "django.contrib.humanize",
    "rest_framework", "rest_framework.authtoken", "helpdesk",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "peer_urls"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
              "OPTIONS": {"context_processors": ["django.template.context_processors.request",
                          "django.contrib.auth.context_processors.auth",
                          "django.contrib.messages.context_processors.messages"]}}]
url = urlparse(os.environ["PEER_DATABASE_URL"])
if url.scheme == "sqlite":
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": url.path[1:],
                             "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL;"}}}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": url.path[1:],
                             "USER": url.username, "HOST": url.hostname, "PORT": url.port}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
SITE_ID = 1
USE_TZ = True
STATIC_URL = "/static/"
# helpdesk sends its e-mails in the request (to the submitter): a real SMTP server
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ["PEER_SMTP_PORT"])
HELPDESK_TEAMS_MODE_ENABLED = False
REST_FRAMEWORK = {"DEFAULT_AUTHENTICATION_CLASSES": [
    "rest_framework.authentication.TokenAuthentication"]}
LOGGING = {"version": 1, "root": {"level": "ERROR"}}
"""

URLS = """
from django.urls import include, path
urlpatterns = [path("", include("helpdesk.urls"))]
"""

SETUP = """
import django
django.setup()
from django.contrib.auth import get_user_model
from helpdesk.models import Queue
from rest_framework.authtoken.models import Token
user = get_user_model().objects.create_superuser("bench", "bench@example.org", "bench-peer-1")
Queue.objects.create(title="Telehealth", slug="telehealth", email_address="desk@example.org")
print(Token.objects.create(user=user).key)
"""


def build() -> None:
    """The peer's virtual environment, from the pinned requirements."""
    if not (VENV / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run(
        [str(VENV / "bin" / "pip"), "install", "-q", "-r", str(REQUIREMENTS)], check=True
    )


def available() -> bool:
    return (VENV / "bin" / "gunicorn").exists()


class Sink:
    """The SMTP server the peer sends to (aiosmtpd): counts what it receives."""

    received = 0

    async def handle_DATA(self, server, session, envelope):
        self.received += 1
        return "250 OK"


def run(db: str, n: int, clients: int, workers: int, pg_url: str = PG_URL) -> dict:
    """django-helpdesk's intake on a fresh database: the same harness as Escalade's."""
    from aiosmtpd.controller import Controller  # noqa: PLC0415

    work = Path(tempfile.mkdtemp(prefix=f"escalade-peer-{db}-"))
    sink, smtp_port = Sink(), free_port()
    smtp = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    try:
        (work / "peer_settings.py").write_text(SETTINGS)
        (work / "peer_urls.py").write_text(URLS)
        if db == "sqlite":
            url = f"sqlite:///{work / 'peer.sqlite3'}"
        else:
            fresh_database(pg_url)
            url = pg_url
        env = {
            **os.environ,
            "PYTHONPATH": str(work),
            "DJANGO_SETTINGS_MODULE": "peer_settings",
            "PEER_DATABASE_URL": url,
            "PEER_SMTP_PORT": str(smtp_port),
        }
        env.pop("VIRTUAL_ENV", None)
        py = str(VENV / "bin" / "python")
        subprocess.run(
            [py, "-m", "django", "migrate", "--noinput"], env=env, check=True, capture_output=True
        )
        setup = subprocess.run(
            [py, "-c", SETUP], env=env, check=True, capture_output=True, text=True
        )
        token = setup.stdout.strip().splitlines()[-1]
        server, base = start_server(
            env,
            workers,
            python=py,
            app="django.core.wsgi:get_wsgi_application()",
            probe="/api/tickets/",
            cwd=work,
        )
        try:
            return {
                **intake(base, token, n, clients, server.pid, peer=True),
                "mails": sink.received,
            }
        finally:
            stop(server)
    finally:
        smtp.stop()
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--build", action="store_true", help="make .venv-peer, then stop")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("-n", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if args.build:
        build()
        return
    if not available():
        raise SystemExit("no .venv-peer: run bench/peer.py --build first")
    for db in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        r = run(db, args.n, args.clients, args.workers)
        print(
            f"{db:9} django-helpdesk 2.6.1: {r['n']:,} tickets  {r['per_s']:7.1f} tickets/s  "
            f"p50 {r['p50_ms']:5.1f} ms  p99 {r['p99_ms']:6.1f} ms  errors {len(r['errors'])}  "
            f"e-mails sent in the requests {r['mails']:,}"
        )
        for e in r["errors"][:3]:
            print("   ", e)


if __name__ == "__main__":
    main()
