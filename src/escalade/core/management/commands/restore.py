from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from escalade.core.backup import BackupError, counts, restore


class Command(BaseCommand):
    help = "Replace the database and media with a backup's (stop the service first)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, file, yes=False, **options):
        if not Path(file).is_file():
            raise CommandError(f"no backup at {file}")
        if not yes and input("This replaces every row of the database. Type 'yes': ") != "yes":
            raise CommandError("not restored")
        try:
            manifest = restore(Path(file))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        now = counts()
        for label, expected in manifest["counts"].items():
            self.stdout.write(f"{label}: {now.get(label)} (backup: {expected})")
        if now != manifest["counts"]:
            raise CommandError("the restored counts differ from the backup's")
        self.stdout.write("restored")
