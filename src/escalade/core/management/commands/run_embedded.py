import os
import signal
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Embedded mode: the web server, one task worker and the scheduler (what `make run` starts)."
    )

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, addrport, **options):
        worker = subprocess.Popen(
            [sys.executable, "-m", "escalade.cli", "run_worker"], env=os.environ.copy()
        )
        scheduler = subprocess.Popen(
            [sys.executable, "-m", "escalade.cli", "run_scheduler"], env=os.environ.copy()
        )
        self.stdout.write(
            f"Escalade on http://{addrport}/ (worker pid {worker.pid}); Ctrl+C stops both."
        )
        try:
            call_command("runserver", addrport, use_reloader=False)
        finally:
            for process in (worker, scheduler):
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=10)
