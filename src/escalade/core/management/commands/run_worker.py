from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run a background task worker (django-tasks database backend). Start as many as needed."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="run what is queued, then stop")

    def handle(self, batch=False, **options):
        call_command("db_worker", reload=False, batch=batch, startup_delay=not batch)
