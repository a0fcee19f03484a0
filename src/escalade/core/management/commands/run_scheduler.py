from django.core.management.base import BaseCommand

from escalade.core.workers import run_scheduler


class Command(BaseCommand):
    help = (
        "Queue the periodic jobs when they are due (reports, detection...). Several may run; "
        "each carries on through database restarts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=15, help="seconds between checks")
        parser.add_argument("--once", action="store_true", help="check once, then stop")

    def handle(self, interval=15, once=False, **options):
        run_scheduler(interval=interval, once=once, out=self.stdout)
