import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from escalade.accounts import slapd


class Command(BaseCommand):
    help = (
        "The embedded service signing people in through a demo hospital directory: starts "
        "a throwaway OpenLDAP server (Debian's slapd) in var/directory, then `run_embedded` "
        "with the ESCALADE_LDAP_* settings pointing at it (what `make run-directory` does)."
    )

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--folder", default="", help="where slapd keeps its files")

    def handle(self, addrport, folder="", **options):
        if not slapd.available():
            raise CommandError(
                "Debian's slapd is not installed: "
                "sudo apt-get install slapd ldap-utils, then run this again."
            )
        folder = Path(folder or Path(settings.VAR_DIR) / "directory")
        if folder.exists():  # a throwaway directory: every run starts from the demo people
            shutil.rmtree(folder)
        directory = slapd.start(folder)
        self.stdout.write(f"Demo directory on {directory.url} (StartTLS, CA {directory.ca_file})")
        for uid, (given, surname, _mail, _language, disabled) in slapd.PEOPLE.items():
            groups = [cn for cn, members in slapd.GROUPS.items() if uid in members]
            note = "disabled" if disabled else ", ".join(groups) or "in no group"
            self.stdout.write(f"  {uid:<10} {given} {surname} ({note})")
        self.stdout.write(f"Their password: {slapd.PASSWORD}")
        child = subprocess.Popen(
            [sys.executable, "-m", "escalade.cli", "run_embedded", addrport],
            env={**os.environ, **directory.environment()},
        )
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
        try:
            child.wait()
        except (KeyboardInterrupt, SystemExit):
            child.send_signal(signal.SIGTERM)
            child.wait(30)
        finally:
            directory.stop()
