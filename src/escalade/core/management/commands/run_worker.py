from django.core.management.base import BaseCommand

from escalade.core.workers import run_worker


class Command(BaseCommand):
    help = (
        "Run a background task worker. Start as many as needed; each carries on through "
        "database restarts, and the tasks of a worker that died are taken again after a lease."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="run what is queued, then stop")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")

    def handle(self, batch=False, interval=1.0, **options):
        run_worker(batch=batch, interval=interval)
