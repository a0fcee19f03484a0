"""Certificates from PEM or a live TLS endpoint; reminders 90/60/30 days ahead, once each,
then daily after expiry to the owner and the managers."""

import datetime as dt
import socket
import ssl
import threading

import pytest

from escalade.core.errors import Conflict, Invalid
from escalade.notifications.models import Notification
from escalade.renewals import rules, services
from escalade.renewals.models import Reminder
from escalade.renewals.tests.factories import make_cert, tracked_certificate

pytestmark = pytest.mark.django_db


def test_the_due_reminder_rule():
    exp = dt.date(2026, 12, 31)
    assert rules.due_reminder(exp, dt.date(2026, 10, 1)) is None  # 91 days
    assert rules.due_reminder(exp, dt.date(2026, 10, 2)) == "90"
    assert rules.due_reminder(exp, dt.date(2026, 11, 1)) == "60"
    assert rules.due_reminder(exp, dt.date(2026, 12, 1)) == "30"
    assert rules.due_reminder(exp, dt.date(2027, 1, 1)) == "expired:2027-01-01"


def test_a_pem_is_tracked_once_and_garbage_is_refused(cusm, staff):
    pem, _key = make_cert("dsq.example.org", dt.datetime(2027, 1, 15, tzinfo=dt.UTC))
    cert = services.add_certificate(staff["it_technician"], cusm, pem)
    assert (cert.subject, cert.hosts, cert.not_after.date()) == (
        "dsq.example.org",
        ["dsq.example.org"],
        dt.date(2027, 1, 15),
    )
    with pytest.raises(Conflict):
        services.add_certificate(staff["it_technician"], cusm, pem)
    with pytest.raises(Invalid):
        services.add_certificate(staff["it_technician"], cusm, b"not a certificate")


def test_a_certificate_is_read_live_from_a_tls_endpoint(cusm, staff, tmp_path, settings):
    settings.ESCALADE_PROBE_ALLOW = ["127.0.0.0/8"]  # the test server is on loopback
    pem, key = make_cert("visio.example.org", dt.datetime(2027, 2, 1, tzinfo=dt.UTC))
    (tmp_path / "c.pem").write_bytes(pem)
    (tmp_path / "k.pem").write_bytes(key)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "c.pem", tmp_path / "k.pem")
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def serve():
        conn, _addr = server.accept()
        try:
            context.wrap_socket(conn, server_side=True).close()
        except (ssl.SSLError, OSError):
            pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    cert = services.read_endpoint(staff["it_technician"], cusm, "127.0.0.1", port)
    thread.join(5)
    server.close()
    assert cert.subject == "visio.example.org" and cert.source == f"127.0.0.1:{port}"


def test_reminders_go_out_once_each_then_daily_after_expiry(cusm, staff):
    owner = staff["it_technician"]
    tracked_certificate(
        owner, cusm, "pacs.example.org", dt.datetime(2026, 12, 31, 12, tzinfo=dt.UTC)
    )
    days = [
        dt.date(2026, 10, 1),
        dt.date(2026, 10, 2),
        dt.date(2026, 10, 3),
        dt.date(2026, 11, 1),
        dt.date(2026, 12, 1),
        dt.date(2026, 12, 2),
        dt.date(2027, 1, 1),
        dt.date(2027, 1, 2),
    ]
    sent = [services.send_reminders(d) for d in days]
    assert sent == [0, 1, 0, 1, 1, 0, 1, 1]
    assert services.send_reminders(dt.date(2027, 1, 2)) == 0  # a second worker, same day
    keys = sorted(Reminder.objects.values_list("key", flat=True))
    assert keys == ["30", "60", "90", "expired:2027-01-01", "expired:2027-01-02"]
    assert Notification.objects.filter(user=owner, kind="certificate_expires").count() == 3
    assert (
        Notification.objects.filter(user=staff["manager"], kind="certificate_expired").count() == 2
    )
