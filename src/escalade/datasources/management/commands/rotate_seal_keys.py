"""escalade rotate_seal_keys: re-seal everything sealed (the conformance reports and
their errors, the kept answers of Idempotency-Key requests) with the first key of
ESCALADE_SEAL_KEYS (put the new key first, run this, then drop the old one)."""

from django.core.management.base import BaseCommand

from escalade.core import idempotency
from escalade.datasources.services import reseal_all


class Command(BaseCommand):
    help = "Re-seal everything sealed with the first key of ESCALADE_SEAL_KEYS."

    def handle(self, **options):
        reports, answers = reseal_all(), idempotency.reseal_all()
        self.stdout.write(
            f"{reports + answers} sealed items re-sealed with the current key "
            f"({reports} of conformance reports, {answers} kept API answers)"
        )
