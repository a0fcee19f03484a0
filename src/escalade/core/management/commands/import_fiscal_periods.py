from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from escalade.core.fiscal import import_csv


class Command(BaseCommand):
    help = "Load the official fiscal periods from a CSV file (year, period, start, end)."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, path, **options):
        try:
            loaded = import_csv(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        for year, n in loaded.items():
            self.stdout.write(f"{year}-{year + 1}: {n} periods loaded")
