"""escalade run_mail_gateway [HOST:PORT] [--lmtp]: receive forwarded mail for the
mailboxes (SMTP, or LMTP for a local mail server)."""

import signal
import threading

from django.core.management.base import BaseCommand, CommandError

from escalade.mailin import gateway


class Command(BaseCommand):
    help = "Receive the mail the hospital's mail server forwards to the mailboxes (SMTP or LMTP)."

    def add_arguments(self, parser):
        parser.add_argument("address", nargs="?", default="127.0.0.1:2525", help="HOST:PORT")
        parser.add_argument("--lmtp", action="store_true", help="speak LMTP instead of SMTP")

    def handle(self, address, lmtp, **options):
        host, _sep, port = address.rpartition(":")
        if not host or not port.isdigit():
            raise CommandError(f"'{address}' is not HOST:PORT (e.g. 127.0.0.1:2525)")
        controller = gateway.start(host, int(port), lmtp=lmtp)
        self.stdout.write(
            f"Mail gateway listening on {host}:{port} ({'LMTP' if lmtp else 'SMTP'}); "
            "Ctrl-C stops it."
        )
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *a: stop.set())
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            controller.stop()
