import signal
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand

from escalade.core.workers import Supervisor


class Command(BaseCommand):
    help = (
        "Embedded mode: the web server, one task worker and the scheduler (what `make run` "
        "starts). A worker or scheduler that dies is started again; Ctrl+C or SIGTERM stops all."
    )

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, addrport, **options):
        cli = [sys.executable, "-m", "escalade.cli"]
        supervisor = Supervisor(
            {"worker": [*cli, "run_worker"], "scheduler": [*cli, "run_scheduler"]}
        )
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
        supervisor.start()
        pids = ", ".join(f"{name} pid {c.pid}" for name, c in supervisor.children.items())
        self.stdout.write(f"Escalade on http://{addrport}/ ({pids}); Ctrl+C stops all.")
        try:
            call_command("runserver", addrport, use_reloader=False)
        finally:
            supervisor.stop()
