import time

from django.core.management.base import BaseCommand

from escalade.core.scheduler import ensure_schedules, tick


class Command(BaseCommand):
    help = "Queue the periodic jobs when they are due (reports, detection...). Several may run."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=15, help="seconds between checks")
        parser.add_argument("--once", action="store_true", help="check once, then stop")

    def handle(self, interval=15, once=False, **options):
        ensure_schedules()
        while True:
            for name in tick():
                self.stdout.write(f"queued {name}")
            if once:
                return
            time.sleep(interval)
