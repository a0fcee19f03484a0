"""Outgoing webhooks: a receiver on 127.0.0.1 gets a correctly signed payload; a
receiver that is down gets it later."""

import datetime as dt
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import time_machine
from django.core.management import call_command

from escalade.incidents.tests.factories import log
from escalade.notifications.models import Webhook, WebhookDelivery
from escalade.reports.tests.test_major_report import free_port

pytestmark = pytest.mark.django_db(transaction=True)
SECRET = "s3cret-of-the-receiver"


class Receiver:
    def __init__(self, port):
        self.received = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.received.append((dict(self.headers), body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", port), Handler)
        # a short poll: shutdown() waits for it (0.5 s by default)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def run_worker():
    call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0)


def test_a_receiver_gets_a_signed_payload(cusm, staff):
    port = free_port()
    receiver = Receiver(port)
    Webhook.objects.create(
        institution=cusm,
        url=f"http://127.0.0.1:{port}/hook",
        secret=SECRET,
        events=["incident.created"],
    )
    try:
        incident = log(staff["level1_agent"], cusm, symptom="codec")
        run_worker()
    finally:
        receiver.stop()
    assert len(receiver.received) == 1
    headers, body = receiver.received[0]
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Escalade-Signature"] == expected
    assert headers["X-Escalade-Event"] == "incident.created"
    payload = json.loads(body)
    assert payload["data"]["number"] == incident.number and payload["data"]["severity"] == "major"


def test_a_receiver_that_is_down_gets_it_later(cusm, staff):
    port = free_port()
    Webhook.objects.create(institution=cusm, url=f"http://127.0.0.1:{port}/hook", secret=SECRET)
    t0 = dt.datetime.now(tz=dt.UTC)
    with time_machine.travel(t0, tick=False):
        log(staff["level1_agent"], cusm)
        run_worker()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("pending", 1) and delivery.last_error
    receiver = Receiver(port)
    try:
        with time_machine.travel(t0 + dt.timedelta(seconds=61), tick=False):
            run_worker()
    finally:
        receiver.stop()
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("sent", 2) and len(receiver.received) == 1
