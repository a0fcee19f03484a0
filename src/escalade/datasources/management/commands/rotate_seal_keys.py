"""escalade rotate_seal_keys: re-seal every sealed report with the first key of
ESCALADE_SEAL_KEYS (put the new key first, run this, then drop the old one)."""

from django.core.management.base import BaseCommand

from escalade.datasources.services import reseal_all


class Command(BaseCommand):
    help = "Re-seal the sealed reports with the first key of ESCALADE_SEAL_KEYS."

    def handle(self, **options):
        self.stdout.write(f"{reseal_all()} sealed items re-sealed with the current key")
