"""escalade fetch_mail [CODE...]: read the IMAP mailboxes now (the schedule does it every
minute)."""

from django.core.management.base import BaseCommand, CommandError

from escalade.core.errors import Conflict
from escalade.mailin import services
from escalade.mailin.models import Mailbox


class Command(BaseCommand):
    help = "Read the new messages of the IMAP mailboxes (all active ones, or those named)."

    def add_arguments(self, parser):
        parser.add_argument("codes", nargs="*", help="mailbox codes (default: every IMAP one)")

    def handle(self, codes, **options):
        boxes = (
            Mailbox.objects.filter(active=True).exclude(imap_host="").select_related("institution")
        )
        if codes:
            boxes = boxes.filter(code__in=codes)
            missing = set(codes) - set(boxes.values_list("code", flat=True))
            if missing:
                raise CommandError(f"no IMAP mailbox {', '.join(sorted(missing))}")
        failed = 0
        for box in boxes:
            try:
                r = services.fetch(box)
            except Conflict as exc:
                failed += 1
                self.stderr.write(f"{box.code}: {exc.as_errors()[0]['message']}")
                continue
            if r.busy:
                self.stdout.write(f"{box.code}: another collector is reading it")
            else:
                self.stdout.write(
                    f"{box.code}: {r.taken} taken, {r.rejected} rejected, {r.again} seen again"
                )
        if failed:
            raise CommandError(f"{failed} mailbox(es) could not be read")
