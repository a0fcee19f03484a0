from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from escalade.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database and media into one .tar.gz (online: the service keeps running)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="e.g. var/backups/escalade-2026-12-03.tar.gz")

    def handle(self, file, **options):
        try:
            manifest = backup(Path(file))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        counted = ", ".join(f"{k}: {v}" for k, v in manifest["counts"].items())
        self.stdout.write(f"backup written to {file} ({counted})")
